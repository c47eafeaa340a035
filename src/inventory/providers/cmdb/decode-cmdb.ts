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
  const bad = findInvalidUtf8(bytes);
  if (bad) {
    const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
    const hint = utf16
      ? `The file is UTF-16: convert it to UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8 ${file} > converted.csv`
      : `It looks like ISO-8859-1 (Latin-1) or Windows-1252: convert it to UTF-8 first, e.g. iconv -f ISO-8859-1 -t UTF-8 ${file} > converted.csv (or -f WINDOWS-1252).`;
    throw new CmdbEncodingError(file, bad.line, bad.column, bad.byte, hint);
  }
  return new TextDecoder('utf-8').decode(bytes);
}
