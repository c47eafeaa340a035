// A bounded zip reader over bytes already in memory (yauzl): lists entries and inflates the ones
// asked for, refusing to inflate more than a byte budget (zip bombs end as an error).
// Spec: PKWARE APPNOTE.TXT (zip format).
import { type Entry, fromBuffer, type ZipFile } from 'yauzl';

export interface ZipBudget {
  remaining: number;
}

export class ZipLimitError extends Error {
  override readonly name = 'ZipLimitError';
}

function open(data: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) =>
    fromBuffer(data, { lazyEntries: true, validateEntrySizes: true }, (err, zip) =>
      err ? reject(err) : resolve(zip!),
    ),
  );
}

/** Calls `visit` for each entry; entries for which `want` is true are inflated first. */
export async function readZip(
  data: Buffer,
  want: (name: string) => boolean,
  visit: (name: string, content: Buffer) => Promise<void>,
  budget: ZipBudget,
): Promise<void> {
  const zip = await open(data);
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
          const parts: Buffer[] = [];
          stream.on('data', (c: Buffer) => {
            budget.remaining -= c.length;
            if (budget.remaining < 0)
              stream.destroy(new ZipLimitError('archive inflates past the byte limit'));
            else parts.push(c);
          });
          stream.on('error', reject);
          stream.on('end', () => {
            visit(entry.fileName, Buffer.concat(parts)).then(() => zip.readEntry(), reject);
          });
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}
