// Scheduled reports (config `reports:`, docs/reports.md "Scheduled reports"): which are due (each
// report's last run in report_runs against its cadence), and running one — build it, write it into
// its directory atomically (a temp file renamed to `<name>-<UTC timestamp>.<ext>`) and/or POST it to
// its webhook through the outbound guard, then record the run (totals and vulnerability ids) so the
// next report of the same scope shows what changed. The only writer of report_runs.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scopeFromConfig } from '../../core/access.js';
import { durationToMs } from '../../core/duration.js';
import type { Logger } from '../../core/logger.js';
import type { PostureConfig } from '../../propagation/index.js';
import { lastReportRunTimes, recordReportRun, type Store } from '../../store/index.js';
import type { OutboundConfig, ScheduledReportConfig } from '../config.js';
import { type OutboundRequest, postOutbound } from '../outbound.js';
import { runSummary } from './build.js';
import { CONTENT_TYPES, reportFilename, writeScopeReport } from './render.js';
import { scopeKey } from './scope.js';

/** The configured reports due at `now`: never run, or their cadence elapsed since their last run. */
export function dueReports(
  reports: readonly ScheduledReportConfig[],
  lastRuns: ReadonlyMap<string, Date>,
  now: Date,
): ScheduledReportConfig[] {
  return reports.filter((r) => {
    const ms = durationToMs(r.cadence);
    if (!ms) return false;
    const last = lastRuns.get(r.name);
    return !last || last.getTime() + ms <= now.getTime();
  });
}

/** The configured reports due now (reads report_runs). */
export async function dueScheduledReports(
  store: Store,
  reports: readonly ScheduledReportConfig[],
  now: Date,
): Promise<ScheduledReportConfig[]> {
  if (!reports.length) return [];
  return dueReports(
    reports,
    await lastReportRunTimes(
      store,
      reports.map((r) => r.name),
    ),
    now,
  );
}

export interface ScheduledRunDeps {
  store: Store;
  posture: PostureConfig;
  outbound?: OutboundConfig | undefined;
  logger: Logger;
  signal?: AbortSignal | undefined;
  now?: Date | undefined;
  /** The delivery (tests inject one); default postOutbound. */
  post?: ((req: OutboundRequest) => Promise<{ status: number }>) | undefined;
}

export interface ScheduledRunResult {
  name: string;
  outcome: 'ok' | 'failed';
  file: string | null;
  delivered: boolean;
  error: string | null;
}

/** Runs one configured report now and records the run (also a failed one, with its reason). */
export async function runScheduledReport(
  report: ScheduledReportConfig,
  deps: ScheduledRunDeps,
): Promise<ScheduledRunResult> {
  const now = deps.now ?? new Date();
  const scope = scopeFromConfig(report.scope);
  const format = report.format ?? 'html';
  const key = scopeKey(scope);
  let body = '';
  let file: string | null = null;
  let delivered = false;
  try {
    const built = await writeScopeReport(
      deps.store,
      { scope, by: report.by, name: report.name, format, now, signal: deps.signal },
      deps.posture,
      (chunk) => {
        body += chunk;
      },
    );
    if (!built.report) throw new Error('a scheduled report builds its document');
    const filename = reportFilename(report.name, now, format);
    if (report.directory) file = await writeAtomically(report.directory, filename, body);
    if (report.webhook) {
      await (deps.post ?? postOutbound)({
        url: report.webhook.url,
        secret: report.webhook.secret,
        body,
        contentType: CONTENT_TYPES[format],
        outbound: deps.outbound,
        signal: deps.signal,
      });
      delivered = true;
    }
    await recordReportRun(deps.store, {
      name: report.name,
      scopeKey: key,
      ranAt: now,
      format,
      outcome: 'ok',
      error: null,
      summary: runSummary(built.report) as unknown as Record<string, unknown>,
      vulnerabilityIds: built.vulnerabilityIds,
    });
    deps.logger.info('scheduled report written', { name: report.name, file, delivered });
    return { name: report.name, outcome: 'ok', file, delivered, error: null };
  } catch (err) {
    if (deps.signal?.aborted) throw err;
    const error = err instanceof Error ? err.message : String(err);
    deps.logger.warn('scheduled report failed', { name: report.name, error });
    await recordReportRun(deps.store, {
      name: report.name,
      scopeKey: key,
      ranAt: now,
      format,
      outcome: 'failed',
      error: error.slice(0, 2000),
      summary: {},
      vulnerabilityIds: [],
    });
    return { name: report.name, outcome: 'failed', file, delivered, error };
  }
}

/** Writes `body` to `dir/filename` through a temp file in the same directory and a rename. */
export async function writeAtomically(dir: string, filename: string, body: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const target = join(dir, filename);
  const temp = join(dir, `.${filename}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, body, { mode: 0o640, flag: 'wx' });
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return target;
}

/** Runs every due report, one after the other. */
export async function runDueReports(
  reports: readonly ScheduledReportConfig[],
  deps: ScheduledRunDeps,
): Promise<ScheduledRunResult[]> {
  const now = deps.now ?? new Date();
  const out: ScheduledRunResult[] = [];
  for (const r of await dueScheduledReports(deps.store, reports, now)) {
    deps.signal?.throwIfAborted();
    out.push(await runScheduledReport(r, { ...deps, now }));
  }
  return out;
}
