// The worker: takes jobs of every kind it has a handler for from the queue and runs them, each
// start and finish recorded per kind (store job_runs: what the scheduler and `validate` read). A
// failed job keeps its error in the queue and is retried after a back-off. stopWorker stops taking
// jobs and waits for the running ones; past the grace period their signal is aborted, as it is
// when the queue finds a job's lease lost or its time limit passed (queue.ts).
import { type Logger, silentLogger } from '../core/logger.js';
// The hook module alone (no Prometheus client): a job process loads it only to serve metrics.
import { noteJobRun } from '../reports/metrics/job-events.js';
import { recordJobFinished, recordJobStarted, type Store } from '../store/index.js';
import { JOB_KINDS, type Job, type JobKind } from './kinds.js';
import type { JobHandler, JobQueue } from './queue.js';

export type JobHandlers = Partial<Record<JobKind, JobHandler>>;

export interface WorkerDeps {
  store: Store;
  queue: JobQueue;
  handlers: JobHandlers;
  /** Scans at once in this process (default 2); the other kinds run one at a time per process. */
  concurrency?: number | undefined;
  logger?: Logger | undefined;
  /** How long a stop waits for running jobs before aborting them (default 30 s). */
  graceMs?: number | undefined;
}

export interface Worker {
  stop(): Promise<void>;
}

/** Runs one job through its handler, recording its start and its outcome for its kind. */
export async function runJob(
  deps: Pick<WorkerDeps, 'store' | 'handlers' | 'logger'>,
  job: Job,
  signal: AbortSignal,
): Promise<unknown> {
  const handler = deps.handlers[job.kind];
  if (!handler) throw new Error(`no handler for job kind ${job.kind} in this process`);
  const logger = deps.logger ?? silentLogger;
  await recordJobStarted(deps.store, job.kind, new Date());
  logger.info('job started', { id: job.id, kind: job.kind, key: job.key });
  const started = performance.now();
  const took = () => (performance.now() - started) / 1000;
  try {
    const out = await handler(job, signal);
    await recordJobFinished(deps.store, job.kind, new Date());
    noteJobRun({ kind: job.kind, ok: true, seconds: took() });
    logger.info('job completed', { id: job.id, kind: job.kind, key: job.key });
    return out;
  } catch (err) {
    const message = (err as Error)?.message ?? String(err);
    noteJobRun({ kind: job.kind, ok: false, seconds: took() });
    await recordJobFinished(deps.store, job.kind, new Date(), message).catch(() => {});
    logger.warn('job failed', { id: job.id, kind: job.kind, key: job.key, error: message });
    throw err instanceof Error ? err : new Error(message);
  }
}

export async function startWorker(deps: WorkerDeps): Promise<Worker> {
  const abort = new AbortController();
  for (const kind of JOB_KINDS) {
    if (!deps.handlers[kind]) continue;
    const n = kind === 'scan.image' ? Math.max(1, deps.concurrency ?? 2) : 1;
    await deps.queue.work(kind, n, (job, leaseSignal) =>
      runJob(deps, job, AbortSignal.any([abort.signal, leaseSignal])),
    );
  }
  (deps.logger ?? silentLogger).info('worker started', {
    kinds: JOB_KINDS.filter((k) => deps.handlers[k]),
  });
  return {
    async stop() {
      const grace = deps.graceMs ?? 30_000;
      const timer = setTimeout(() => abort.abort(new Error('worker stopping')), grace);
      try {
        await deps.queue.stop({ timeoutMs: grace + 5_000 });
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export function stopWorker(worker: Worker): Promise<void> {
  return worker.stop();
}
