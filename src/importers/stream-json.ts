// A streaming JSON reader (RFC 8259) for scanner reports too big to hold as text: it takes the
// document in string chunks, builds the value as it goes, and hands every element of the arrays
// the caller selects (by path, e.g. `Results[*].Vulnerabilities`) to a callback as soon as that
// element is complete. The callback returns what to keep in its place (a slimmer copy) or
// `undefined` to drop it, so the raw element is garbage right after. Everything else is built as
// JSON.parse would build it (the last of duplicate keys wins; `__proto__` is an ordinary key).
// Errors carry the character position: `StreamJsonError` with `truncated` when the input ended
// before the document did. Iterative (an explicit stack), so nesting depth cannot overflow the call
// stack; a depth and a string-length limit still refuse pathological input with a clear reason.

/** One step of a path: an object key or an array index. */
export type JsonPathStep = string | number;

/** How a streamed array's elements are handled: `each` gets every complete element and returns
 * what to keep in its place (undefined: nothing); with `keys`, an element object's other members
 * are checked for syntax but never built (their text costs no memory). */
export interface StreamedArray {
  each: (element: unknown) => unknown;
  keys?: ReadonlySet<string> | undefined;
}

/** Called when an array starts: how to stream its elements, or undefined to build it whole. */
export type ArraySelector = (path: readonly JsonPathStep[]) => StreamedArray | undefined;

export interface StreamJsonLimits {
  /** Deepest nesting of arrays and objects accepted. */
  maxDepth: number;
  /** Longest single string (UTF-16 code units) accepted. */
  maxStringLength: number;
}

export const STREAM_JSON_LIMITS: StreamJsonLimits = { maxDepth: 256, maxStringLength: 32 * 2 ** 20 };

export class StreamJsonError extends Error {
  override readonly name = 'StreamJsonError';
  constructor(
    message: string,
    readonly position: number,
    readonly truncated: boolean,
  ) {
    super(message);
  }
}

type Frame =
  | {
      kind: 'object';
      value: Record<string, unknown>;
      key: string | undefined;
      /** The current member's value is not built (not among the streamed array's keys). */
      skipKey: boolean;
      stream?: undefined;
    }
  | { kind: 'array'; value: unknown[]; index: number; stream: StreamedArray | undefined };

/** The value of a frame whose contents are skipped: nothing is stored into it. */
const SKIPPED = Object.freeze({}) as Record<string, unknown> & unknown[];

// What the parser expects next.
const VALUE = 0; // a value (top level, after ':' or after ',' in an array)
const VALUE_OR_END = 1; // after '['
const KEY_OR_END = 2; // after '{'
const KEY = 3; // after ',' in an object
const COLON = 4;
const COMMA_OR_END = 5;
const DONE = 6;

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const NUMBER_CHAR = /[-+.eE0-9]/;

/** Parses one JSON document from string chunks (already decoded). */
export async function parseJsonStream(
  chunks: AsyncIterable<string> | Iterable<string>,
  select: ArraySelector = () => undefined,
  limits: StreamJsonLimits = STREAM_JSON_LIMITS,
): Promise<unknown> {
  const parser = new JsonStreamParser(select, limits);
  for await (const chunk of chunks) parser.write(chunk);
  return parser.end();
}

export class JsonStreamParser {
  private readonly stack: Frame[] = [];
  private expect = VALUE;
  private result: unknown;
  /** Unconsumed text (a token cut by the chunk boundary) and its absolute start position. */
  private buf = '';
  private bufStart = 0;
  /** Depth of the outermost streamed array's frame (+1), 0 when outside any streamed element. */
  private streamDepth = 0;
  /** Depth (stack length) at which skipping began, 0 when building. */
  private skipDepth = 0;
  /** How far past its opening quote a string cut by the chunk boundary was already scanned. */
  private resume = 0;

  constructor(
    private readonly select: ArraySelector,
    private readonly limits: StreamJsonLimits = STREAM_JSON_LIMITS,
  ) {}

