// Reads cached per-layer extraction results for a set of layers and extractor versions (the scanner's
// per-layer cache, keyed by diffID, extractor name and version).
import type { Store } from '../../open-store.js';
import { anyText } from '../../statement-size.js';

export interface LayerCacheKey {
  extractor: string;
  version: number;
}

export interface LayerCacheRow {
  diffId: string;
  extractor: string;
  version: number;
  result: unknown;
}

export async function getLayerCache(
  { db }: Pick<Store, 'db'>,
  diffIds: readonly string[],
  keys: readonly LayerCacheKey[],
): Promise<LayerCacheRow[]> {
  if (diffIds.length === 0 || keys.length === 0) return [];
  const rows = await db
    .selectFrom('layer_cache')
    .select(['diff_id', 'extractor', 'extractor_version', 'result'])
    .where('diff_id', '=', anyText(diffIds))
    .where('extractor', '=', anyText(keys.map((k) => k.extractor)))
    .execute();
  const wanted = new Set(keys.map((k) => `${k.extractor}\u0000${k.version}`));
  return rows
    .filter((r) => wanted.has(`${r.extractor}\u0000${r.extractor_version}`))
    .map((r) => ({
      diffId: r.diff_id,
      extractor: r.extractor,
      version: r.extractor_version,
      result: typeof r.result === 'string' ? JSON.parse(r.result) : r.result,
    }));
}
