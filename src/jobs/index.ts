// Public API of the scheduler and workers: job kinds and cadences, the queue (pg-boss on PostgreSQL
// and PGlite), the scheduler, the worker, the stage handlers and `jobs run`. docs/operations.md.
export { type InventorySources, type StageDeps, stageHandlers } from './handlers/stage-handlers.js';
export {
  CADENCE_KINDS,
  type CadenceName,
  type Cadences,
  isJobKind,
  JOB_KINDS,
  type Job,
  type JobKind,
} from './kinds.js';
export {
  DEFAULT_LEASE_SECONDS,
  type JobHandler,
  type JobQueue,
  openJobQueue,
  type QueueOptions,
} from './queue.js';
export {
  jobHistoryDays,
  type RetentionConfig,
  type RetentionResult,
  retentionConfigured,
  runRetention,
} from './retention.js';
export { type RunNowDeps, runJobNow } from './run-now.js';
export {
  type CadenceState,
  cadenceStates,
  dueKinds,
  retentionDue,
  type Scheduler,
  type SchedulerDeps,
  startScheduler,
} from './scheduler.js';
export { type JobsDeps, startJobs } from './start-jobs.js';
export { type JobHandlers, runJob, startWorker, stopWorker, type Worker, type WorkerDeps } from './worker.js';
