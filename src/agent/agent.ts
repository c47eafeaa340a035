// The in-cluster agent (`runsight agent`, docs/agent.md): the same collector as `inventory watch`
// (inventory's followKubernetes), with its mutations pushed to a central server instead of a local
// store. One sender posts batches one after another (a full list at start and after every relist,
// deltas otherwise; the outbox bounds what waits); one heartbeat says the agent is alive and, when
// nothing is owed, that the cluster is unchanged. While the server is away (no answer, 408, 429,
// 5xx) batches wait and are retried with exponential backoff and jitter, or after the server's
// Retry-After. A token the server refuses (401, 403) stops the agent (exit 2); a full list it
// refuses stops it (exit 3); a refused delta is dropped and a full list sent instead.
import { randomUUID } from 'node:crypto';
import { InputError, RunsightError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { type ClusterTarget, followKubernetes, type MetadataKeys } from '../inventory/index.js';
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import { type Batch, DEFAULT_OUTBOX_LIMITS, Outbox, type OutboxLimits } from './outbox.js';
import { createTransport, type Transport } from './transport.js';

/** The agent's sense of time, injected by tests. */
export interface AgentClock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  random(): number;
}

export const systemClock: AgentClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    }),
  random: Math.random,
};

/** The server refused the agent's token (401) or its scope (403): nothing will go through. */
export class AgentTokenError extends InputError {
  override readonly name = 'AgentTokenError';
}

/** The server refused a full list for a reason other than the token. */
export class AgentRefusedError extends RunsightError {
  override readonly name = 'AgentRefusedError';
}

export interface AgentStats {
  batchesSent: number;
  fullListsSent: number;
  /** Gzip bytes posted (batches and heartbeats, retries included). */
  bytesSent: number;
  /** JSON bytes of the batches the server took. */
  jsonBytesTaken: number;
  retries: number;
  replayed: number;
  bufferDrops: number;
  heartbeats: number;
  lastSuccessAt: number | null;
  queuedBatches: number;
  queuedBytes: number;
  pods: number;
}

export interface AgentOptions {
  server: string;
  token: string;
  /** The cluster as the collector sees it; `target.cluster` names the source and the containers. */
  target: ClusterTarget;
  namespaces?: string[] | undefined;
  keys: MetadataKeys;
  signal: AbortSignal;
  logger: Logger;
  version: string;
  /** Heartbeat interval (default 30 s). */
  heartbeatMs?: number | undefined;
  /** How long watch events are gathered into one delta (default 100 ms). */
  batchMs?: number | undefined;
  limits?: Partial<OutboxLimits> | undefined;
  backoff?: BackoffOptions | undefined;
  /** Per-request timeout (default 60 s). */
  requestTimeoutMs?: number | undefined;
  clock?: AgentClock | undefined;
  /** Called once the agent is running, with its live stats (for /metrics). */
  onStats?: ((stats: () => AgentStats) => void) | undefined;
}

/** Runs until `signal` aborts (resolves) or the server refuses the token or a full list (throws). */
export async function runAgent(opts: AgentOptions): Promise<AgentStats> {
  const clock = opts.clock ?? systemClock;
  const source = opts.target.cluster;
  const logger = opts.logger;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal.addEventListener('abort', onAbort, { once: true });
  const stats = newStats();
  const outbox = new Outbox(
    randomUUID().slice(0, 8),
    opts.namespaces?.length ? [...new Set(opts.namespaces)] : undefined,
    { ...DEFAULT_OUTBOX_LIMITS, ...opts.limits },
    (n) => {
      stats.bufferDrops++;
      logger.warn(
        'agent buffer full: dropped the queued batches; a full list will be sent when the server answers',
        { cluster: source, batches: n.batches, bytes: n.bytes },
      );
    },
  );
  const transport = createTransport({
    server: opts.server,
    token: opts.token,
    userAgent: `runsight-agent/${opts.version}`,
    timeoutMs: opts.requestTimeoutMs,
    now: clock.now,
  });
  const live = () => ({
    ...stats,
    queuedBatches: outbox.queued.batches,
    queuedBytes: outbox.queued.bytes,
    pods: outbox.pods,
  });
  opts.onStats?.(live);
  const watchHealth = { errorAt: 0, quietAfter: 0 };

  let failure: unknown;
  const fail = (err: unknown) => {
    failure ??= err;
    stop.abort();
  };
  const path = `/api/v1/inventory/${encodeURIComponent(source)}/batches?kind=kubernetes`;
  const tasks = [
    followKubernetes(
      opts.target,
      { namespaces: opts.namespaces, keys: opts.keys, signal: stop.signal, logger, batchMs: opts.batchMs },
      {
        async onFull(col) {
          watchHealth.quietAfter = 0;
          outbox.full(col.mutation.containers, col.namespaces);
          logger.info('listed the cluster', {
            cluster: source,
            pods: col.pods,
            containers: col.mutation.containers.length,
          });
        },
        async onDelta(m) {
          watchHealth.quietAfter = 0;
          outbox.delta(m.added, m.removed);
        },
        onError(_err, retryInMs) {
          watchHealth.errorAt = clock.now();
          watchHealth.quietAfter = clock.now() + retryInMs + 5_000;
        },
      },
    ).catch(fail),
    runSender(outbox, transport, path, {
      clock,
      logger,
      backoff: opts.backoff,
      signal: stop.signal,
      stats,
      cluster: source,
    }).catch(fail),
    heartbeats().catch(fail),
  ];

  async function heartbeats() {
    const every = opts.heartbeatMs ?? 30_000;
    let failing = false;
    while (!stop.signal.aborted) {
      await clock.sleep(every, stop.signal);
      if (stop.signal.aborted) break;
      const watching = watchHealth.quietAfter === 0 || clock.now() > watchHealth.quietAfter;
      const body = {
        cluster: source,
        source,
        version: opts.version,
        podsWatched: outbox.pods,
        inSync: outbox.inSync && watching && !opts.namespaces?.length,
      };
      const out = await transport.post(
        '/api/v1/agents/heartbeat',
        JSON.stringify(body),
        undefined,
        stop.signal,
      );
      stats.bytesSent += out.sentBytes;
      if (out.kind === 'ok') {
        stats.heartbeats++;
        failing = false;
      } else if (out.kind === 'auth') throw tokenError(out.status, out.message, opts.server, source);
      else if (!failing) {
        failing = true;
        logger.warn('agent heartbeat not taken', {
          cluster: source,
          reason: out.kind === 'retry' ? out.reason : `${out.status}: ${out.message}`,
        });
      }
    }
  }

  await Promise.all(tasks);
  opts.signal.removeEventListener('abort', onAbort);
  if (failure) throw failure;
  return live();
}

