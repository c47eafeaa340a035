// The job queue: pg-boss (schema `pgboss`) over the store's own connections, on PostgreSQL and on
// PGlite alike (ADR 0012). On PostgreSQL several processes on several hosts share it: a job runs
// once (SKIP LOCKED); each kind's queue policy keeps one key from running twice at once. A running
// job holds a lease that its worker renews while the handler runs (ADR 0018): a worker that dies
// (kill -9, a lost host) stops renewing, and pg-boss's maintenance in any live process puts the job
// back for another worker a lease later; a worker that finds its lease lost aborts the handler and
// leaves the job to the new holder. Past its kind's time limit a handler is aborted and the job
// failed (and retried). https://github.com/timgit/pg-boss/tree/10.4.2
import PgBoss from 'pg-boss';
import { type Logger, silentLogger } from '../core/logger.js';
import { renewJobLease, type Store, sqlExecutor } from '../store/index.js';
import { JOB_KINDS, type Job, type JobKind } from './kinds.js';

export interface QueueOptions {
  logger?: Logger | undefined;
  /** Run pg-boss's maintenance here: expire leases, retry, archive, delete history (default true). */
  supervise?: boolean | undefined;
  /** How often maintenance runs, once across all processes (default 20 s; tests use 1 s). */
  maintenanceIntervalSeconds?: number | undefined;
  /** How often an idle worker looks for a job (default 2 s). */
  pollingIntervalSeconds?: number | undefined;
  /**
   * The lease of a running job, per kind (default 60 s), renewed every third of it while the
   * handler runs: a job whose worker stopped renewing is retried about a lease later.
   */
  leaseSeconds?: Partial<Record<JobKind, number>> | undefined;
  /** How long one job of a kind may run before it is aborted and failed (DEFAULT_TIME_LIMIT_SECONDS). */
  timeLimitSeconds?: Partial<Record<JobKind, number>> | undefined;
  /** Attempts after the first (default 3), each after an exponential back-off from retryDelaySeconds. */
  retryLimit?: number | undefined;
  retryDelaySeconds?: number | undefined;
  /** How long finished jobs stay listed (default 7 days). */
  historyDays?: number | undefined;
}

/** The default lease of a running job, renewed while it runs (a crashed worker's job waits this long). */
export const DEFAULT_LEASE_SECONDS: Readonly<Record<JobKind, number>> = Object.fromEntries(
  JOB_KINDS.map((k) => [k, 60]),
) as Record<JobKind, number>;

/** The default time limits: how long one job of a kind may run before it is aborted and failed. */
export const DEFAULT_TIME_LIMIT_SECONDS: Readonly<Record<JobKind, number>> = {
  'inventory.collect': 15 * 60,
  'advisories.update': 2 * 3600,
  'scan.in-use': 15 * 60,
  'scan.image': 60 * 60,
  'posture.maintain': 60 * 60,
  'reports.run': 30 * 60,
  'notifications.evaluate': 15 * 60,
  'notifications.deliver': 5 * 60,
  'retention.run': 60 * 60,
  'imports.directory': 30 * 60,
  'imports.trivy-operator': 30 * 60,
};

const ENV_SECONDS = {
  RUNSIGHT_JOBS_LEASE_SECONDS: 'lease',
  RUNSIGHT_JOBS_MAINTENANCE_SECONDS: 'maintenance',
  RUNSIGHT_JOBS_POLL_SECONDS: 'poll',
  RUNSIGHT_JOBS_RETRY_DELAY_SECONDS: 'retry',
} as const;

/**
 * The queue's timings from the environment (docs/operations.md#workers): RUNSIGHT_JOBS_LEASE_SECONDS
 * (every kind's lease), RUNSIGHT_JOBS_MAINTENANCE_SECONDS, RUNSIGHT_JOBS_POLL_SECONDS,
 * RUNSIGHT_JOBS_RETRY_DELAY_SECONDS. A value that is not a positive number is an error.
 */
export function queueOptionsFromEnv(env: NodeJS.ProcessEnv): Omit<QueueOptions, 'logger'> {
  const got: Partial<Record<(typeof ENV_SECONDS)[keyof typeof ENV_SECONDS], number>> = {};
  for (const [name, what] of Object.entries(ENV_SECONDS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0)
      throw new Error(`${name} must be a positive number of seconds, not ${raw}`);
    got[what] = n;
  }
  const o: Omit<QueueOptions, 'logger'> = {};
  if (got.lease) o.leaseSeconds = Object.fromEntries(JOB_KINDS.map((k) => [k, got.lease!]));
  if (got.maintenance) o.maintenanceIntervalSeconds = got.maintenance;
  if (got.poll) o.pollingIntervalSeconds = got.poll;
  if (got.retry) o.retryDelaySeconds = got.retry;
  return o;
}

