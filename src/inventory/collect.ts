// One full collection per source: every cluster of a kubeconfig, or one Docker daemon, listed and
// landed as a full mutation. A source that fails is recorded as a failed run; the others go on.
import { InputError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import type { InventorySourceSpec, Store } from '../store/index.js';
import { applyInventoryMutation } from './apply-inventory-mutation.js';
import { type DockerApi, dockerApi, dockerEndpoint } from './providers/docker/client.js';
import { collectDocker } from './providers/docker/collector.js';
import { collectKubernetes } from './providers/kubernetes/collector.js';
import type { ClusterTarget } from './providers/kubernetes/targets.js';
import { type CommonOptions, failedResult, resultOf, type SourceResult } from './source-result.js';

/** One full collection per cluster; a cluster that fails is recorded as a failed run, others go on. */
export async function collectKubernetesInventory(
  store: Store,
  targets: ClusterTarget[],
  opts: CommonOptions & { namespaces?: string[] | undefined },
): Promise<SourceResult[]> {
  const results: SourceResult[] = [];
  for (const t of targets) {
    const source: InventorySourceSpec = {
      name: t.cluster,
      kind: 'kubernetes',
      config: { context: t.context, server: t.server },
    };
    const startedAt = new Date();
    try {
      const col = await collectKubernetes(t.api, {
        cluster: t.cluster,
        namespaces: opts.namespaces,
        keys: opts.keys,
        signal: opts.signal,
        logger: opts.logger,
      });
      const applied = await applyInventoryMutation(store, source, col.mutation, {
        startedAt,
        scope: { namespaces: col.namespaces },
        errors: col.errors,
      });
      results.push(resultOf(source, col.mutation.containers.length, applied, col.errors));
    } catch (err) {
      if (err instanceof InputError) throw err;
      (opts.logger ?? silentLogger).error('kubernetes collection failed', {
        cluster: t.cluster,
        error: (err as Error).message,
      });
      results.push(await failedResult(store, source, 'full', err, startedAt));
    }
  }
  return results;
}

/** The Docker API for --host / $DOCKER_HOST, and the source name (--name, else the daemon's host name). */
export async function dockerSource(
  host: string | undefined,
  name: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<{ api: DockerApi; source: InventorySourceSpec }> {
  const endpoint = dockerEndpoint(host, env);
  const api = dockerApi(endpoint);
  const sourceName = name ?? (await api.info()).Name ?? 'docker';
  return { api, source: { name: sourceName, kind: 'docker', config: { host: endpoint.url } } };
}

export async function collectDockerInventory(
  store: Store,
  api: DockerApi,
  source: InventorySourceSpec,
  opts: CommonOptions,
): Promise<SourceResult> {
  const startedAt = new Date();
  try {
    const col = await collectDocker(api, {
      name: source.name,
      keys: opts.keys,
      signal: opts.signal,
      logger: opts.logger,
    });
    const applied = await applyInventoryMutation(store, source, col.mutation, {
      startedAt,
      errors: col.errors,
    });
    return resultOf(source, col.mutation.containers.length, applied, col.errors);
  } catch (err) {
    if (err instanceof InputError) throw err;
    return failedResult(store, source, 'full', err, startedAt);
  }
}
