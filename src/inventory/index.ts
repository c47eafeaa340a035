// The inventory stage's public entry: collect running containers from Kubernetes, Docker and CMDB
// files and land each collection as one mutation (full list or delta) in the store. Propagation
// reads the returned ids (added / changed / removed) to recompute only what moved.
import { InputError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import type { ContainerObservation, InventoryMutation } from '../core/types.js';
import {
  type AppliedMutation,
  type ApplyOptions,
  applyInventoryMutation as applyMutation,
  finishInventoryRun,
  type InventoryRunError,
  type InventorySourceSpec,
  recordFailedInventoryRun,
  type Store,
  startInventoryRun,
} from '../store/index.js';
import type { MetadataKeys } from './metadata-keys.js';
import { type CmdbRowError, parseCmdb } from './providers/cmdb/parse-cmdb.js';
import { type DockerApi, dockerApi, dockerEndpoint } from './providers/docker/client.js';
import { collectDocker, watchDocker } from './providers/docker/collector.js';
import { collectKubernetes, watchKubernetes } from './providers/kubernetes/collector.js';
import type { ClusterTarget } from './providers/kubernetes/kubeconfig.js';

export { digestOfReference, normalizeDigest, type ParsedImageId, parseImageId } from './image-id.js';
export {
  DEFAULT_ENVIRONMENT_KEYS,
  DEFAULT_OWNER_KEYS,
  type MetadataKeys,
  metadataKeys,
} from './metadata-keys.js';
export { type CmdbParseResult, type CmdbRowError, parseCmdb } from './providers/cmdb/parse-cmdb.js';
export { type DockerApi, DockerApiError, dockerApi, dockerEndpoint } from './providers/docker/client.js';
export { collectDocker, REPO_DIGESTS_LABEL, watchDocker } from './providers/docker/collector.js';
export { type KubernetesApi, KubernetesApiError } from './providers/kubernetes/api.js';
export { collectKubernetes, watchKubernetes } from './providers/kubernetes/collector.js';
export { type ClusterTarget, kubernetesTargets } from './providers/kubernetes/kubeconfig.js';

/**
 * Applies one mutation for a source in one transaction (see store/queries/inventory). Exported here
 * as the stage's API: providers emit mutations, this lands them.
 */
export function applyInventoryMutation(
  store: Store,
  source: InventorySourceSpec,
  mutation: InventoryMutation,
  opts?: ApplyOptions,
): Promise<AppliedMutation> {
  return applyMutation(store.db, source, mutation, opts);
}

export interface SourceResult {
  source: string;
  kind: InventorySourceSpec['kind'];
  status: 'ok' | 'partial' | 'failed';
  runId?: number | undefined;
  seen: number;
  added: string[];
  changed: string[];
  removed: string[];
  errors: InventoryRunError[];
}

function resultOf(
  source: InventorySourceSpec,
  seen: number,
  applied: AppliedMutation,
  errors: InventoryRunError[],
): SourceResult {
  return {
    source: source.name,
    kind: source.kind,
    status: errors.length ? 'partial' : 'ok',
    runId: applied.runId,
    seen,
    added: applied.added,
    changed: applied.changed,
    removed: applied.removed,
    errors,
  };
}

async function failed(
  store: Store,
  source: InventorySourceSpec,
  mode: 'full' | 'delta',
  err: unknown,
  startedAt: Date,
): Promise<SourceResult> {
  const errors = [{ message: err instanceof Error ? err.message : String(err) }];
  const runId = await recordFailedInventoryRun(store.db, source, mode, errors, startedAt);
  return {
    source: source.name,
    kind: source.kind,
    status: 'failed',
    runId,
    seen: 0,
    added: [],
    changed: [],
    removed: [],
    errors,
  };
}

export interface CommonOptions {
  keys: MetadataKeys;
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
}

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
      const applied = await applyMutation(store.db, source, col.mutation, {
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
      results.push(await failed(store, source, 'full', err, startedAt));
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
    const applied = await applyMutation(store.db, source, col.mutation, { startedAt, errors: col.errors });
    return resultOf(source, col.mutation.containers.length, applied, col.errors);
  } catch (err) {
    if (err instanceof InputError) throw err;
    return failed(store, source, 'full', err, startedAt);
  }
}

/** A CMDB file with bad rows, refused as a whole (nothing imported). */
export class CmdbImportError extends InputError {
  override readonly name: string = 'CmdbImportError';
  constructor(
    readonly file: string,
    readonly errors: CmdbRowError[],
  ) {
    const shown = errors.slice(0, 20).map((e) => `  line ${e.line}: ${e.reason}`);
    if (errors.length > 20) shown.push(`  … and ${errors.length - 20} more`);
    super(
      `${file}: ${errors.length} bad row${errors.length > 1 ? 's' : ''}; nothing was imported (fix them, or pass --allow-partial to import the good rows):\n${shown.join('\n')}`,
    );
  }
}

/**
 * Imports a CMDB export. A clean file is a full list of its source (rows no longer in it are
 * closed). A file with bad rows imports nothing, unless `allowPartial`: then the good rows land as a
 * delta (nothing is closed, since a bad row may hide a container that still runs) and the run is
 * recorded as partial with every bad row.
 */
export async function importCmdbFile(
  store: Store,
  file: { path: string; text: string },
  opts: CommonOptions & {
    sourceName: string;
    allowPartial?: boolean | undefined;
    format?: 'csv' | 'json' | 'jsonl' | undefined;
  },
): Promise<SourceResult & { rows: number; rowErrors: CmdbRowError[] }> {
  const parsed = parseCmdb(file.text, { sourceName: opts.sourceName, format: opts.format, keys: opts.keys });
  if (parsed.errors.length && !opts.allowPartial) throw new CmdbImportError(file.path, parsed.errors);
  const source: InventorySourceSpec = { name: opts.sourceName, kind: 'cmdb', config: { file: file.path } };
  const errors = parsed.errors.map((e) => ({ where: `${file.path}:${e.line}`, message: e.reason }));
  const mutation: InventoryMutation = parsed.errors.length
    ? { type: 'delta', added: parsed.observations, removed: [] }
    : { type: 'full', containers: parsed.observations };
  const applied = await applyMutation(store.db, source, mutation, { errors });
  return {
    ...resultOf(source, parsed.observations.length, applied, errors),
    rows: parsed.rows,
    rowErrors: parsed.errors,
  };
}

export interface WatchCallbacks {
  /** After each applied mutation (a list or a batch of events). */
  onApplied?(result: SourceResult & { mode: 'full' | 'delta' }): void;
}

/**
 * What a watch does with what it sees, for every provider: a list lands as a full mutation (scoped
 * to the namespaces it covered), a batch of events as a delta in the session's run.
 */
function applyWatched(store: Store, source: InventorySourceSpec, runId: number, callbacks: WatchCallbacks) {
  return {
    async onFull(col: {
      mutation: { type: 'full'; containers: ContainerObservation[] };
      namespaces?: string[] | undefined;
      errors: InventoryRunError[];
    }) {
      const applied = await applyMutation(store.db, source, col.mutation, {
        scope: { namespaces: col.namespaces },
        errors: col.errors,
      });
      callbacks.onApplied?.({
        ...resultOf(source, col.mutation.containers.length, applied, col.errors),
        mode: 'full' as const,
      });
    },
    async onDelta(m: Extract<InventoryMutation, { type: 'delta' }>, errors: InventoryRunError[]) {
      const applied = await applyMutation(store.db, source, m, { runId, errors });
      callbacks.onApplied?.({ ...resultOf(source, m.added.length, applied, errors), mode: 'delta' as const });
    },
  };
}

/** Watches one cluster until the signal aborts; one `running` run per session collects the deltas. */
export async function watchKubernetesInventory(
  store: Store,
  target: ClusterTarget,
  opts: CommonOptions & {
    signal: AbortSignal;
    namespaces?: string[] | undefined;
    batchMs?: number | undefined;
  },
  callbacks: WatchCallbacks = {},
): Promise<void> {
  const source: InventorySourceSpec = {
    name: target.cluster,
    kind: 'kubernetes',
    config: { context: target.context, server: target.server },
  };
  const session = await startInventoryRun(store.db, source);
  const logger = opts.logger ?? silentLogger;
  try {
    await watchKubernetes(
      target.api,
      {
        cluster: target.cluster,
        namespaces: opts.namespaces,
        keys: opts.keys,
        signal: opts.signal,
        logger,
        batchMs: opts.batchMs,
      },
      {
        ...applyWatched(store, source, session.runId, callbacks),
        onError(err, retryInMs) {
          logger.warn('kubernetes watch error; retrying', {
            cluster: target.cluster,
            error: (err as Error).message,
            retryInMs,
          });
        },
      },
    );
    await finishInventoryRun(store.db, session.runId, 'ok');
  } catch (err) {
    await finishInventoryRun(store.db, session.runId, 'failed', [{ message: (err as Error).message }]);
    throw err;
  }
}

export async function watchDockerInventory(
  store: Store,
  api: DockerApi,
  source: InventorySourceSpec,
  opts: CommonOptions & { signal: AbortSignal; batchMs?: number | undefined },
  callbacks: WatchCallbacks = {},
): Promise<void> {
  const session = await startInventoryRun(store.db, source);
  const logger = opts.logger ?? silentLogger;
  try {
    await watchDocker(
      api,
      { name: source.name, keys: opts.keys, signal: opts.signal, logger, batchMs: opts.batchMs },
      {
        ...applyWatched(store, source, session.runId, callbacks),
        onError(err, retryInMs) {
          logger.warn('docker events error; retrying', {
            source: source.name,
            error: (err as Error).message,
            retryInMs,
          });
        },
      },
    );
    await finishInventoryRun(store.db, session.runId, 'ok');
  } catch (err) {
    await finishInventoryRun(store.db, session.runId, 'failed', [{ message: (err as Error).message }]);
    throw err;
  }
}
