// inventory.collect: collects every configured source once (the stage functions of `inventory
// collect kubernetes|docker`), brings posture up to date for what came or changed, then queues
// scan.in-use so that digests a rollout brought are scanned within minutes, not at the next cadence.
import {
  collectDockerInventory,
  collectKubernetesInventory,
  dockerSource,
  kubernetesTargets,
  metadataKeys,
  type SourceResult,
} from '../../inventory/index.js';
import { maintainPosture } from '../../propagation/index.js';
import type { Job } from '../kinds.js';
import type { StageDeps } from './stage-deps.js';

export async function collectInventoryJob(deps: StageDeps, _job: Job, signal: AbortSignal) {
  const { kubernetes, docker } = deps.inventory;
  if (!kubernetes.length && !docker.length)
    throw new Error(
      'no inventory source configured: set inventory.kubernetes / inventory.docker in the config, or start the worker with --kubernetes and/or --docker-host (docs/operations.md)',
    );
  const keys = metadataKeys(deps.inventoryKeys);
  const results: SourceResult[] = [];
  for (const k of kubernetes) {
    const targets = await kubernetesTargets({ ...k, env: deps.env });
    results.push(
      ...(await collectKubernetesInventory(deps.store, targets, {
        namespaces: k.namespaces,
        keys,
        signal,
        logger: deps.logger,
      })),
    );
  }
  for (const d of docker) {
    const { api, source } = await dockerSource(d.host, d.name, deps.env);
    results.push(
      await collectDockerInventory(deps.store, api, source, { keys, signal, logger: deps.logger }),
    );
  }
  const ok = results.filter((r) => r.status !== 'failed');
  if (ok.length) {
    const written = results.some((r) => r.idsOmitted)
      ? {}
      : { containerIds: ok.flatMap((r) => [...r.added, ...r.changed]) };
    await maintainPosture(deps.store, written, { ...deps.posture, signal });
    await deps.queue.send('scan.in-use', {});
  }
  const failed = results.filter((r) => r.status === 'failed');
  if (failed.length)
    throw new Error(
      `${failed.length} of ${results.length} inventory source(s) could not be collected: ${failed
        .map((f) => `${f.source} (${f.errors[0]?.message})`)
        .join('; ')}`,
    );
  return results.map((r) => ({ source: r.source, status: r.status, seen: r.seen }));
}