/** A handler as the queue runs it: its signal aborts when the lease is lost or the time limit passes. */
export type JobHandler = (job: Job, signal: AbortSignal) => Promise<unknown>;

export interface JobQueue {
  /** Queues a job; its id, or null when the kind's policy refused it (one like it is already queued). */
  send(
    kind: JobKind,
    data: Record<string, unknown>,
    opts?: { key?: string | undefined },
  ): Promise<string | null>;
  /** Runs `handler` for jobs of `kind`, up to `concurrency` at once in this process, each under a renewed lease. */
  work(kind: JobKind, concurrency: number, handler: JobHandler): Promise<void>;
  /** Takes the next queued job of `kind` now (for `jobs run`), or null. */
  fetch(kind: JobKind): Promise<Job | null>;
  complete(kind: JobKind, id: string, output?: unknown): Promise<void>;
  fail(kind: JobKind, id: string, error: Error): Promise<void>;
  /** A job's queue state (pg-boss's names), or null when it is gone. */
  stateOf(kind: JobKind, id: string): Promise<string | null>;
  /** Stops taking jobs; waits up to `timeoutMs` (default 30 s) for the running ones. */
  stop(opts?: { timeoutMs?: number | undefined }): Promise<void>;
}

const sleep = (ms: number, wake: { fn?: (() => void) | undefined }) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    wake.fn = () => {
      clearTimeout(t);
      resolve();
    };
  });

