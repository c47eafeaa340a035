// Machine output on stdout only: JSON (stable, documented per command in docs/cli.md), CSV, or a
// table for people. Logs and progress go to stderr (cli/logger.ts).
//
// Names come from images, clusters and reports, so every cell is untrusted text. A table cell or
// footer never carries a raw control character: C0, DEL, C1, bidi overrides and line separators
// are shown as visible escapes (`\e`, `\t`, `\n`, `\x07`, `\u202e`), so an image name cannot clear
// the screen, retitle the terminal, hide text or break a row. A CSV cell that a spreadsheet would
// read as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a leading `'` (OWASP CSV injection);
// numbers Runsight computes (`-1`) are left as numbers. JSON.stringify escapes C0 controls; DEL,
// C1, bidi and separator characters are written as `\uNNNN` escapes too (same value once parsed).

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
  if (format === 'json') return `${jsonText(p.json)}\n`;
  if (format === 'csv') {
    const lines = [
      p.columns.map((c) => csvCell(c.header)),
      ...p.rows.map((r) => p.columns.map((c) => csvCell(c.value(r)))),
    ];
    return `${lines.map((l) => l.join(',')).join('\n')}\n`;
  }
  const cells = p.rows.map((r) => p.columns.map((c) => terminalText(cellText(c.value(r)))));
  const headers = p.columns.map((c) => terminalText(c.header.toUpperCase()));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [line(headers), ...cells.map(line)];
  if (p.rows.length === 0) out.push('(none)');
  if (p.footer?.length) out.push('', ...p.footer.map(terminalText));
  return `${out.join('\n')}\n`;
}

/**
 * The JSON document (indented by `indent` spaces, 0 for one line) with no raw control character: JSON.stringify leaves DEL, C1,
 * bidi and separator characters raw; inside a JSON text they can only sit in strings, where a
 * `\uNNNN` escape is the same value.
 */
export function jsonText(value: unknown, indent = 2): string {
  return (JSON.stringify(value, null, indent) ?? 'null').replace(
    JSON_RAW,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const JSON_RAW = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** C0 controls, DEL, C1 controls, bidi embeddings/overrides/isolates, line and paragraph separators. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\u001b': '\\e' };

/**
 * `s` safe to write to a terminal: every control character becomes a visible escape (`\e`, `\t`,
 * `\n`, `\r`, `\xNN`, `\uNNNN`), so the text shows what it holds and cannot drive the terminal.
 */
export function terminalText(s: string): string {
  return s.replace(UNSAFE, (ch) => {
    const named = NAMED[ch];
    if (named) return named;
    const code = ch.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

function cellText(v: unknown): string {
  if (v == null) return '';
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(cellText).join(' ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Characters that make a spreadsheet read a cell as a formula when they come first. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** Control characters a CSV cell keeps: tab, LF and CR are data (quoted); the rest are escaped. */
const CSV_UNSAFE =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * One CSV field (RFC 4180 quoting). A number or bigint is written as is, so a computed `-1` stays a
 * number; any other value starting like a formula is neutralised with a leading `'`.
 */
function csvCell(v: unknown): string {
  let s = cellText(v).replace(CSV_UNSAFE, terminalText);
  if (typeof v !== 'number' && typeof v !== 'bigint' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
