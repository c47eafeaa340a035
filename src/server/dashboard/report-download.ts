// GET /reports/download on the dashboard: the scope report of the posture page's filters (cluster,
// namespace, by) as an HTML or CSV attachment, for a browser signed in with the session cookie (the
// API's /api/v1/reports wants a bearer token). The caller's scope is narrowed as the API does.

import { ApiError } from '../errors.js';
import { requestedScope, scopeReportResponse } from '../routes/reports.js';
import { href } from './html.js';
import { type PageContext, PageInputError } from './page-context.js';

export const REPORT_DOWNLOAD_PATH = '/reports/download';

const BY = ['namespace', 'workload', 'owner', 'cluster', 'environment'] as const;
type By = (typeof BY)[number];

/** The download link of the posture page's filters. */
export function reportDownloadHref(
  format: 'html' | 'csv',
  f: { by?: string | undefined; cluster?: string | null | undefined; namespace?: string | null | undefined },
): string {
  return href(REPORT_DOWNLOAD_PATH, {
    format,
    by: BY.includes(f.by as By) ? f.by : undefined,
    cluster: f.cluster,
    namespace: f.namespace,
  });
}

export async function reportDownload(ctx: PageContext): Promise<Response> {
  const q = ctx.url.searchParams;
  const format = q.get('format') ?? 'html';
  if (format !== 'html' && format !== 'csv') throw new PageInputError('format must be html or csv');
  const by = q.get('by') ?? 'namespace';
  if (!BY.includes(by as By)) throw new PageInputError(`by must be one of ${BY.join(', ')}`);
  const items: string[] = [];
  for (const kind of ['cluster', 'namespace'] as const) {
    const v = q.get(kind);
    if (v) items.push(`${kind}=${v}`);
  }
  let scope: ReturnType<typeof requestedScope>;
  try {
    scope = requestedScope(ctx.principal, items);
  } catch (err) {
    if (err instanceof ApiError) throw new PageInputError(err.message);
    throw err;
  }
  return scopeReportResponse(ctx.deps, { scope, by: by as By, format, now: ctx.now });
}
