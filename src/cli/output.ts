// Machine output on stdout only: JSON (stable, documented per command in docs/cli.md), CSV, or a
// table for people. Logs and progress go to stderr (cli/logger.ts).

export type OutputFormat = 'table' | 'json' | 'csv';

export interface Column<T> {
  header: string;
  value(row: T): unknown;
}

export interface Printable<T> {
  /** The exact JSON document for `--format json`. */
  json: unknown;
  /** Rows for table and CSV output. */
  rows: T[];
  columns: Column<T>[];
  /** Optional lines printed after a table (e.g. totals, freshness). */
  footer?: string[];
}

export function render<T>(format: OutputFormat, p: Printable<T>): string {
  if (format === 'json') return `${JSON.stringify(p.json, null, 2)}\n`;
  const cells = p.rows.map((r) => p.columns.map((c) => cellText(c.value(r))));
  if (format === 'csv') {
    const lines = [p.columns.map((c) => csvCell(c.header)), ...cells.map((r) => r.map(csvCell))];
    return `${lines.map((l) => l.join(',')).join('\n')}\n`;
  }
  const headers = p.columns.map((c) => c.header.toUpperCase());
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [line(headers), ...cells.map(line)];
  if (p.rows.length === 0) out.push('(none)');
  if (p.footer?.length) out.push('', ...p.footer);
  return `${out.join('\n')}\n`;
}

function cellText(v: unknown): string {
  if (v == null) return '';
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(cellText).join(' ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
