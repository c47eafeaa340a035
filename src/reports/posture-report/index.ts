// Scope reports (docs/reports.md "Scope reports: HTML, CSV, JSON" and "Scheduled reports"): the
// document over a scope, its HTML / CSV / JSON renderings, streamed finding rows, the scope
// narrowing rule of the API and the scheduled runs that record what the next report compares with.
export { buildScopeReport, runSummary, type ScopeReportOptions } from './build.js';
export { changesSince, type RunSummary } from './changes.js';
export {
  CSV_ROWS,
  type CsvRows,
  FINDING_ROW_HEADER,
  renderScopeRowsCsv,
  writeFindingRowsCsv,
} from './csv.js';
export type { ScopeReport, ScopeReportChanges, ScopeReportTrend, TrendPoint } from './document.js';
export { renderScopeReportHtml } from './html.js';
export { renderScopeReportJson } from './json.js';
export {
  adHocFilename,
  CONTENT_TYPES,
  reportFilename,
  SCOPE_REPORT_FORMATS,
  type ScopeReportFormat,
  type WriteScopeReportOptions,
  writeScopeReport,
} from './render.js';
export {
  dueReports,
  dueScheduledReports,
  runDueReports,
  runScheduledReport,
  type ScheduledRunResult,
  writeAtomically,
} from './scheduled.js';
export { narrowScope, scopeKey } from './scope.js';