export interface SenderOptions {
  clock: AgentClock;
  logger: Logger;
  backoff?: BackoffOptions | undefined;
  signal: AbortSignal;
  stats: AgentStats;
  cluster: string;
}

/**
 * Sends the outbox's batches one after another until `signal` aborts: retried batches keep their
 * id and body; the wait between attempts is the server's Retry-After, else the backoff.
 */
export async function runSender(
  outbox: Outbox,
  transport: Transport,
  path: string,
  opts: SenderOptions,
): Promise<void> {
  const { clock, logger, signal, stats } = opts;
  let attempt = 0;
  let failingSince: number | undefined;
  while (!signal.aborted) {
    const batch: Batch | undefined = outbox.next();
    if (!batch) {
      await outbox.wait(signal);
      continue;
    }
    const out = await transport.post(path, batch.json, batch.id, signal);
    if (signal.aborted) break;
    stats.bytesSent += out.sentBytes;
    if (out.kind === 'ok') {
      outbox.ack(batch);
      stats.batchesSent++;
      if (batch.type === 'full') stats.fullListsSent++;
      if (out.replayed) stats.replayed++;
      stats.jsonBytesTaken += Buffer.byteLength(batch.json);
      stats.lastSuccessAt = clock.now();
      if (failingSince !== undefined)
        logger.info('server answers again; sending what waited', {
          cluster: opts.cluster,
          awaySeconds: Math.round((clock.now() - failingSince) / 1000),
          ...outbox.queued,
        });
      failingSince = undefined;
      attempt = 0;
      continue;
    }
    if (out.kind === 'auth') throw tokenError(out.status, out.message, '', opts.cluster);
    if (out.kind === 'refused') {
      logger.error('server refused a batch', {
        cluster: opts.cluster,
        type: batch.type,
        batchId: batch.id,
        status: out.status,
        message: out.message,
      });
      if (batch.type === 'full')
        throw new AgentRefusedError(
          `the server refused the full list of ${batch.items} containers (${out.status}: ${out.message})`,
        );
      outbox.reject(batch);
      continue;
    }
    stats.retries++;
    if (failingSince === undefined) {
      failingSince = clock.now();
      logger.warn('server unreachable; buffering and retrying', {
        cluster: opts.cluster,
        reason: out.reason,
      });
    } else logger.debug('retrying', { cluster: opts.cluster, reason: out.reason, attempt });
    const delay = out.afterMs ?? backoffDelay(attempt, clock.random, opts.backoff ?? DEFAULT_BACKOFF);
    attempt++;
    await clock.sleep(delay, signal);
  }
}

function tokenError(status: number, message: string, server: string, cluster: string): AgentTokenError {
  return new AgentTokenError(
    status === 401
      ? `the server${server ? ` ${server}` : ''} refused the agent's token (401: ${message}): check --token/--token-file/RUNSIGHT_TOKEN (create one with: runsight token create --role operator --scope cluster=${cluster})`
      : `the agent's token may not push cluster ${cluster} (403: ${message}): it needs role operator and scope cluster=${cluster}`,
  );
}

/** Every figure at zero (or none): where a run starts. */
export function newStats(): AgentStats {
  return {
    batchesSent: 0,
    fullListsSent: 0,
    bytesSent: 0,
    jsonBytesTaken: 0,
    retries: 0,
    replayed: 0,
    bufferDrops: 0,
    heartbeats: 0,
    lastSuccessAt: null,
    queuedBatches: 0,
    queuedBytes: 0,
    pods: 0,
  };
}
