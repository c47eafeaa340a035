// The stage function behind `runsight image resolve`: opens any image spec, resolves it (tag →
// digest, index → platform manifests), records the resolution in the identity graph when a store
// is given (one transaction; nothing is written if resolution fails), and shapes the documented
// JSON result (docs/identity.md).
import type { ResolveOptions } from '../core/image-source.js';
import type { Platform } from '../core/types.js';
import type { RecordedResolution, Store } from '../store/index.js';
import { type OpenImageSourceOptions, openImageSource } from './open-image-source.js';

export interface ImageResolution {
  reference: string;
  registry: string | null;
  repository: string | null;
  tag: string | null;
  /** The index digest for a multi-platform image, else the manifest digest. */
  digest: string;
  mediaType: string;
  /** The config digest of the manifest — for an index, of the one selected platform (null for `all`). */
  configDigest: string | null;
  platforms: {
    os: string;
    architecture: string;
    variant: string | null;
    digest: string;
    configDigest: string;
  }[];
}

export interface ResolveImageIdentityOptions extends OpenImageSourceOptions {
  platform?: Platform | 'all' | undefined;
  signal?: AbortSignal | undefined;
  /** Record the resolution here (tag history, images, children, layers, names). */
  store?: Store | undefined;
  observedAt?: Date | undefined;
}

export async function resolveImageIdentity(
  spec: string,
  opts: ResolveImageIdentityOptions = {},
): Promise<ImageResolution & { recorded?: RecordedResolution | undefined }> {
  const source = await openImageSource(spec, opts);
  const resolveOpts: ResolveOptions = { platform: opts.platform, signal: opts.signal };
  const resolved = await source.resolve(resolveOpts);
  // The store's code is loaded only to record: `image resolve --no-record` runs without it.
  const recorded = opts.store
    ? await (await import('../store/index.js')).recordResolution(opts.store, resolved, {
        observedAt: opts.observedAt,
      })
    : undefined;
  const result: ImageResolution = {
    reference: spec,
    registry: resolved.registry ?? null,
    repository: resolved.repository ?? null,
    tag: resolved.tag ?? null,
    digest: resolved.digest,
    mediaType: resolved.mediaType,
    configDigest: resolved.platforms.length === 1 ? resolved.platforms[0]!.configDigest : null,
    platforms: resolved.platforms.map((p) => ({
      os: p.platform.os,
      architecture: p.platform.architecture,
      variant: p.platform.variant ?? null,
      digest: p.digest,
      configDigest: p.configDigest,
    })),
  };
  return Object.defineProperty(result, 'recorded', { value: recorded, enumerable: false });
}
