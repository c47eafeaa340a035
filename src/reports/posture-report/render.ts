// One entry for every face: builds the scope report in the asked format and hands it to `write`
// in chunks (the CLI writes a file or stdout, the API a response stream, the scheduler a temp
// file). CSV finding rows are streamed without building the document.
import type { PostureConfig } from '../../propagation/index.js';
import type { Store } from '../../store/index.js';
import { type BuiltScopeReport, buildScopeReport, type ScopeReportOptions } from './build.js';
import { type CsvRows, renderScopeRowsCsv, writeFindingRowsCsv } from './csv.js';
import { renderScopeReportHtml } from './html.js';
import { renderScopeReportJson } from './json.js';
import { scopeKey } from './scope.js';

export type ScopeReportFormat = 'html' | 'csv' | 'json';
export const SCOPE_REPORT_FORMATS: readonly ScopeReportFormat[] = ['html', 'csv', 'json'];

export interface WriteScopeReportOptions extends ScopeReportOptions {
  format: ScopeReportFormat;
  csvRows?: CsvRows | undefined;
  /** CSV only: a UTF-8 byte order mark first. */
  bom?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

export const CONTENT_TYPES: Record<ScopeReportFormat, string> = {
  html: 'text/html; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
  json: 'application/json; charset=utf-8',
};

/** `name-20261201T160400Z.html`: only letters, digits, `.`, `_`, `-` (safe in a header and on any file system). */
export function reportFilename(base: string, at: Date, format: ScopeReportFormat): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const safe =
    base
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+/, '')
      .slice(0, 80) || 'report';
  return `${safe}-${stamp}.${format}`;
}

/** The default file name of an ad-hoc report of `scope`. */
export function adHocFilename(
  opts: Pick<WriteScopeReportOptions, 'scope' | 'format' | 'csvRows'>,
  at: Date,
): string {
  const key = scopeKey(opts.scope).replace(/&/g, '_').replace(/=/g, '-');
  const rows = opts.format === 'csv' && opts.csvRows === 'finding' ? '-findings' : '';
  return reportFilename(`runsight-${key}${rows}`, at, opts.format);
}

/**
 * Writes the report; returns the document built (null for CSV finding rows, which build none) and
 * the vulnerability ids in scope (what a scheduled run records).
 */
export async function writeScopeReport(
  store: Store,
  opts: WriteScopeReportOptions,
  config: PostureConfig,
  write: (chunk: string) => void | Promise<void>,
): Promise<BuiltScopeReport | { report: null; rows: number }> {
  if (opts.format === 'csv' && opts.csvRows === 'finding') {
    const rows = await writeFindingRowsCsv(store, opts.scope, write, { bom: opts.bom, signal: opts.signal });
    return { report: null, rows };
  }
  const built = await buildScopeReport(store, opts, config);
  const r = built.report;
  await write(
    opts.format === 'json'
      ? renderScopeReportJson(r)
      : opts.format === 'html'
        ? renderScopeReportHtml(r)
        : renderScopeRowsCsv(r, { bom: opts.bom }),
  );
  return built;
}
