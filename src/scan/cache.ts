// The per-layer cache: results keyed by (layer diffID, extractor name, extractor version), plus the
// layer's filesystem changes under the pseudo-extractor `layer/fs`. Only complete layer walks are
// stored, so a cached layer never hides a partial read.
import type { Store } from '../store/index.js';
import { getLayerCache, putLayerCache } from '../store/index.js';
import type { Extractor, FileRecord, LayerChanges, ScanIssue } from './types.js';

export const FS_KEY = { extractor: 'layer/fs', version: 1 } as const;

export interface CachedFs {
  changes: LayerChanges;
  bytes: number;
}

export interface CachedExtractor {
  records: FileRecord[];
  errors: ScanIssue[];
  /** The per-file limit the result was made under; a result is reused only under the same limit. */
  maxFileBytes?: number | undefined;
}

export interface LayerCachePort {
  get(
    diffIds: readonly string[],
    extractors: readonly Extractor[],
  ): Promise<Map<string, Map<string, unknown>>>;
  put(diffId: string, entries: { extractor: string; version: number; result: unknown }[]): Promise<void>;
}

/** `extractor@version` → the cache key string used in maps. */
export function cacheKey(extractor: string, version: number): string {
  return `${extractor}@${version}`;
}

export function storeLayerCache(store: Store): LayerCachePort {
  return {
    async get(diffIds, extractors) {
      const keys = [FS_KEY, ...extractors.map((x) => ({ extractor: x.name, version: x.version }))];
      const rows = await getLayerCache(store, diffIds, keys);
      const out = new Map<string, Map<string, unknown>>();
      for (const r of rows) {
        const m = out.get(r.diffId) ?? new Map<string, unknown>();
        m.set(cacheKey(r.extractor, r.version), r.result);
        out.set(r.diffId, m);
      }
      return out;
    },
    async put(diffId, entries) {
      await putLayerCache(
        store,
        entries.map((e) => ({ diffId, extractor: e.extractor, version: e.version, result: e.result })),
      );
    },
  };
}
