// Watches a source until stopped: a Kubernetes reflector or a Docker events stream, each session
// recorded as one `running` run that collects the deltas; every list lands as a full mutation.
import { silentLogger } from '../core/logger.js';
import type { ContainerObservation, InventoryMutation } from '../core/types.js';
import {
  finishInventoryRun,
  type InventoryRunError,
  type InventorySourceSpec,
  type Store,
  startInventoryRun,
} from '../store/index.js';
import { applyInventoryMutation } from './apply-inventory-mutation.js';
import type { DockerApi } from './providers/docker/client.js';
import { watchDocker } from './providers/docker/collector.js';
import { type WatchHandlers, watchKubernetes } from './providers/kubernetes/collector.js';
import type { ClusterTarget } from './providers/kubernetes/targets.js';
import { type CommonOptions, resultOf, type SourceResult } from './source-result.js';

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
      const applied = await applyInventoryMutation(store, source, col.mutation, {
        scope: { namespaces: col.namespaces },
        errors: col.errors,
      });
      callbacks.onApplied?.({
        ...resultOf(source, col.mutation.containers.length, applied, col.errors),
        mode: 'full' as const,
      });
    },
    async onDelta(m: Extract<InventoryMutation, { type: 'delta' }>, errors: InventoryRunError[]) {
      const applied = await applyInventoryMutation(store, source, m, { runId, errors });
      callbacks.onApplied?.({ ...resultOf(source, m.added.length, applied, errors), mode: 'delta' as const });
    },
  };
}

/** The inventory source of a cluster: named after it (the agent pushes to the same name). */
export function kubernetesSourceOf(target: ClusterTarget): InventorySourceSpec {
  return {
    name: target.cluster,
    kind: 'kubernetes',
    config: { context: target.context, server: target.server },
  };
}

/** Where a followed cluster's mutations go: the local store (`inventory watch`) or a server (the agent). */
export type KubernetesSink = Pick<WatchHandlers, 'onFull' | 'onDelta' | 'onError'>;

export type KubernetesFollowOptions = CommonOptions & {
  signal: AbortSignal;
  namespaces?: string[] | undefined;
  batchMs?: number | undefined;
};

/**
 * Lists and watches one cluster until the signal aborts, handing every list (at start and after a
 * 410) and every batch of events to `sink`, in order; a rejected hand-off lists again. The one
 * collector `inventory watch` and `runsight agent` share.
 */
export function followKubernetes(
  target: ClusterTarget,
  opts: KubernetesFollowOptions,
  sink: KubernetesSink,
): Promise<void> {
  const logger = opts.logger ?? silentLogger;
  return watchKubernetes(
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
      onFull: (col) => sink.onFull(col),
      onDelta: (m, errors) => sink.onDelta(m, errors),
      onError(err, retryInMs) {
        logger.warn('kubernetes watch error; retrying', {
          cluster: target.cluster,
          error: (err as Error).message,
          retryInMs,
        });
        sink.onError?.(err, retryInMs);
      },
    },
  );
}

/** Watches one cluster until the signal aborts; one `running` run per session collects the deltas. */
export async function watchKubernetesInventory(
  store: Store,
  target: ClusterTarget,
  opts: KubernetesFollowOptions,
  callbacks: WatchCallbacks = {},
): Promise<void> {
  const source = kubernetesSourceOf(target);
  await inWatchSession(store, source, (runId) =>
    followKubernetes(target, opts, applyWatched(store, source, runId, callbacks)),
  );
}

export async function watchDockerInventory(
  store: Store,
  api: DockerApi,
  source: InventorySourceSpec,
  opts: CommonOptions & { signal: AbortSignal; batchMs?: number | undefined },
  callbacks: WatchCallbacks = {},
): Promise<void> {
  const logger = opts.logger ?? silentLogger;
  await inWatchSession(store, source, (runId) =>
    watchDocker(
      api,
      { name: source.name, keys: opts.keys, signal: opts.signal, logger, batchMs: opts.batchMs },
      {
        ...applyWatched(store, source, runId, callbacks),
        onError(err, retryInMs) {
          logger.warn('docker events error; retrying', {
            source: source.name,
            error: (err as Error).message,
            retryInMs,
          });
        },
      },
    ),
  );
}

/** One watch session as one inventory run: `running` while it lasts, then `ok` or `failed`. */
async function inWatchSession(
  store: Store,
  source: InventorySourceSpec,
  watch: (runId: number) => Promise<void>,
): Promise<void> {
  const session = await startInventoryRun(store, source);
  try {
    await watch(session.runId);
    await finishInventoryRun(store, session.runId, 'ok');
  } catch (err) {
    await finishInventoryRun(store, session.runId, 'failed', [{ message: (err as Error).message }]);
    throw err;
  }
}
