// Incremental JSON readers for CMDB exports, so a large file is never held whole: JSON Lines (one
// value per line), and a JSON array of rows or `{"containers": [...]}` — a small scanner that cuts
// the top-level elements out of the text as it arrives (strings and nesting tracked across chunks),
// then `JSON.parse`s each one alone. Every element keeps the line it starts on. A file whose
// structure is broken (an element that does not parse, a missing comma, a truncated document) gets
// one `not valid JSON` error at that line and nothing after it is read.

/** What a reader hands on: an element (parsed) with its line, or a problem with its line. */
export interface JsonSink {
  value(line: number, value: unknown): void;
  error(line: number, reason: string): void;
}

/** JSON Lines: each non-blank line is one value. */
export class JsonLinesReader {
  private buf = '';
  private line = 1;

  constructor(private readonly sink: JsonSink) {}

  push(text: string): void {
    this.buf = this.buf ? this.buf + text : text;
    let start = 0;
    for (let nl = this.buf.indexOf('\n'); nl !== -1; nl = this.buf.indexOf('\n', start)) {
      this.one(this.buf.slice(start, nl));
      start = nl + 1;
    }
    this.buf = this.buf.slice(start);
  }

  end(): void {
    if (this.buf) this.one(this.buf);
    this.buf = '';
  }

  private one(text: string): void {
    const line = this.line++;
    if (!text.trim()) return;
    try {
      this.sink.value(line, JSON.parse(text));
    } catch (err) {
      this.sink.error(line, `not valid JSON: ${(err as Error).message}`);
    }
  }
}

const NOT_ROWS = 'expected a JSON array of rows or {"containers": [...]}';

type Phase =
  /** Before the first token. */
  | 'start'
  /** Inside the array of rows: an element, or `]`, may come. */
  | 'element'
  /** Inside the array of rows, after an element: `,` or `]`. */
  | 'after-element'
  /** Inside the top-level object: a key, or `}`. */
  | 'key'
  /** After a key: `:`. */
  | 'colon'
  /** After `:`: the key's value. */
  | 'value'
  /** After a value of the object: `,` or `}`. */
  | 'after-value'
  /** After the document: only whitespace. */
  | 'done'
  /** Broken: the rest is ignored. */
  | 'dead';

/**
 * A JSON array of rows, or an object whose `containers` key holds it (other keys are skipped),
 * pushed chunk by chunk. Each element of the array is parsed alone and handed on with its line.
 */
export class JsonRowsReader {
  private buf = '';
  /** Scan position in `buf`, and the line it is on. */
  private pos = 0;
  private line = 1;
  private phase: Phase = 'start';
  /** The array of rows is the value of `containers` (inside the top-level object). */
  private nested = false;
  private sawRows = false;
  private key: string | undefined;
  /** A value being cut out (an element, a key, or a value skipped): where it started, and the scan state. */
  private val:
    | {
        kind: 'element' | 'skip' | 'key';
        start: number;
        line: number;
        depth: number;
        inString: boolean;
        escape: boolean;
        scalar: boolean;
      }
    | undefined;

  constructor(private readonly sink: JsonSink) {}

  push(text: string): void {
    this.buf = this.buf ? this.buf + text : text;
    this.scan();
    // Keep only what is still needed: the value being cut, else nothing before the scan position.
    const keep = this.val ? this.val.start : this.pos;
    if (keep > 0) {
      this.buf = this.buf.slice(keep);
      this.pos -= keep;
      if (this.val) this.val.start = 0;
    }
  }

  end(): void {
    if (this.val?.scalar) this.finishValue(this.buf.length);
    if (this.phase === 'dead' || this.phase === 'done') return;
    this.fail(this.val?.line ?? this.line, 'not valid JSON: Unexpected end of JSON input');
  }

  private fail(line: number, reason: string): undefined {
    this.sink.error(line, reason);
    this.phase = 'dead';
    this.val = undefined;
  }

