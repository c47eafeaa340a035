// A bounded zip reader (yauzl) over bytes in memory or a file on disk: lists entries and inflates
// the ones asked for, refusing to inflate more than a byte budget (zip bombs end as an error). A
// file is read through its central directory and only the wanted entries are read from disk. A
// wanted entry larger than `spoolOver` (a nested jar of a fat jar) is inflated to a temporary file
// rather than into memory, so memory stays bounded whatever the archive holds.
// Spec: PKWARE APPNOTE.TXT (zip format).
import type { Readable } from 'node:stream';
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
  try {
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
  }
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
