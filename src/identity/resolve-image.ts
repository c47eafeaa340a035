// Resolution shared by every image source: from a root document (index or manifest) to the
// selected platform manifests with their verified configs and layers (OCI image-spec index,
// manifest and config; Docker schema 2). Sources only fetch bytes; this file interprets them.
import type { ImageConfig, PlatformImage, ResolvedImage, ResolveOptions } from '../core/image-source.js';
import type { Digest, Platform } from '../core/types.js';
import { verifyBytes } from './digest-stream.js';
import { InvalidManifestError, PlatformNotFoundError, UnsupportedMediaTypeError } from './errors.js';
import { classifyManifest, isImageConfigType, isLayerType } from './media-types.js';
import {
  DEFAULT_PLATFORM,
  descriptorPlatform,
  formatPlatform,
  normalisePlatform,
  runnableEntries,
  selectPlatform,
} from './platform.js';
import {
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  imageConfigSchema,
  indexSchema,
  manifestSchema,
} from './schema.js';

/** A manifest document as fetched, already verified against `digest`. */
export interface FetchedManifest {
  digest: Digest;
  /** The media type the transport declared (Content-Type or descriptor), if any. */
  mediaType?: string | undefined;
  bytes: Buffer;
}

/** What a source must provide for resolution. Fetchers verify digests. */
export interface ManifestFetcher {
  description: string;
  fetchManifest(
    descriptor: { digest: Digest; mediaType?: string | undefined; size?: number | undefined },
    signal?: AbortSignal,
  ): Promise<FetchedManifest>;
  /** Reads a small blob (an image config) whole, verified. */
  fetchConfig(
    descriptor: { digest: Digest; size?: number | undefined },
    signal?: AbortSignal,
  ): Promise<Buffer>;
}

export type ParsedDocument =
  | { kind: 'index'; mediaType: string; index: ImageIndex; raw: unknown }
  | { kind: 'manifest'; mediaType: string; manifest: ImageManifest; raw: unknown };

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new InvalidManifestError(
      `${what} is not valid JSON (${(err as Error).message}); expected an OCI/Docker manifest document`,
    );
  }
}

function zodProblem(err: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const i = err.issues[0];
  return i ? `${i.path.map(String).join('.') || '(root)'}: ${i.message}` : 'invalid';
}

/** Parses and validates a manifest or index document. */
export function parseManifestDocument(fetched: FetchedManifest, what: string): ParsedDocument {
  const raw = parseJson(fetched.bytes, what);
  const { mediaType, kind } = classifyManifest(raw, fetched.mediaType, what);
  if (kind === 'index') {
    const r = indexSchema.safeParse(raw);
    if (!r.success)
      throw new InvalidManifestError(`${what} is not a valid image index: ${zodProblem(r.error)}`);
    return { kind, mediaType, index: r.data, raw };
  }
  const r = manifestSchema.safeParse(raw);
  if (!r.success)
    throw new InvalidManifestError(`${what} is not a valid image manifest: ${zodProblem(r.error)}`);
  const configType = r.data.config.mediaType ?? '';
  const foreignLayer = r.data.layers.find((l) => l.mediaType && !isLayerType(l.mediaType));
  if (foreignLayer)
    throw new UnsupportedMediaTypeError(
      foreignLayer.mediaType!,
      `${what} carries a ${foreignLayer.mediaType} layer, so it is an artifact (build record, signature, SBOM…), not a runnable image; expected tar layers — name the image itself`,
    );
  if (!isImageConfigType(configType) || r.data.artifactType)
    throw new UnsupportedMediaTypeError(
      r.data.artifactType ?? configType,
      `${what} is an OCI artifact (${r.data.artifactType ?? configType}), not a runnable image; expected a config of type application/vnd.oci.image.config.v1+json or application/vnd.docker.container.image.v1+json — name the image, not its signature/SBOM/attestation`,
    );
  return { kind, mediaType, manifest: r.data, raw };
}

