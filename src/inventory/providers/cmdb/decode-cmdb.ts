// A CMDB file's bytes → text. Only UTF-8 is read (a UTF-8 byte order mark is fine); anything else is
// refused with the line and column of the first byte that is not UTF-8, never decoded by guess into
// U+FFFD. A Latin-1 or Windows-1252 export is the usual culprit: the message says how to convert it.
import { InputError } from '../../../core/errors.js';
import { findInvalidUtf8 } from '../../../core/untrusted-text.js';

/** A CMDB file that is not UTF-8 (nothing imported). */
export class CmdbEncodingError extends InputError {
  override readonly name: string = 'CmdbEncodingError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly byte: number,
    hint: string,
  ) {
    super(
      `${file}: line ${line}, column ${column}: byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} is not UTF-8; nothing was imported. ${hint}`,
    );
  }
}

export function decodeCmdbBytes(file: string, bytes: Uint8Array): string {
  const decoder = new CmdbDecoder(file);
  return decoder.push(bytes) + decoder.end();
}

/** UTF-8 bytes → text, chunk by chunk; the first byte that is not UTF-8 throws CmdbEncodingError. */
export class CmdbDecoder {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /** Bytes decoded so far (the last chunk's incomplete character included). */
  private offset = 0;
  /** Line of `offset`, and the offset its line starts at. */
  private line = 1;
  private lineStart = 0;
  /** The last chunk's trailing bytes of a character that the next chunk completes. */
  private tail: Uint8Array = new Uint8Array(0);
  private first: Uint8Array | undefined;

  constructor(private readonly file: string) {}

  push(chunk: Uint8Array): string {
    this.first ??= chunk.subarray(0, 2);
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      throw this.refuse(chunk);
    }
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) {
      this.line++;
      this.lineStart = this.offset + i + 1;
    }
    this.offset += chunk.length;
    // A character may span several (small) chunks: its bytes so far are the new tail.
    const seen = this.tail.length ? concat(this.tail, chunk) : chunk;
    this.tail = seen.subarray(seen.length - incompleteTail(seen));
    return text;
  }

  /** The end of the input: a character cut short by the end is refused too. */
  end(): string {
    try {
      return this.decoder.decode();
    } catch {
      throw this.refuse(new Uint8Array(0));
    }
  }

  private refuse(chunk: Uint8Array): CmdbEncodingError {
    // Look again at the bytes the decoder had not finished with, then this chunk.
    const bytes = concat(this.tail, chunk);
    const base = this.offset - this.tail.length;
    const bad = findInvalidUtf8(bytes) ?? { offset: 0, line: 1, column: 1, byte: bytes[0] ?? 0 };
    const line = this.line + bad.line - 1;
    const column = bad.line === 1 ? base - this.lineStart + bad.column : bad.column;
    const first = this.first ?? new Uint8Array(0);
    const utf16 = (first[0] === 0xff && first[1] === 0xfe) || (first[0] === 0xfe && first[1] === 0xff);
    const hint = utf16
      ? `The file is UTF-16: convert it to UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8 ${this.file} > converted.csv`
      : `It looks like ISO-8859-1 (Latin-1) or Windows-1252: convert it to UTF-8 first, e.g. iconv -f ISO-8859-1 -t UTF-8 ${this.file} > converted.csv (or -f WINDOWS-1252).`;
    return new CmdbEncodingError(this.file, line, column, bad.byte, hint);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** How many bytes at the end of `chunk` start a character that is not complete yet (0 to 3). */
function incompleteTail(chunk: Uint8Array): number {
  for (let k = 1; k <= 3 && k <= chunk.length; k++) {
    const b = chunk[chunk.length - k]!;
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > k ? k : 0;
  }
  return 0;
}
