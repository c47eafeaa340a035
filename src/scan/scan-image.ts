// The built-in scanner end to end: resolve an image source (registry reference, `oci:`,
// `oci-archive:`, `docker-archive:`) → for each selected platform walk its layers (cached per
// layer) → fold → OS → packages (the SBOM) → match against the advisory database → store the scan
// atomically under the platform manifest digest, with the image identity recorded beside it.
import type { ImageSource, PlatformImage, ResolvedImage } from '../core/image-source.js';
import { type Logger, silentLogger } from '../core/logger.js';
import type { ProgressSink } from '../core/progress.js';
import type { Finding, Package, Platform } from '../core/types.js';
import { formatPlatform, type OpenImageSourceOptions, openImageSource } from '../identity/index.js';
import type { Store } from '../store/index.js';
import { recordResolution, saveScan } from '../store/index.js';
import { type LayerCachePort, storeLayerCache } from './cache.js';
import { cleanScanOutput, storableLayerCache } from './clean-result.js';
import { EXTRACTORS } from './extractors/index.js';
import { detectOs, type OsInfo } from './extractors/os/release/detect.js';
import { foldLayers } from './fold.js';
import { viewPackages } from './packages.js';
import { scanLayers } from './scan-layers.js';
import { DEFAULT_LIMITS, type Extractor, type ScanIssue, type ScanLimits } from './types.js';

export const SCANNER_VERSION = 1;

/** Matches packages against advisories (the advisories stage's `matchPackages`). */
export type PackageMatcher = (
  packages: Package[],
  opts: { osEcosystem?: string | undefined },
) => Promise<Finding[]>;

export interface ScanImageOptions {
  /** An image spec (`127.0.0.1:5000/app:1`, `oci:DIR:TAG`, …) or an opened ImageSource. */
  source: string | ImageSource;
  /** One platform, or every platform of an index. Default linux/amd64. */
  platform?: Platform | 'all' | undefined;
  /** The store: layer cache, scan storage and identity. Without it nothing is cached or saved. */
  store?: Store | undefined;
  /** Matches the SBOM against advisories; without it the scan has no findings. */
  match?: PackageMatcher | undefined;
  /** Store the result (default: true when `store` is given). */
  save?: boolean | undefined;
  extractors?: readonly Extractor[] | undefined;
  limits?: Partial<ScanLimits> | undefined;
  /** Options for opening registry references (insecure registries, credentials, …). */
  sourceOptions?: OpenImageSourceOptions | undefined;
  cache?: LayerCachePort | undefined;
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
  onProgress?: ((msg: string) => void) | undefined;
  /** Layers done of total and compressed bytes read, as the scan goes (per layer and per chunk). */
  progress?: ProgressSink | undefined;
  /**
   * Also report language packages whose files an OS package owns (Debian's python3-requests →
   * PyPI requests). Default false: they are the OS package's copy, patched by the distribution.
   */
  includeOsOwned?: boolean | undefined;
  /**
   * Also stream and digest-check the blob of every layer served from the cache (default false: a
   * layer whose blob was once read and checked is not downloaded again; ADR 0020).
   */
  verifyCachedLayers?: boolean | undefined;
}

export interface ImageScanResult {
  image: {
    reference: string;
    digest: string;
    platform: string;
    configDigest: string;
    /** The index the platform was selected from, when there is one. */
    indexDigest?: string | undefined;
  };
  os: OsInfo | null;
  status: 'complete' | 'partial';
  errors: ScanIssue[];
  packages: Package[];
  findings: Finding[];
  stats: {
    layers: number;
    cachedLayers: number;
    bytes: number;
    /** Language packages left out because an OS package owns their file (docs/scan.md); image scans only. */
    osOwnedSkipped?: number | undefined;
    seconds: number;
  };
  /** The stored scan id, when saved. */
  scanId?: number | undefined;
}