  write(chunk: string): void {
    if (!chunk) return;
    if (this.buf) this.buf += chunk;
    else this.buf = chunk;
    const used = this.run(false);
    this.bufStart += used;
    this.buf = this.buf.slice(used);
  }

  end(): unknown {
    const used = this.run(true);
    this.bufStart += used;
    this.buf = this.buf.slice(used);
    if (this.expect !== DONE)
      throw new StreamJsonError(
        `unexpected end of JSON input at position ${this.bufStart}`,
        this.bufStart,
        true,
      );
    return this.result;
  }

  private fail(message: string, at: number): never {
    throw new StreamJsonError(`${message} at position ${this.bufStart + at}`, this.bufStart + at, false);
  }

  /** Consumes as many whole tokens of `buf` as it can; returns how many characters were used. */
  private run(final: boolean): number {
    const s = this.buf;
    const n = s.length;
    let i = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      // whitespace: space, \t, \n, \r
      if (c === 32 || c === 10 || c === 13 || c === 9) {
        i++;
        continue;
      }
      const expect = this.expect;
      if (expect === DONE) this.fail(`unexpected ${show(s[i]!)} after the end of the document`, i);
      if (expect === COLON) {
        if (c !== 58) this.fail(`expected ':' after an object key, found ${show(s[i]!)}`, i);
        this.expect = VALUE;
        i++;
        continue;
      }
      if (expect === COMMA_OR_END) {
        const top = this.stack[this.stack.length - 1]!;
        if (c === 44) {
          this.expect = top.kind === 'object' ? KEY : VALUE;
          i++;
          continue;
        }
        if ((c === 125 && top.kind === 'object') || (c === 93 && top.kind === 'array')) {
          i++;
          this.close();
          continue;
        }
        this.fail(`expected ',' or '${top.kind === 'object' ? '}' : ']'}', found ${show(s[i]!)}`, i);
      }
      if (expect === KEY || expect === KEY_OR_END) {
        if (c === 125 && expect === KEY_OR_END) {
          i++;
          this.close();
          continue;
        }
        if (c !== 34) this.fail(`expected a string key, found ${show(s[i]!)}`, i);
        const end = this.stringEnd(s, i, final);
        if (end < 0) return i;
        const obj = this.stack[this.stack.length - 1] as Frame & { kind: 'object' };
        if (this.skipDepth) {
          this.checkString(s, i, end);
          obj.key = '';
        } else {
          obj.key = this.stringValue(s, i, end);
          const keys =
            this.streamDepth === this.stack.length - 1 && this.stack[this.streamDepth - 1]?.stream?.keys;
          if (keys && !keys.has(obj.key)) {
            obj.skipKey = true;
            this.skipDepth = this.stack.length;
          }
        }
        this.expect = COLON;
        i = end;
        continue;
      }
      // VALUE or VALUE_OR_END
      if (c === 93 && expect === VALUE_OR_END) {
        i++;
        this.close();
        continue;
      }
      if (c === 123 || c === 91) {
        if (this.stack.length >= this.limits.maxDepth)
          this.fail(`nesting deeper than ${this.limits.maxDepth} levels`, i);
        if (c === 123) {
          this.stack.push({
            kind: 'object',
            value: this.skipDepth ? SKIPPED : {},
            key: undefined,
            skipKey: false,
          });
          this.expect = KEY_OR_END;
        } else {
          const stream = this.streamDepth || this.skipDepth ? undefined : this.select(this.path());
          this.stack.push({ kind: 'array', value: this.skipDepth ? SKIPPED : [], index: 0, stream });
          if (stream) this.streamDepth = this.stack.length;
          this.expect = VALUE_OR_END;
        }
        i++;
        continue;
      }
      if (c === 34) {
        const end = this.stringEnd(s, i, final);
        if (end < 0) return i;
        if (this.skipDepth) this.checkString(s, i, end);
        this.value(this.skipDepth ? undefined : this.stringValue(s, i, end));
        i = end;
        continue;
      }
      if (c === 45 || (c >= 48 && c <= 57)) {
        let j = i + 1;
        while (j < n && NUMBER_CHAR.test(s[j]!)) j++;
        if (j === n && !final) return i;
        const text = s.slice(i, j);
        if (!NUMBER.test(text)) this.fail(`invalid number ${show(text)}`, i);
        this.value(Number(text));
        i = j;
        continue;
      }
      const word = c === 116 ? 'true' : c === 102 ? 'false' : c === 110 ? 'null' : undefined;
      if (!word) this.fail(`unexpected ${show(s[i]!)} where a value was expected`, i);
      if (n - i < word.length && word.startsWith(s.slice(i))) {
        if (!final) return i;
        throw new StreamJsonError(
          `unexpected end of JSON input at position ${this.bufStart + n}`,
          this.bufStart + n,
          true,
        );
      }
      if (!s.startsWith(word, i)) this.fail(`unexpected ${show(s.slice(i, i + word.length))}`, i);
      this.value(word === 'true' ? true : word === 'false' ? false : null);
      i += word.length;
    }
    return i;
  }

  /** Index just past the closing quote of the string starting at `start`, or -1 if it is cut. */
  private stringEnd(s: string, start: number, final: boolean): number {
    let j = start + Math.max(1, this.resume);
    for (;;) {
      const q = s.indexOf('"', j);
      if (q < 0) {
        if (s.length - start - 1 > this.limits.maxStringLength)
          this.fail(`a string longer than ${this.limits.maxStringLength} characters`, start);
        if (final)
          throw new StreamJsonError(
            `unterminated string starting at position ${this.bufStart + start}`,
            this.bufStart + s.length,
            true,
          );
        this.resume = s.length - start;
        return -1;
      }
      let back = 0;
      while (s.charCodeAt(q - 1 - back) === 92) back++;
      if (back % 2 === 0) {
        if (q - start - 1 > this.limits.maxStringLength)
          this.fail(`a string longer than ${this.limits.maxStringLength} characters`, start);
        this.resume = 0;
        return q + 1;
      }
      j = q + 1;
    }
  }

  private stringValue(s: string, start: number, end: number): string {
    const raw = s.slice(start + 1, end - 1);
    // Fast path: no escape and no control character.
    if (!/[\\\u0000-\u001f]/.test(raw)) return raw;
    const ctl = /[\u0000-\u001f]/.exec(raw);
    if (ctl) this.fail('a control character inside a string (it must be escaped)', start + 1 + ctl.index);
    try {
      return JSON.parse(s.slice(start, end)) as string;
    } catch {
      const bad = /\\(?:u(?![0-9a-fA-F]{4})|[^"\\/bfnrtu])/.exec(raw);
      return this.fail('an invalid escape in a string', start + 1 + (bad?.index ?? 0));
    }
  }

  /** A skipped string is not built, but is checked as strictly as a built one. */
  private checkString(s: string, start: number, end: number): void {
    if (/[\\\u0000-\u001f]/.test(s.slice(start + 1, end - 1))) this.stringValue(s, start, end);
  }

  private path(): JsonPathStep[] {
    return this.stack.map((f) => (f.kind === 'object' ? f.key! : f.index));
  }

  /** A complete value: put it where it belongs. */
  private value(v: unknown): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      this.result = v;
      this.expect = DONE;
      return;
    }
    if (top.value === SKIPPED) {
      // inside a skipped value: syntax only
    } else if (top.kind === 'object') {
      const key = top.key!;
      if (top.skipKey) {
        top.skipKey = false;
        this.skipDepth = 0;
        this.expect = COMMA_OR_END;
        return;
      }
      if (key === '__proto__')
        Object.defineProperty(top.value, key, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else top.value[key] = v;
    } else if (top.stream) {
      const kept = top.stream.each(v);
      if (kept !== undefined) top.value.push(kept);
      top.index++;
    } else {
      top.value.push(v);
      top.index++;
    }
    this.expect = COMMA_OR_END;
  }

  private close(): void {
    const frame = this.stack.pop()!;
    if (this.streamDepth > this.stack.length) this.streamDepth = 0;
    this.value(frame.value);
  }
}

function show(text: string): string {
  return JSON.stringify(text.length > 20 ? `${text.slice(0, 20)}…` : text);
}
