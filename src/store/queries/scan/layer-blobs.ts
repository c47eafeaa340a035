// Blobs known to hold a layer (ADR 0020): a compressed blob digest the scanner read to the end, whose
// bytes matched the digest and decompressed to the diffID recorded. A blob is content-addressed, so
// the pair never changes; a concurrent scan that recorded it first leaves the row as it is.
import type { Store } from '../../open-store.js';
import { anyText, batches } from '../../statement-size.js';

export interface LayerBlob {
  digest: string;
  diffId: string;
  size: number;
}

const ROWS_PER_INSERT = 1000;

/** The known blobs among `digests`, as blob digest → diffID. */
export async function getLayerBlobs(
  { db }: Pick<Store, 'db'>,
  digests: readonly string[],
): Promise<Map<string, string>> {
  if (digests.length === 0) return new Map();
  const rows = await db
    .selectFrom('layer_blobs')
    .select(['digest', 'diff_id'])
    .where('digest', '=', anyText(digests))
    .execute();
  return new Map(rows.map((r) => [r.digest, r.diff_id]));
}

export async function putLayerBlobs({ db }: Pick<Store, 'db'>, blobs: readonly LayerBlob[]): Promise<void> {
  for (const batch of batches(blobs, ROWS_PER_INSERT)) {
    await db
      .insertInto('layer_blobs')
      .values(batch.map((b) => ({ digest: b.digest, diff_id: b.diffId, size: b.size })))
      .onConflict((oc) => oc.column('digest').doNothing())
      .execute();
  }
}
