// reports.run: writes and/or delivers the configured reports that are due (config `reports:`,
// docs/reports.md "Scheduled reports"); each run is recorded in report_runs, which is also what
// the scheduler reads to know the next one is due. A report that fails (its directory, its webhook)
// is recorded as failed with the reason and tried again at its next cadence; the others still run.
import { runDueReports } from '../../reports/index.js';
import type { Job } from '../kinds.js';
import type { StageDeps } from './stage-deps.js';

export async function runReportsJob(deps: StageDeps, _job: Job, signal: AbortSignal) {
  const results = await runDueReports(deps.reports ?? [], {
    store: deps.store,
    posture: deps.posture,
    outbound: deps.outbound,
    logger: deps.logger,
    signal,
  });
  return {
    reports: results.map((r) => ({
      name: r.name,
      outcome: r.outcome,
      file: r.file,
      delivered: r.delivered,
      error: r.error,
    })),
  };
}
