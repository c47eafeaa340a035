// CSV out of Runsight's reports (RFC 4180): every cell quoted when it holds a comma, a quote, CR or
// LF (quotes doubled), records ended by CRLF; and a cell a spreadsheet would run as a formula —
// beginning with = + - @, a tab or CR — neutralised by a leading apostrophe (OWASP "CSV injection").
// Numbers are written as numbers (a negative number stays a number, never a formula).

/** The UTF-8 byte order mark `--bom` writes first (what Excel needs to read UTF-8). */
export const UTF8_BOM = '\uFEFF';

export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = typeof value === 'boolean' ? String(value) : value;
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, CRLF-terminated. */
export function csvRecord(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
