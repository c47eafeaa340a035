// Store queries of the reports stage (src/reports): finding rows a page at a time, the vulnerability
// ids of a scope, and the scheduled report runs (migration 020).
export * from './finding-rows.js';
export * from './report-runs.js';
