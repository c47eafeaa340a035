// Runs the extractors over an image's layers, base first, reading from the per-layer cache what it
// can (ADR 0004, ADR 0020): a layer whose every (extractor, version, per-file limit) result is cached
// and whose blob is known to hold it (layer_blobs: that blob was once read to the end, matched its
// digest and decompressed to exactly this diffID) is not downloaded at all. Its cached decompressed
// size counts against `maxTotalBytes` as a walk would. A layer with a result missing, or named by a
// blob not yet known to hold it (another compression of the same layer, or a store from before the
// blob record), is walked once for just the missing extractors (possibly none: then the walk only
// proves the blob), which checks the blob's digest and the decompressed bytes' diffID, and records
// the blob. Complete walks are cached. A decompression bomb, a path traversal, an unreadable or
// corrupt layer, or one whose bytes are not its diffID stops the walk (the scan is partial), and that
// layer contributes nothing but its errors: what was read of it before the failure is unverified.
// `verifyCachedLayers: true` also streams each skipped layer's blob through the digest check.
import { type Readable, Transform } from 'node:stream';
import type { ImageSource, LayerDescriptor } from '../core/image-source.js';
import type { ProgressSink } from '../core/progress.js';
import { type CachedExtractor, type CachedFs, cacheKey, FS_KEY, type LayerCachePort } from './cache.js';
import { byteBudget } from './decompress.js';
import { DecompressionLimitError } from './errors.js';
import type { Extractor, LayerChanges, LayerResult, ScanIssue, ScanLimits } from './types.js';
import { walkLayer } from './walk-layer.js';

export interface ScanLayersOptions {
  source: ImageSource;
  layers: readonly LayerDescriptor[];
  extractors: readonly Extractor[];
  limits: ScanLimits;
  cache?: LayerCachePort | undefined;
  signal?: AbortSignal | undefined;
  onLayer?: ((index: number, result: LayerResult) => void) | undefined;
  /**
   * Also stream and digest-check the blob of every layer served from the cache (default false: a
   * layer whose blob is known to hold it is not read at all; ADR 0020). On, a registry that now
   * serves that blob corrupt or not at all makes the layer unreadable and the scan partial.
   */
  verifyCachedLayers?: boolean | undefined;
  /** Layers done of total; `bytes` counts compressed bytes of finished layers plus the current read. */
  progress?: ProgressSink | undefined;
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
  const knownBlobs = opts.cache
    ? await opts.cache.knownBlobs(opts.layers.map((l) => l.digest))
    : new Map<string, string>();
  const usable = (hit: Map<string, unknown>, x: Extractor): CachedExtractor | undefined => {
    const c = hit.get(cacheKey(x.name, x.version)) as CachedExtractor | undefined;
    // A result made under another per-file limit may have read (or skipped) other files.
    return c && c.maxFileBytes === opts.limits.maxFileBytes ? c : undefined;
  };
  const plans = opts.layers.map((layer) => {
    const hit = cached.get(layer.diffId) ?? new Map<string, unknown>();
    const fs = hit.get(cacheKey(FS_KEY.extractor, FS_KEY.version)) as CachedFs | undefined;
    const missing = opts.extractors.filter((x) => !usable(hit, x));
    const fromCache = opts.extractors.flatMap((x) => usable(hit, x) ?? []);
    const known = knownBlobs.get(layer.digest) === layer.diffId;
    return { layer, fs, missing, fromCache, allCached: fs !== undefined && missing.length === 0 && known };
  });
  const totalBytes = opts.layers.reduce((n, l) => n + l.size, 0);
  let finishedBytes = 0;
  const report = (done: number, inFlight: number) =>
    opts.progress?.({
      task: 'scan',
      done,
      total: opts.layers.length,
      unit: 'layers',
      bytes: finishedBytes + inFlight,
      totalBytes,
    });
  report(0, 0);
  const out: LayerResult[] = [];
  const errors: ScanIssue[] = [];
  let cachedLayers = 0;
  let complete = true;
  for (const [i, { layer, fs, missing, fromCache, allCached }] of plans.entries()) {
    opts.signal?.throwIfAborted();
    let result: LayerResult;
    if (allCached && fs) {
      const failed =
        opts.verifyCachedLayers === true ? await verifyBlob(opts.source, layer, opts.signal) : undefined;
      if (failed) {
        result = failedLayer(layer.diffId, {
          code: 'layer-unreadable',
          message: `layer ${layer.digest}: ${failed.message} (its cached results are not used)`,
          layer: layer.diffId,
        });
      } else if (budget.remaining - fs.bytes < 0) {
        budget.remaining -= fs.bytes;
        result = failedLayer(layer.diffId, {
          code: 'decompression-limit',
          message: new DecompressionLimitError(budget.limit).message,
          layer: layer.diffId,
        });
      } else {
        budget.remaining -= fs.bytes;
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
      }
    } else {
      let walked: LayerResult;
      try {
        const opened = await opts.source.openBlob(layer.digest, {
          expectedSize: layer.size,
          signal: opts.signal,
        });
        const blob = opts.progress ? counted(opened, (n) => report(i, n)) : opened;
        walked = await walkLayer(blob, {
          diffId: layer.diffId,
          extractors: missing,
          limits: opts.limits,
          budget,
          signal: opts.signal,
        });
      } catch (err) {
        walked = failedLayer(layer.diffId, {
          code: 'layer-unreadable',
          message: `layer ${layer.digest}: ${(err as Error).message}`,
          layer: layer.diffId,
        });
      }
      if (walked.complete && opts.cache) {
        await opts.cache.putBlob({ digest: layer.digest, diffId: layer.diffId, size: layer.size });
        await opts.cache.put(layer.diffId, [
          { ...FS_KEY, result: { changes: walked.changes, bytes: walked.bytes } satisfies CachedFs },
          ...missing.map((x) => ({
            extractor: x.name,
            version: x.version,
            result: {
              records: walked.records.filter((r) => r.extractor === x.name),
              errors: walked.errors.filter((e) => e.message.startsWith(`${x.name}:`)),
              maxFileBytes: opts.limits.maxFileBytes,
            } satisfies CachedExtractor,
          })),
        ]);
      }
      result = {
        ...walked,
        // The cached extractors' files were replaced by this layer too (a walk for some extractors
        // only records the files those want).
        changes: fs && walked.complete ? withReplaced(walked.changes, fs.changes.replaced) : walked.changes,
        records: [...fromCache.flatMap((c) => c.records), ...walked.records],
        errors: [...fromCache.flatMap((c) => c.errors), ...walked.errors],
      };
    }
    const fatal = result.errors.some((e) => FATAL.has(e.code));
    if (fatal) result = rejected(result);
    out.push(result);
    errors.push(...result.errors);
    finishedBytes += layer.size;
    report(i + 1, 0);
    opts.onLayer?.(i, result);
    if (!result.complete) {
      complete = false;
      if (fatal) break;
    }
  }
  return { layers: out, errors, complete, cachedLayers, bytes: budget.used };
}

