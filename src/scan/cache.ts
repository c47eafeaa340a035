// The per-layer cache: results keyed by (layer diffID, extractor name, extractor version), plus the
// layer's filesystem changes under the pseudo-extractor `layer/fs`. Only complete layer walks are
// stored, so a cached layer never hides a partial read. Beside it, the blobs known to hold a layer
// (ADR 0020): a blob read to the end whose bytes matched its digest and decompressed to its diffID.
// A layer whose blob is known and whose results are all cached needs no download.
import type { Store } from '../store/index.js';
import { getLayerBlobs, getLayerCache, putLayerBlobs, putLayerCache } from '../store/index.js';
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
  /** The known blobs among `digests`: blob digest → the diffID its bytes decompressed to. */
  knownBlobs(digests: readonly string[]): Promise<Map<string, string>>;
  /** Records a blob read to the end, digest-checked and decompressed to `diffId`. */
  putBlob(blob: { digest: string; diffId: string; size: number }): Promise<void>;
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
    knownBlobs: (digests) => getLayerBlobs(store, digests),
    putBlob: (blob) => putLayerBlobs(store, [blob]),
  };
}
