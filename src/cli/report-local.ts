// `runsight report` on the local store: the scope report (or, with --image, the per-image document)
// written chunk by chunk to `write` — CSV finding rows stream from the store without being held in
// memory. `localReport` buffers the same output for the reader interface (remote parity).
import { parseScope } from '../core/access.js';
import { UsageError } from '../core/errors.js';
import {
  adHocFilename,
  CONTENT_TYPES,
  CSV_ROWS,
  type CsvRows,
  IMAGE_REPORT_FORMATS,
  type ImageReportFormat,
  renderImageReport,
  SCOPE_REPORT_FORMATS,
  type ScopeReportFormat,
  writeScopeReport,
} from '../reports/index.js';
import type { ReportBody, ReportParams } from '../server/client.js';
import { getSetting, type Store } from '../store/index.js';
import type { PostureBy } from '../views/index.js';
import type { CliContext } from './context.js';
import { postureConfig } from './posture-format.js';

export const REPORT_BY: readonly PostureBy[] = ['namespace', 'workload', 'owner', 'cluster', 'environment'];

/** Checks the flags of a report request; the errors name the flag and the choices. */
export function checkReportParams(q: ReportParams): void {
  parseScope(q.scope);
  if (q.image !== undefined) {
    if (!IMAGE_REPORT_FORMATS.includes(q.format as ImageReportFormat))
      throw new UsageError(
        `report --image needs --format ${IMAGE_REPORT_FORMATS.join('|')}, got "${q.format}"`,
      );
    if (q.by !== undefined || q.rows !== undefined || q.bom)
      throw new UsageError('report --image takes no --by, --csv-rows or --bom (they shape scope reports)');
    return;
  }
  if (!SCOPE_REPORT_FORMATS.includes(q.format as ScopeReportFormat))
    throw new UsageError(
      `report needs --format ${SCOPE_REPORT_FORMATS.join('|')} (or --image REF with --format ${IMAGE_REPORT_FORMATS.join('|')}), got "${q.format}"`,
    );
  if (q.by !== undefined && !REPORT_BY.includes(q.by as PostureBy))
    throw new UsageError(`--by expects one of ${REPORT_BY.join(', ')}, got "${q.by}"`);
  if (q.rows !== undefined && !CSV_ROWS.includes(q.rows as CsvRows))
    throw new UsageError(`--csv-rows expects one of ${CSV_ROWS.join(', ')}, got "${q.rows}"`);
  if (q.format !== 'csv' && (q.rows !== undefined || q.bom))
    throw new UsageError('--csv-rows and --bom apply to --format csv only');
}

/** Writes the report of `q` to `write`; returns its content type and suggested file name. */
export async function writeLocalReport(
  store: Store,
  ctx: CliContext,
  q: ReportParams,
  write: (chunk: string) => void | Promise<void>,
): Promise<Omit<ReportBody, 'body'>> {
  checkReportParams(q);
  const scope = parseScope(q.scope);
  const config = postureConfig(ctx);
  const now = new Date();
  if (q.image !== undefined) {
    const configured =
      config.authoritativeSource ?? (await getSetting<string>(store, 'posture.authoritativeSource'));
    const doc = await renderImageReport(store, q.image, q.format as ImageReportFormat, {
      scope,
      authoritativeSource: configured,
      now,
    });
    await write(doc.body);
    return { contentType: doc.contentType, filename: doc.filename };
  }
  const opts = {
    scope,
    by: q.by as PostureBy | undefined,
    format: q.format as ScopeReportFormat,
    csvRows: q.rows as CsvRows | undefined,
    bom: q.bom,
    now,
    signal: ctx.signal,
  };
  await writeScopeReport(store, opts, config, write);
  return { contentType: CONTENT_TYPES[opts.format], filename: adHocFilename(opts, now) };
}

export async function localReport(store: Store, ctx: CliContext, q: ReportParams): Promise<ReportBody> {
  let body = '';
  const meta = await writeLocalReport(store, ctx, q, (chunk) => {
    body += chunk;
  });
  return { ...meta, body };
}