/** Loads one platform manifest: its config (verified) and its layers paired with the diff_ids. */
export async function loadPlatformImage(
  fetcher: ManifestFetcher,
  fetched: FetchedManifest,
  parsed: Extract<ParsedDocument, { kind: 'manifest' }>,
  signal?: AbortSignal,
): Promise<PlatformImage> {
  const what = `manifest ${fetched.digest} from ${fetcher.description}`;
  const { manifest } = parsed;
  const configBytes = await fetcher.fetchConfig(manifest.config, signal);
  verifyBytes(configBytes, manifest.config.digest, `config ${manifest.config.digest} of ${what}`);
  const r = imageConfigSchema.safeParse(parseJson(configBytes, `config of ${what}`));
  if (!r.success)
    throw new InvalidManifestError(
      `the config of ${what} is not a valid image config: ${zodProblem(r.error)}`,
    );
  const config = r.data as ImageConfig;
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== manifest.layers.length)
    throw new InvalidManifestError(
      `${what} lists ${manifest.layers.length} layers but its config has ${diffIds.length} rootfs.diff_ids; expected one diff_id per layer — the image is malformed, rebuild it`,
    );
  const platform = normalisePlatform({
    os: config.os,
    architecture: config.architecture,
    variant: config.variant,
    osVersion: config['os.version'],
  });
  return {
    digest: fetched.digest,
    mediaType: parsed.mediaType,
    platform,
    configDigest: manifest.config.digest,
    config,
    layers: manifest.layers.map((l, i) => ({
      digest: l.digest,
      mediaType: l.mediaType ?? '',
      size: l.size,
      diffId: diffIds[i]!,
    })),
    manifest: parsed.raw,
  };
}

/** Flattens nested indexes into their runnable leaf entries (depth-limited against loops). */
async function leafEntries(
  fetcher: ManifestFetcher,
  index: ImageIndex,
  signal: AbortSignal | undefined,
  depth = 0,
): Promise<Descriptor[]> {
  const out: Descriptor[] = [];
  for (const d of runnableEntries(index.manifests)) {
    if (d.mediaType && /index|list/.test(d.mediaType) && !d.platform) {
      if (depth >= 4)
        throw new InvalidManifestError(`${fetcher.description}: indexes nested more than 4 deep (a loop?)`);
      const nested = parseManifestDocument(await fetcher.fetchManifest(d, signal), `index ${d.digest}`);
      if (nested.kind === 'index') out.push(...(await leafEntries(fetcher, nested.index, signal, depth + 1)));
    } else out.push(d);
  }
  return out;
}

/** Resolves a root document into a ResolvedImage per ResolveOptions (default linux/amd64). */
export async function resolveFromRoot(
  fetcher: ManifestFetcher,
  root: FetchedManifest,
  names: Pick<ResolvedImage, 'reference' | 'registry' | 'repository' | 'tag'>,
  opts: ResolveOptions = {},
): Promise<ResolvedImage> {
  const signal = opts.signal;
  const doc = parseManifestDocument(root, `${names.reference} (${root.digest})`);
  // The root document and its size ride along (extra fields) so the identity graph can store them.
  const base = {
    ...names,
    digest: root.digest,
    mediaType: doc.mediaType,
    document: doc.raw,
    size: root.bytes.length,
  };
  if (doc.kind === 'manifest') {
    const image = await loadPlatformImage(fetcher, root, doc, signal);
    const wanted = opts.platform;
    if (wanted && wanted !== 'all') {
      const w = normalisePlatform(wanted);
      if (w.os !== image.platform.os || w.architecture !== image.platform.architecture)
        throw new PlatformNotFoundError(formatPlatform(w), [formatPlatform(image.platform)]);
    }
    return { ...base, platforms: [image] };
  }
  const leaves = await leafEntries(fetcher, doc.index, signal);
  const children = leaves.map((d) => ({
    digest: d.digest,
    mediaType: d.mediaType ?? '',
    platform: descriptorPlatform(d) ?? ({ os: 'unknown', architecture: 'unknown' } as Platform),
  }));
  let chosen: Descriptor[];
  if (opts.platform === 'all') chosen = leaves;
  else {
    const wanted = opts.platform ?? DEFAULT_PLATFORM;
    // An index whose only entry declares no platform (allowed by image-spec): take that entry.
    const d =
      selectPlatform(leaves, wanted) ?? (leaves.length === 1 && !leaves[0]!.platform ? leaves[0] : undefined);
    if (!d)
      throw new PlatformNotFoundError(
        formatPlatform(normalisePlatform(wanted)),
        children.map((c) => formatPlatform(c.platform)),
      );
    chosen = [d];
  }
  const platforms: PlatformImage[] = [];
  for (const d of chosen) {
    const fetched = await fetcher.fetchManifest(d, signal);
    const parsed = parseManifestDocument(fetched, `manifest ${d.digest} of ${names.reference}`);
    if (parsed.kind !== 'manifest')
      throw new InvalidManifestError(
        `${names.reference}: entry ${d.digest} of the index is itself an index with a platform; expected a manifest`,
      );
    platforms.push(await loadPlatformImage(fetcher, fetched, parsed, signal));
  }
  return { ...base, platforms, children };
}
