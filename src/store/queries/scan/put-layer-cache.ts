// Stores per-layer extraction results (one row per diffID × extractor × version). A concurrent scan
// of the same layer may have stored the same key first; the row is then left as it is (the results
// are deterministic for a content-addressed layer).
import type { Store } from '../../open-store.js';
import { batches } from '../../statement-size.js';
import type { LayerCacheRow } from './get-layer-cache.js';

const ROWS_PER_INSERT = 1000;

export async function putLayerCache(
  { db }: Pick<Store, 'db'>,
  rows: readonly LayerCacheRow[],
): Promise<void> {
  for (const batch of batches(rows, ROWS_PER_INSERT)) {
    await db
      .insertInto('layer_cache')
      .values(
        batch.map((r) => ({
          diff_id: r.diffId,
          extractor: r.extractor,
          extractor_version: r.version,
          result: JSON.stringify(r.result),
        })),
      )
      .onConflict((oc) => oc.columns(['diff_id', 'extractor', 'extractor_version']).doNothing())
      .execute();
  }
}
