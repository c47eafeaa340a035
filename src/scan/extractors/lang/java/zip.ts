// A bounded zip reader (yauzl) over bytes in memory or a file on disk: lists entries and inflates
// the ones asked for, refusing to inflate more than a byte budget (zip bombs end as an error). A
// file is read through its central directory and only the wanted entries are read from disk. A
// wanted entry larger than `spoolOver` (a nested jar of a fat jar) is inflated to a temporary file
// rather than into memory, so memory stays bounded whatever the archive holds. A wanted entry
// that fits in memory is read with one read (or a slice of the archive in memory) and inflated in
// one synchronous call: through yauzl's streams each tiny entry (MANIFEST.MF, pom.properties) cost
// several round trips to libuv's thread pool, hundreds per fat jar or Maven repository, and each
// waits for a core on a busy machine (issue 15).
// Spec: PKWARE APPNOTE.TXT (zip format).
import { type FileHandle, open as openHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import { type Entry, fromBuffer, open as openFile, type ZipFile } from 'yauzl';
import { type SpooledFile, spool } from '../../../spool.js';

export interface ZipBudget {
  remaining: number;
}

export class ZipLimitError extends Error {
  override readonly name = 'ZipLimitError';
}

/** An archive in memory, or on disk at a path. */
export type ZipSource = Buffer | string;

/** A wanted entry: inflated into memory, or (larger than `spoolOver`) to a temporary file. */
export type ZipContent = { data: Buffer; path?: undefined } | { data?: undefined; path: string };

function open(source: ZipSource): Promise<ZipFile> {
  const options = { lazyEntries: true, validateEntrySizes: true, autoClose: false };
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, zip?: ZipFile) => (err ? reject(err) : resolve(zip!));
    if (typeof source === 'string') openFile(source, options, done);
    else fromBuffer(source, options, done);
  });
}

/** Calls `visit` for each entry for which `want` is true, with its inflated content. */
export async function readZip(
  source: ZipSource,
  want: (name: string) => boolean,
  visit: (name: string, content: ZipContent) => Promise<void>,
  budget: ZipBudget,
  spoolOver = Number.POSITIVE_INFINITY,
): Promise<void> {
  const zip = await open(source);
  let handle: FileHandle | undefined;
  try {
    handle = typeof source === 'string' ? await openHandle(source, 'r') : undefined;
    const size = handle ? (await handle.stat()).size : (source as Buffer).length;
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: Entry) => {
        if (entry.fileName.endsWith('/') || !want(entry.fileName)) {
          zip.readEntry();
          return;
        }
        if (entry.uncompressedSize > budget.remaining) {
          reject(new ZipLimitError(`${entry.fileName} would inflate past the archive byte limit`));
          return;
        }
        if (entry.uncompressedSize <= spoolOver && entry.compressedSize <= spoolOver && direct(entry)) {
          readDirect(handle ?? (source as Buffer), size, entry, budget)
            .then((data) => visit(entry.fileName, { data }))
            .then(() => zip.readEntry(), reject);
          return;
        }
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(err);
          const charged = charge(stream, budget);
          const content: Promise<[ZipContent, SpooledFile?]> =
            entry.uncompressedSize > spoolOver
              ? spool(charged).then((f) => [{ path: f.path }, f])
              : collect(charged).then((data) => [{ data }]);
          content
            .then(async ([c, file]) => {
              try {
                await visit(entry.fileName, c);
              } finally {
                await file?.dispose();
              }
            })
            .then(() => zip.readEntry(), reject);
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
    await handle?.close();
  }
}

const STORED = 0;
const DEFLATED = 8;
const LOCAL_HEADER = 0x04034b50;

/** Entries read without yauzl's streams: stored or deflated, not encrypted. */
function direct(entry: Entry): boolean {
  return (entry.compressionMethod === STORED || entry.compressionMethod === DEFLATED) && !entry.isEncrypted();
}

/**
 * An entry's bytes through its local header (APPNOTE 4.3.7), inflated when deflated, checked
 * against the central directory's size as yauzl's `validateEntrySizes` does, and charged to `budget`.
 */
async function readDirect(
  source: Buffer | FileHandle,
  size: number,
  entry: Entry,
  budget: ZipBudget,
): Promise<Buffer> {
  const at = entry.relativeOffsetOfLocalHeader;
  const header = await slice(source, at, 30, size, entry);
  if (header.readUInt32LE(0) !== LOCAL_HEADER)
    throw new Error(`invalid local file header signature for ${entry.fileName}`);
  const start = at + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const raw = await slice(source, start, entry.compressedSize, size, entry);
  let data = raw;
  if (entry.compressionMethod === DEFLATED) {
    try {
      // One byte more than stated, so that an entry inflating past its stated size shows as such.
      data = inflateRawSync(raw, { maxOutputLength: entry.uncompressedSize + 1 });
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE') throw err;
      throw new Error(`${entry.fileName}: inflates past its stated ${entry.uncompressedSize} bytes`);
    }
  }
  if (data.length !== entry.uncompressedSize)
    throw new Error(`${entry.fileName}: expected ${entry.uncompressedSize} bytes, got ${data.length}`);
  budget.remaining -= data.length;
  if (budget.remaining < 0) throw new ZipLimitError('archive inflates past the byte limit');
  return data;
}

async function slice(
  source: Buffer | FileHandle,
  at: number,
  n: number,
  size: number,
  entry: Entry,
): Promise<Buffer> {
  if (at + n > size) throw new Error(`${entry.fileName}: file data overflows file bounds`);
  if (Buffer.isBuffer(source)) return source.subarray(at, at + n);
  const buf = Buffer.allocUnsafe(n);
  const { bytesRead } = await source.read(buf, 0, n, at);
  if (bytesRead !== n) throw new Error(`${entry.fileName}: file data overflows file bounds`);
  return buf;
}

/** Counts inflated bytes against the budget; past it the stream fails. */
function charge(stream: Readable, budget: ZipBudget): AsyncIterable<Buffer> {
  return (async function* () {
    for await (const c of stream as AsyncIterable<Buffer>) {
      budget.remaining -= c.length;
      if (budget.remaining < 0) {
        stream.destroy();
        throw new ZipLimitError('archive inflates past the byte limit');
      }
      yield c;
    }
  })();
}

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}
