// A CMDB export as a stream of decoded text: read from disk with fs.createReadStream (256 KiB
// at a time) or cut from bytes or text already in memory, decoded as UTF-8 by CmdbDecoder (the first byte
// that is not UTF-8 refuses the file with its line and column). Nothing here holds the whole file.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { InputError } from '../../../core/errors.js';
import { CmdbDecoder } from './decode-cmdb.js';

/** A CMDB export: a file read from disk as it is parsed, or its bytes or text already in memory. */
export type CmdbInput =
  | { path: string }
  | { path: string; text: string }
  | { path: string; bytes: Uint8Array };

/** Bytes read per chunk (small enough that parsing one lets the writer's statements through). */
export const CMDB_CHUNK_BYTES = 1 << 18;

/** The size of a file on disk (undefined for text or bytes in memory); a file that cannot be read is an input error. */
export async function cmdbInputSize(input: CmdbInput): Promise<number | undefined> {
  if ('text' in input || 'bytes' in input) return undefined;
  try {
    const s = await stat(input.path);
    if (s.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    return s.size;
  } catch (err) {
    throw cannotRead(input.path, err);
  }
}

/**
 * The decoded text of the input, piece by piece; `onBytes` is told how many bytes were read so far
 * (a file only). A byte that is not UTF-8 throws CmdbEncodingError when its piece is reached.
 */
export async function* cmdbText(input: CmdbInput, onBytes?: (bytes: number) => void): AsyncGenerator<string> {
  if ('text' in input) {
    for (let i = 0; i < input.text.length; i += CMDB_CHUNK_BYTES)
      yield input.text.slice(i, i + CMDB_CHUNK_BYTES);
    return;
  }
  const decoder = new CmdbDecoder(input.path);
  if ('bytes' in input) {
    for (let i = 0; i < input.bytes.length; i += CMDB_CHUNK_BYTES)
      yield decoder.push(input.bytes.subarray(i, i + CMDB_CHUNK_BYTES));
  } else {
    let read = 0;
    for await (const chunk of fileChunks(input.path)) {
      read += chunk.length;
      const text = decoder.push(chunk);
      onBytes?.(read);
      yield text;
    }
  }
  yield decoder.end();
}

async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  const stream = createReadStream(path, { highWaterMark: CMDB_CHUNK_BYTES });
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    for (;;) {
      let r: IteratorResult<Buffer>;
      try {
        r = await chunks.next();
      } catch (err) {
        throw cannotRead(path, err);
      }
      if (r.done) return;
      yield r.value;
    }
  } finally {
    stream.destroy();
  }
}

function cannotRead(path: string, err: unknown): InputError {
  return new InputError(
    `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
  );
}
