// Runs the extractors over an image's layers, base first, reading from the per-layer cache what it
// can: a layer whose every (extractor, version) result is cached is not downloaded at all; a layer
// with some results missing is walked once for just those extractors. Complete walks are cached.
// A decompression bomb, a path traversal or an unreadable layer stops the walk (the scan is partial).
import type { ImageSource, LayerDescriptor } from '../core/image-source.js';
import { type CachedExtractor, type CachedFs, cacheKey, FS_KEY, type LayerCachePort } from './cache.js';
import { byteBudget } from './decompress.js';
import type { Extractor, LayerResult, ScanIssue, ScanLimits } from './types.js';
import { walkLayer } from './walk-layer.js';

export interface ScanLayersOptions {
  source: ImageSource;
  layers: readonly LayerDescriptor[];
  extractors: readonly Extractor[];
  limits: ScanLimits;
  cache?: LayerCachePort | undefined;
  signal?: AbortSignal | undefined;
  onLayer?: ((index: number, result: LayerResult) => void) | undefined;
}

export interface ScannedLayers {
  layers: LayerResult[];
  errors: ScanIssue[];
  /** False when a layer could not be read to the end (the results are then partial). */
  complete: boolean;
  cachedLayers: number;
  bytes: number;
}

const FATAL = new Set(['decompression-limit', 'path-traversal', 'layer-unreadable', 'aborted']);

export async function scanLayers(opts: ScanLayersOptions): Promise<ScannedLayers> {
  const budget = byteBudget(opts.limits.maxTotalBytes);
  const diffIds = opts.layers.map((l) => l.diffId);
  const cached = opts.cache
    ? await opts.cache.get(diffIds, opts.extractors)
    : new Map<string, Map<string, unknown>>();
  const out: LayerResult[] = [];
  const errors: ScanIssue[] = [];
  let cachedLayers = 0;
  let complete = true;
  for (const [i, layer] of opts.layers.entries()) {
    opts.signal?.throwIfAborted();
    const hit = cached.get(layer.diffId) ?? new Map<string, unknown>();
    const fs = hit.get(cacheKey(FS_KEY.extractor, FS_KEY.version)) as CachedFs | undefined;
    const missing = opts.extractors.filter((x) => !hit.has(cacheKey(x.name, x.version)));
    const fromCache = opts.extractors
      .filter((x) => hit.has(cacheKey(x.name, x.version)))
      .map((x) => hit.get(cacheKey(x.name, x.version)) as CachedExtractor);
    let result: LayerResult;
    if (fs && missing.length === 0) {
      cachedLayers++;
      result = {
        diffId: layer.diffId,
        changes: fs.changes,
        records: fromCache.flatMap((c) => c.records),
        errors: fromCache.flatMap((c) => c.errors),
        bytes: 0,
        complete: true,
        cached: true,
      };
    } else {
      let walked: LayerResult;
      try {
        const blob = await opts.source.openBlob(layer.digest, {
          expectedSize: layer.size,
          signal: opts.signal,
        });
        walked = await walkLayer(blob, {
          diffId: layer.diffId,
          extractors: missing,
          limits: opts.limits,
          budget,
          signal: opts.signal,
        });
      } catch (err) {
        walked = {
          diffId: layer.diffId,
          changes: { whiteouts: [], opaqueDirs: [], symlinks: [], hardlinks: [], replaced: [] },
          records: [],
          errors: [
            {
              code: 'layer-unreadable',
              message: `layer ${layer.digest}: ${(err as Error).message}`,
              layer: layer.diffId,
            },
          ],
          bytes: 0,
          complete: false,
          cached: false,
        };
      }
      if (walked.complete && opts.cache) {
        await opts.cache.put(layer.diffId, [
          { ...FS_KEY, result: { changes: walked.changes, bytes: walked.bytes } satisfies CachedFs },
          ...missing.map((x) => ({
            extractor: x.name,
            version: x.version,
            result: {
              records: walked.records.filter((r) => r.extractor === x.name),
              errors: walked.errors.filter((e) => e.message.startsWith(`${x.name}:`)),
            } satisfies CachedExtractor,
          })),
        ]);
      }
      result = {
        ...walked,
        records: [...fromCache.flatMap((c) => c.records), ...walked.records],
        errors: [...fromCache.flatMap((c) => c.errors), ...walked.errors],
      };
    }
    out.push(result);
    errors.push(...result.errors);
    opts.onLayer?.(i, result);
    if (!result.complete) {
      complete = false;
      if (result.errors.some((e) => FATAL.has(e.code))) break;
    }
  }
  return { layers: out, errors, complete, cachedLayers, bytes: budget.used };
}