export async function openJobQueue(store: Store, opts: QueueOptions = {}): Promise<JobQueue> {
  const logger = opts.logger ?? silentLogger;
  const boss = new PgBoss({
    db: sqlExecutor(store),
    schema: 'pgboss',
    supervise: opts.supervise ?? true,
    schedule: false,
    maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 20,
    deleteAfterDays: opts.historyDays ?? 7,
  } as PgBoss.ConstructorOptions);
  boss.on('error', (err: Error) => logger.warn('job queue error', { error: err.message }));
  await boss.start();
  const lease = (kind: JobKind) => opts.leaseSeconds?.[kind] ?? DEFAULT_LEASE_SECONDS[kind];
  const limit = (kind: JobKind) => opts.timeLimitSeconds?.[kind] ?? DEFAULT_TIME_LIMIT_SECONDS[kind];
  // Several processes starting on a fresh database create the same queues at once: the loser of
  // that race (a unique violation, or a deadlock between two create_queue) tries again and finds
  // the queues made by the winner.
  const setUpQueues = async () => {
    const existing = new Set((await boss.getQueues()).map((q) => q.name));
    for (const kind of JOB_KINDS) {
      const options = {
        name: kind,
        // One queued and one active job per key at most (scan.image: per digest; others: per kind).
        policy: 'stately',
        retryLimit: opts.retryLimit ?? 3,
        retryDelay: opts.retryDelaySeconds ?? 30,
        retryBackoff: true,
        // The lease a fetched job starts with; its worker renews it (renewJobLease) while it runs.
        expireInSeconds: Math.ceil(lease(kind)),
      } as const;
      if (!existing.has(kind)) {
        try {
          await boss.createQueue(kind, options);
        } catch (err) {
          if (!(await boss.getQueue(kind))) throw err;
        }
      }
      await boss.updateQueue(kind, options); // a queue made by an older version takes today's settings
    }
  };
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await setUpQueues();
        break;
      } catch (err) {
        if (attempt >= 5) throw err;
        logger.warn('job queue setup raced another process; trying again', { error: (err as Error).message });
        await new Promise((r) => setTimeout(r, 200 + Math.random() * 800));
      }
    }
  } catch (err) {
    await boss.stop({ graceful: false, wait: false, close: false }).catch(() => {});
    throw err;
  }
  const polling = (opts.pollingIntervalSeconds ?? 2) * 1000;
  const toJob = (kind: JobKind, j: PgBoss.Job<Record<string, unknown>>): Job => ({
    id: j.id,
    kind,
    key: typeof j.data?.key === 'string' ? j.data.key : null,
    data: j.data ?? {},
  });

  let stopping = false;
  const loops: Promise<void>[] = [];
  const wakes: { fn?: (() => void) | undefined }[] = [];

  /** Renews the lease of a job this process holds every third of it; stop() ends it. */
  function holdLease(
    kind: JobKind,
    id: string,
    startedOn: Date,
    onLost: () => void,
  ): { renew(): Promise<boolean>; stop(): void } {
    const leaseS = lease(kind);
    let lost = false;
    const renew = async () => {
      if (lost) return false;
      try {
        if (await renewJobLease(store, kind, id, startedOn, Math.ceil(leaseS))) return true;
      } catch (err) {
        // The database is unreachable: keep working; the renewal after next may get through.
        logger.warn('job lease renewal failed', { id, kind, error: (err as Error).message });
        return true;
      }
      lost = true;
      logger.warn('job lease lost: left to the worker that holds it now', { id, kind });
      onLost();
      return false;
    };
    const beat = setInterval(() => void renew(), Math.max(200, (leaseS * 1000) / 3));
    return { renew, stop: () => clearInterval(beat) };
  }
  /** Leases held for jobs taken by fetch() (`jobs run`), until complete() or fail(). */
  const fetched = new Map<string, { stop(): void }>();

  /** Runs one fetched job under its lease; completes or fails it unless the lease was lost. */
  async function runLeased(
    kind: JobKind,
    j: PgBoss.JobWithMetadata<Record<string, unknown>>,
    handler: JobHandler,
  ): Promise<void> {
    const ac = new AbortController();
    const held = holdLease(kind, j.id, new Date(j.startedOn), () =>
      ac.abort(new Error('job lease lost (expired and handed to another worker)')),
    );
    const limitS = limit(kind);
    const limiter = setTimeout(
      () => ac.abort(new Error(`job ran past its time limit of ${limitS} s`)),
      limitS * 1000,
    );
    try {
      let output: unknown;
      let error: Error | undefined;
      try {
        output = await handler(toJob(kind, j), ac.signal);
      } catch (err) {
        error = err instanceof Error ? err : new Error(String(err));
      }
      held.stop();
      // A last check that this attempt still holds the job: one that expired and was taken again
      // belongs to its new holder, whose completion counts.
      if (!(await held.renew())) return;
      if (error) await boss.fail(kind, j.id, { message: error.message });
      else await boss.complete(kind, j.id, { result: output ?? null });
    } finally {
      held.stop();
      clearTimeout(limiter);
    }
  }

  async function loop(kind: JobKind, handler: JobHandler): Promise<void> {
    const wake: { fn?: (() => void) | undefined } = {};
    wakes.push(wake);
    while (!stopping) {
      let jobs: PgBoss.JobWithMetadata<Record<string, unknown>>[] = [];
      try {
        jobs = await boss.fetch<Record<string, unknown>>(kind, { batchSize: 1, includeMetadata: true });
      } catch (err) {
        logger.warn('job fetch failed', { kind, error: (err as Error).message });
      }
      const j = jobs[0];
      if (!j) {
        if (!stopping) await sleep(polling, wake);
        continue;
      }
      try {
        await runLeased(kind, j, handler);
      } catch (err) {
        logger.warn('job completion not recorded', { id: j.id, kind, error: (err as Error).message });
      }
    }
  }

  return {
    async send(kind, data, o = {}) {
      return boss.send(kind, o.key ? { ...data, key: o.key } : data, o.key ? { singletonKey: o.key } : {});
    },
    async work(kind, concurrency, handler) {
      for (let i = 0; i < concurrency; i++) loops.push(loop(kind, handler));
    },
    async fetch(kind) {
      const jobs = await boss.fetch<Record<string, unknown>>(kind, { includeMetadata: true });
      const j = jobs[0];
      if (!j) return null;
      fetched.set(
        j.id,
        holdLease(kind, j.id, new Date(j.startedOn), () => {}),
      );
      return toJob(kind, j);
    },
    async complete(kind, id, output) {
      fetched.get(id)?.stop();
      fetched.delete(id);
      await boss.complete(kind, id, { result: output ?? null });
    },
    async fail(kind, id, error) {
      fetched.get(id)?.stop();
      fetched.delete(id);
      await boss.fail(kind, id, { message: error.message });
    },
    async stateOf(kind, id) {
      return (await boss.getJobById(kind, id))?.state ?? null;
    },
    async stop(o = {}) {
      stopping = true;
      for (const w of wakes) w.fn?.();
      const timeout = o.timeoutMs ?? 30_000;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(loops),
        new Promise((r) => {
          timer = setTimeout(r, timeout);
        }),
      ]);
      clearTimeout(timer);
      for (const h of fetched.values()) h.stop();
      fetched.clear();
      await boss.stop({ graceful: true, wait: true, close: false, timeout });
    },
  };
}