export async function scanImage(opts: ScanImageOptions): Promise<ImageScanResult[]> {
  const logger = opts.logger ?? silentLogger;
  const source =
    typeof opts.source === 'string'
      ? await openImageSource(opts.source, { ...opts.sourceOptions, logger })
      : opts.source;
  const resolved = await source.resolve({ platform: opts.platform, signal: opts.signal });
  if (opts.store) await recordResolution(opts.store, resolved);
  const results: ImageScanResult[] = [];
  for (const image of resolved.platforms) {
    results.push(await scanPlatform(source, resolved, image, opts, logger));
  }
  return results;
}

async function scanPlatform(
  source: ImageSource,
  resolved: ResolvedImage,
  image: PlatformImage,
  opts: ScanImageOptions,
  logger: Logger,
): Promise<ImageScanResult> {
  const started = new Date();
  const t0 = performance.now();
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const extractors = opts.extractors ?? EXTRACTORS;
  const platform = formatPlatform(image.platform);
  opts.onProgress?.(`scanning ${resolved.reference} ${platform}: ${image.layers.length} layers`);
  const walked = await scanLayers({
    source,
    layers: image.layers,
    extractors,
    limits,
    cache: storableLayerCache(opts.cache ?? (opts.store ? storeLayerCache(opts.store) : undefined)),
    signal: opts.signal,
    verifyCachedLayers: opts.verifyCachedLayers,
    onLayer: (i, r) =>
      opts.onProgress?.(
        `layer ${i + 1}/${image.layers.length} ${r.cached ? 'cached' : `${(r.bytes / 2 ** 20).toFixed(1)} MiB`}`,
      ),
    progress: opts.progress
      ? (p) => opts.progress?.({ ...p, task: `scan ${resolved.reference} ${platform}` })
      : undefined,
  });
  const view = foldLayers(walked.layers);
  const detected = detectOs(view) ?? null;
  const viewed = viewPackages(
    view,
    detected ?? undefined,
    image.layers.map((l) => l.diffId),
    { includeOsOwned: opts.includeOsOwned },
  );
  const {
    os,
    packages,
    errors: layerErrors,
    cleaned,
  } = cleanScanOutput(detected, viewed.packages, walked.errors, logger);
  const errors = [...layerErrors];
  let findings: Finding[] = [];
  if (opts.match) {
    try {
      findings = await opts.match(packages, { osEcosystem: os?.ecosystem });
    } catch (err) {
      errors.push({
        code: 'match-failed',
        message: `matching against advisories failed: ${(err as Error).message}`,
      });
    }
  }
  const status: ImageScanResult['status'] = walked.complete && errors.length === 0 ? 'complete' : 'partial';
  errors.push(...cleaned);
  const stats = {
    layers: image.layers.length,
    cachedLayers: walked.cachedLayers,
    bytes: walked.bytes,
    osOwnedSkipped: viewed.osOwned,
    seconds: Number(((performance.now() - t0) / 1000).toFixed(3)),
  };
  const result: ImageScanResult = {
    image: {
      reference: resolved.reference,
      digest: image.digest,
      platform,
      configDigest: image.configDigest,
      indexDigest: resolved.digest !== image.digest ? resolved.digest : undefined,
    },
    os,
    status,
    errors,
    packages,
    findings,
    stats,
  };
  if (opts.store && opts.save !== false) {
    const saved = await saveScan(opts.store, {
      imageDigest: image.digest,
      source: 'runsight',
      scannerVersion: String(SCANNER_VERSION),
      reference: resolved.reference,
      status,
      errors: errors.map((e) => ({ code: e.code, message: e.message, path: e.path })),
      os: os ? { family: os.family, release: os.release, ecosystem: os.ecosystem } : undefined,
      stats: { ...stats, platform },
      startedAt: started,
      packages,
      findings,
    });
    result.scanId = saved.scanId;
  }
  logger.info('scanned image', {
    reference: resolved.reference,
    digest: image.digest,
    status,
    packages: packages.length,
    findings: findings.length,
    ...stats,
  });
  return result;
}
