// Public API of the scheduler and workers: job kinds and cadences, the queue (pg-boss on PostgreSQL
// and PGlite), the scheduler, the worker, the stage handlers and `jobs run`. docs/operations.md.
export {
  type DirectoryImportConfig,
  type DirectoryImportJob,
  directoryImportJobs,
  SETTLE_MS,
} from './handlers/imports-directory.js';
export {
  type TrivyOperatorImportConfig,
  trivyOperatorClusterName,
  trivyOperatorImportJobs,
} from './handlers/imports-trivy-operator.js';
export {
  type ImportsConfig,
  type InventorySources,
  type StageDeps,
  stageHandlers,
} from './handlers/stage-handlers.js';
export {
  CADENCE_KINDS,
  type CadenceName,
  type Cadences,
  DEFAULT_IMPORTS_CADENCE,
  IMPORT_KINDS,
  isJobKind,
  JOB_KINDS,
  type Job,
  type JobKind,
} from './kinds.js';
export {
  DEFAULT_LEASE_SECONDS,
  DEFAULT_TIME_LIMIT_SECONDS,
  type JobHandler,
  type JobQueue,
  openJobQueue,
  type QueueOptions,
  queueOptionsFromEnv,
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
  importsIntervalMs,
  MAX_LOOK_MS,
  MIN_LOOK_MS,
  nextLookDelay,
  retentionDue,
  type Scheduler,
  type SchedulerDeps,
  startScheduler,
} from './scheduler.js';
export { type JobsDeps, startJobs } from './start-jobs.js';
export { type JobHandlers, runJob, startWorker, stopWorker, type Worker, type WorkerDeps } from './worker.js';
