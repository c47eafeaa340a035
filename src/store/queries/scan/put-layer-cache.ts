// Stores per-layer extraction results (one row per diffID × extractor × version). A concurrent scan
// of the same layer may have stored the same key first; the row is then left as it is (the results
// are deterministic for a content-addressed layer).
import type { Store } from '../../open-store.js';
import type { LayerCacheRow } from './get-layer-cache.js';

export async function putLayerCache(
  { db }: Pick<Store, 'db'>,
  rows: readonly LayerCacheRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('layer_cache')
    .values(
      rows.map((r) => ({
        diff_id: r.diffId,
        extractor: r.extractor,
        extractor_version: r.version,
        result: JSON.stringify(r.result),
      })),
    )
    .onConflict((oc) => oc.columns(['diff_id', 'extractor', 'extractor_version']).doNothing())
    .execute();
}
