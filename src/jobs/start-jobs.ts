// Everything background in one call, for `runsight serve` and `runsight worker`: opens the queue,
// starts a worker over the stage handlers and, unless told not to, the scheduler of the cadences.
// On PGlite this is the whole job system, inside the one process.

import { type StageDeps, stageHandlers } from './handlers/stage-handlers.js';
import type { Cadences } from './kinds.js';
import { openJobQueue, type QueueOptions, queueOptionsFromEnv } from './queue.js';
import { jobHistoryDays, retentionConfigured } from './retention.js';
import { startScheduler } from './scheduler.js';
import { startWorker } from './worker.js';

export interface JobsDeps extends Omit<StageDeps, 'queue'> {
  cadence: Cadences;
  /** Run the cadences here (serve: yes; a worker: only when asked). */
  schedule: boolean;
  /** Scans at once in this process. */
  concurrency?: number | undefined;
  queueOptions?: Omit<QueueOptions, 'logger'> | undefined;
}

export async function startJobs(deps: JobsDeps): Promise<{ stop(): Promise<void> }> {
  const queue = await openJobQueue(deps.store, {
    historyDays: jobHistoryDays(deps.retention),
    ...queueOptionsFromEnv(deps.env),
    ...deps.queueOptions,
    logger: deps.logger,
  });
  const handlers = stageHandlers({ ...deps, queue });
  const worker = await startWorker({
    store: deps.store,
    queue,
    handlers,
    concurrency: deps.concurrency,
    logger: deps.logger,
  });
  const scheduler = deps.schedule
    ? startScheduler({
        store: deps.store,
        queue,
        cadence: deps.cadence,
        reports: deps.reports,
        logger: deps.logger,
        notifications: (deps.notifications?.length ?? 0) > 0,
        retention: retentionConfigured(deps.retention),
        imports: deps.imports,
      })
    : undefined;
  return {
    async stop() {
      await scheduler?.stop();
      await worker.stop();
    },
  };
}
