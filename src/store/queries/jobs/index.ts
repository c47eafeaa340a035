// Store queries of the scheduler and workers (src/jobs): pg-boss's database adapter, the job list,
// last runs per kind and per-registry concurrency slots.
export * from './execute-sql.js';
export * from './job-lease.js';
export * from './job-runs.js';
export * from './list-jobs.js';
export * from './registry-slots.js';
export * from './scheduler-guard.js';