function withReplaced(changes: LayerChanges, more: readonly string[]): LayerChanges {
  const have = new Set(changes.replaced);
  return { ...changes, replaced: [...changes.replaced, ...more.filter((p) => !have.has(p))] };
}

/** A layer whose walk was rejected or cut short: it keeps its errors and contributes nothing. */
function rejected(r: LayerResult): LayerResult {
  return {
    ...r,
    changes: { whiteouts: [], opaqueDirs: [], symlinks: [], hardlinks: [], replaced: [] },
    records: [],
    complete: false,
    cached: false,
  };
}

function failedLayer(diffId: string, issue: ScanIssue): LayerResult {
  return {
    diffId,
    changes: { whiteouts: [], opaqueDirs: [], symlinks: [], hardlinks: [], replaced: [] },
    records: [],
    errors: [issue],
    bytes: 0,
    complete: false,
    cached: false,
  };
}

/** Streams a blob to its end without decompressing it: the source checks size and digest. */
async function verifyBlob(
  source: ImageSource,
  layer: LayerDescriptor,
  signal: AbortSignal | undefined,
): Promise<Error | undefined> {
  try {
    const blob = await source.openBlob(layer.digest, { expectedSize: layer.size, signal });
    try {
      for await (const _ of blob) signal?.throwIfAborted();
    } finally {
      blob.destroy();
    }
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

/** Passes a blob through, telling `onBytes` how many bytes have come so far. */
function counted(blob: Readable, onBytes: (n: number) => void): Readable {
  let n = 0;
  const t = new Transform({
    transform(chunk: Buffer, _e, cb) {
      n += chunk.length;
      onBytes(n);
      cb(null, chunk);
    },
  });
  blob.on('error', (e) => t.destroy(e));
  t.on('close', () => {
    if (!blob.destroyed) blob.destroy();
  });
  return blob.pipe(t);
}