  private scan(): undefined {
    const s = this.buf;
    while (this.pos < s.length && this.phase !== 'dead') {
      if (this.val) {
        if (!this.cut()) return;
        continue;
      }
      const c = s.charCodeAt(this.pos);
      if (c === 0x0a) {
        this.line++;
        this.pos++;
        continue;
      }
      if (c === 0x20 || c === 0x09 || c === 0x0d) {
        this.pos++;
        continue;
      }
      const ch = s[this.pos]!;
      switch (this.phase) {
        case 'start':
          if (ch === '[') {
            this.phase = 'element';
            this.sawRows = true;
          } else if (ch === '{') {
            this.phase = 'key';
            this.nested = true;
          } else return this.fail(this.line, NOT_ROWS);
          this.pos++;
          break;
        case 'element':
          if (ch === ']') {
            this.closeRows();
            this.pos++;
          } else if (ch === ',')
            return this.fail(this.line, `not valid JSON: unexpected "," on line ${this.line}`);
          else this.open('element');
          break;
        case 'after-element':
          if (ch === ',') this.phase = 'element';
          else if (ch === ']') this.closeRows();
          else
            return this.fail(
              this.line,
              `not valid JSON: expected "," or "]" on line ${this.line}, found "${ch}"`,
            );
          this.pos++;
          break;
        case 'key':
          if (ch === '}') {
            this.closeObject();
            this.pos++;
          } else if (ch === '"') this.open('key');
          else
            return this.fail(this.line, `not valid JSON: expected a key on line ${this.line}, found "${ch}"`);
          break;
        case 'colon':
          if (ch !== ':')
            return this.fail(this.line, `not valid JSON: expected ":" on line ${this.line}, found "${ch}"`);
          this.phase = 'value';
          this.pos++;
          break;
        case 'value':
          if (this.key === 'containers' && !this.sawRows) {
            if (ch !== '[') return this.fail(1, NOT_ROWS);
            this.sawRows = true;
            this.phase = 'element';
            this.pos++;
          } else this.open('skip');
          break;
        case 'after-value':
          if (ch === ',') this.phase = 'key';
          else if (ch === '}') this.closeObject();
          else
            return this.fail(
              this.line,
              `not valid JSON: expected "," or "}" on line ${this.line}, found "${ch}"`,
            );
          this.pos++;
          break;
        case 'done':
          return this.fail(
            this.line,
            `not valid JSON: unexpected "${ch}" after the end of the document, line ${this.line}`,
          );
      }
    }
  }

  private closeRows(): undefined {
    this.phase = this.nested ? 'after-value' : 'done';
  }

  private closeObject(): undefined {
    if (!this.sawRows) return this.fail(1, NOT_ROWS);
    this.phase = 'done';
  }

  private open(kind: 'element' | 'skip' | 'key'): void {
    const c = this.buf[this.pos]!;
    this.val = {
      kind,
      start: this.pos,
      line: this.line,
      depth: 0,
      inString: false,
      escape: false,
      scalar: c !== '{' && c !== '[' && c !== '"',
    };
  }

  /** Scans the open value; true when it ended (and was handed on), false when the text ran out. */
  private cut(): boolean {
    const v = this.val!;
    const s = this.buf;
    let i = this.pos;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (v.inString) {
        if (v.escape) v.escape = false;
        else if (c === 0x5c) v.escape = true;
        else if (c === 0x22) {
          v.inString = false;
          if (v.depth === 0) {
            this.pos = i + 1;
            this.finishValue(i + 1);
            return true;
          }
        } else if (c === 0x0a) this.line++;
        continue;
      }
      if (v.scalar) {
        if (c === 0x2c || c === 0x5d || c === 0x7d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
          this.pos = i;
          this.finishValue(i);
          return true;
        }
        continue;
      }
      if (c === 0x22) v.inString = true;
      else if (c === 0x7b || c === 0x5b) v.depth++;
      else if (c === 0x7d || c === 0x5d) {
        v.depth--;
        if (v.depth === 0) {
          this.pos = i + 1;
          this.finishValue(i + 1);
          return true;
        }
      } else if (c === 0x0a) this.line++;
    }
    this.pos = i;
    return false;
  }

  private finishValue(end: number): undefined {
    const v = this.val!;
    this.val = undefined;
    if (v.kind === 'skip') {
      this.phase = 'after-value';
      return;
    }
    const text = this.buf.slice(v.start, end);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return this.fail(v.line, `not valid JSON: ${(err as Error).message}`);
    }
    if (v.kind === 'key') {
      this.key = value as string;
      this.phase = 'colon';
      return;
    }
    this.phase = 'after-element';
    this.sink.value(v.line, value);
  }
}
