// The job queue: pg-boss (schema `pgboss`) over the store's own connections, on PostgreSQL and on
// PGlite alike (ADR 0012). On PostgreSQL several processes on several hosts share it: a job runs
// once (SKIP LOCKED), a crashed worker's job is retried once its lease (pg-boss's expiration) runs
// out, and each kind's queue policy keeps one key from running twice at once. On PGlite the one
// process that holds the data directory runs it all. https://github.com/timgit/pg-boss/tree/10.4.2
import PgBoss from 'pg-boss';
import { type Logger, silentLogger } from '../core/logger.js';
import { type Store, sqlExecutor } from '../store/index.js';
import { JOB_KINDS, type Job, type JobKind } from './kinds.js';

export interface QueueOptions {
  logger?: Logger | undefined;
  /** Run pg-boss's maintenance here: expire leases, retry, archive, delete history (default true). */
  supervise?: boolean | undefined;
  /** How often maintenance runs (default 60 s; tests use 1 s). */
  maintenanceIntervalSeconds?: number | undefined;
  /** How often an idle worker looks for a job (default 2 s). */
  pollingIntervalSeconds?: number | undefined;
  /** The lease of an active job, per kind: past it, the job counts as crashed and is retried. */
  leaseSeconds?: Partial<Record<JobKind, number>> | undefined;
  /** Attempts after the first (default 3), each after an exponential back-off from retryDelaySeconds. */
  retryLimit?: number | undefined;
  retryDelaySeconds?: number | undefined;
  /** How long finished jobs stay listed (default 7 days). */
  historyDays?: number | undefined;
}

/** The default leases: how long one job of a kind may take before it counts as crashed. */
export const DEFAULT_LEASE_SECONDS: Readonly<Record<JobKind, number>> = {
  'inventory.collect': 15 * 60,
  'advisories.update': 2 * 3600,
  'scan.in-use': 15 * 60,
  'scan.image': 60 * 60,
  'posture.maintain': 60 * 60,
  'reports.run': 30 * 60,
  'notifications.evaluate': 15 * 60,
  'notifications.deliver': 5 * 60,
  'retention.run': 60 * 60,
};

export type JobHandler = (job: Job, signal: AbortSignal) => Promise<unknown>;

export interface JobQueue {
  /** Queues a job; its id, or null when the kind's policy refused it (one like it is already queued). */
  send(
    kind: JobKind,
    data: Record<string, unknown>,
    opts?: { key?: string | undefined },
  ): Promise<string | null>;
  /** Runs `handler` for jobs of `kind`, up to `concurrency` at once in this process. */
  work(kind: JobKind, concurrency: number, handler: (job: Job) => Promise<unknown>): Promise<void>;
  /** Takes the next queued job of `kind` now (for `jobs run`), or null. */
  fetch(kind: JobKind): Promise<Job | null>;
  complete(kind: JobKind, id: string, output?: unknown): Promise<void>;
  fail(kind: JobKind, id: string, error: Error): Promise<void>;
  /** A job's queue state (pg-boss's names), or null when it is gone. */
  stateOf(kind: JobKind, id: string): Promise<string | null>;
  /** Stops taking jobs; waits up to `timeoutMs` (default 30 s) for the running ones. */
  stop(opts?: { timeoutMs?: number | undefined }): Promise<void>;
}

export async function openJobQueue(store: Store, opts: QueueOptions = {}): Promise<JobQueue> {
  const logger = opts.logger ?? silentLogger;
  const boss = new PgBoss({
    db: sqlExecutor(store),
    schema: 'pgboss',
    supervise: opts.supervise ?? true,
    schedule: false,
    maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 60,
    deleteAfterDays: opts.historyDays ?? 7,
  } as PgBoss.ConstructorOptions);
  boss.on('error', (err: Error) => logger.warn('job queue error', { error: err.message }));
  await boss.start();
  for (const kind of JOB_KINDS) {
    await boss.createQueue(kind, {
      name: kind,
      // One queued and one active job per key at most (scan.image: per digest; others: per kind).
      policy: 'stately',
      retryLimit: opts.retryLimit ?? 3,
      retryDelay: opts.retryDelaySeconds ?? 30,
      retryBackoff: true,
      expireInSeconds: opts.leaseSeconds?.[kind] ?? DEFAULT_LEASE_SECONDS[kind],
    });
  }
  const polling = opts.pollingIntervalSeconds ?? 2;
  const toJob = (kind: JobKind, j: PgBoss.Job<Record<string, unknown>>): Job => ({
    id: j.id,
    kind,
    key: typeof j.data?.key === 'string' ? j.data.key : null,
    data: j.data ?? {},
  });

  return {
    async send(kind, data, o = {}) {
      return boss.send(kind, o.key ? { ...data, key: o.key } : data, o.key ? { singletonKey: o.key } : {});
    },
    async work(kind, concurrency, handler) {
      for (let i = 0; i < concurrency; i++) {
        // pg-boss 10 waits out the polling interval after every fetch, also one that found a job:
        // a slot busy with a backlog would take one job per interval. After a batch that held
        // jobs the slot is woken to fetch again at once; only an empty fetch waits.
        let workerId: string | undefined;
        workerId = await boss.work<Record<string, unknown>>(
          kind,
          { pollingIntervalSeconds: polling },
          async (jobs) => {
            for (const j of jobs) await handler(toJob(kind, j));
            if (jobs.length && workerId) boss.notifyWorker(workerId);
          },
        );
      }
    },
    async fetch(kind) {
      const jobs = await boss.fetch<Record<string, unknown>>(kind);
      return jobs[0] ? toJob(kind, jobs[0]) : null;
    },
    async complete(kind, id, output) {
      await boss.complete(kind, id, { result: output ?? null });
    },
    async fail(kind, id, error) {
      await boss.fail(kind, id, { message: error.message });
    },
    async stateOf(kind, id) {
      return (await boss.getJobById(kind, id))?.state ?? null;
    },
    async stop(o = {}) {
      await boss.stop({ graceful: true, wait: true, close: false, timeout: o.timeoutMs ?? 30_000 });
    },
  };
}
