// A small RFC 4180 CSV reader that keeps the physical line each record starts on (for error
// messages): quoted fields with doubled quotes and embedded newlines, CRLF or LF, a UTF-8 BOM.
// Bare quotes inside unquoted fields are kept as text. It reads incrementally (`CsvReader`: text
// pushed chunk by chunk, a record cut anywhere — inside a quoted field, between `\r` and `\n`,
// between the two quotes of `""` — is completed by the next chunk), so a large export never has
// to be held whole; `parseCsv` is the same reader over one string.

export interface CsvRecord {
  line: number;
  fields: string[];
}

/** The error of a quoted field still open at the end of the input. */
export class UnterminatedQuoteError extends Error {
  constructor(readonly line: number) {
    super(`unterminated quoted field starting on line ${line}`);
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  const reader = new CsvReader((r) => out.push(r));
  reader.push(text);
  reader.end();
  return out;
}

/** Incremental CSV: `push` text as it comes, `end` once; each complete record goes to `onRecord`. */
export class CsvReader {
  private buf = '';
  /** The line `buf` starts on. */
  private line = 1;
  private started = false;

  constructor(private readonly onRecord: (r: CsvRecord) => void) {}

  push(text: string): void {
    if (!this.started && text.length) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.buf = this.buf ? this.buf + text : text;
    this.scan(false);
  }

  /** Ends the input: a last record without a newline is read; an open quoted field throws. */
  end(): void {
    this.scan(true);
  }

  private scan(final: boolean): void {
    const s = this.buf;
    let i = 0;
    let line = this.line;
    while (i < s.length) {
      const r = readRecord(s, i, line, final);
      if (r === undefined) break;
      if (!(r.fields.length === 1 && r.fields[0] === '')) this.onRecord({ line, fields: r.fields });
      i = r.next;
      line = r.nextLine;
    }
    this.buf = i ? s.slice(i) : s;
    this.line = line;
  }
}

/**
 * The record that starts at `i` (on `line`), or undefined when the text ends before the record does
 * and more may come (`final` false). At the end of the input an open quoted field throws.
 */
function readRecord(
  s: string,
  i: number,
  line: number,
  final: boolean,
): { fields: string[]; next: number; nextLine: number } | undefined {
  const fields: string[] = [];
  let ln = line;
  for (;;) {
    let field = '';
    if (s.charCodeAt(i) === 0x22) {
      let j = i + 1;
      for (;;) {
        const q = s.indexOf('"', j);
        if (q === -1) {
          if (!final) return undefined;
          throw new UnterminatedQuoteError(line);
        }
        const part = s.slice(j, q);
        for (let n = part.indexOf('\n'); n !== -1; n = part.indexOf('\n', n + 1)) ln++;
        field += part;
        // A quote at the end of the text may be the first of a doubled `""`.
        if (q + 1 >= s.length && !final) return undefined;
        if (s.charCodeAt(q + 1) === 0x22) {
          field += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
    }
    let j = i;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c === 0x2c || c === 0x0a || c === 0x0d) break;
      j++;
    }
    if (j > i) field += s.slice(i, j);
    if (j >= s.length) {
      if (!final) return undefined;
      fields.push(field);
      return { fields, next: j, nextLine: ln };
    }
    fields.push(field);
    const c = s.charCodeAt(j);
    if (c === 0x2c) {
      i = j + 1;
      continue;
    }
    if (c === 0x0d) {
      // `\r` at the end of the text: a `\n` may follow in the next chunk (one line break, not two).
      if (j + 1 >= s.length && !final) return undefined;
      if (s.charCodeAt(j + 1) === 0x0a) j++;
    }
    return { fields, next: j + 1, nextLine: ln + 1 };
  }
}
