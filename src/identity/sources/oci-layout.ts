// Image sources for an OCI image layout (OCI image-spec image-layout.md): a directory
// `oci:DIR[:TAG|@DIGEST]`, or the same layout in a tar file `oci-archive:FILE[:TAG|@DIGEST]`.
// The tag is the `org.opencontainers.image.ref.name` annotation of an index.json entry.
import type { Readable } from 'node:stream';
import type { ImageSource, ResolvedImage, ResolveOptions } from '../../core/image-source.js';
import type { Digest } from '../../core/types.js';
import { readAll, verifyBytes } from '../digest-stream.js';
import { ImageSourceError, ManifestUnknownError } from '../errors.js';
import { type FetchedManifest, type ManifestFetcher, resolveFromRoot } from '../resolve-image.js';
import { type Descriptor, indexSchema, ociLayoutSchema } from '../schema.js';
import { blobPath, directoryReader, type FileReader, openVerified, tarReader } from './blob-reader.js';
import { indexTar } from './tar-index.js';

const REF_NAME = 'org.opencontainers.image.ref.name';
const MAX_MANIFEST = 4 * 1024 * 1024;

export interface LayoutSelector {
  tag?: string | undefined;
  digest?: Digest | undefined;
}

export class OciLayoutSource implements ImageSource, ManifestFetcher {
  constructor(
    readonly description: string,
    private readonly reader: FileReader,
    private readonly selector: LayoutSelector,
  ) {}

  private async readIndex(): Promise<Descriptor[]> {
    let layoutBytes: Buffer;
    let indexBytes: Buffer;
    try {
      layoutBytes = await this.reader.readSmall('oci-layout');
      indexBytes = await this.reader.readSmall('index.json');
    } catch (err) {
      throw new ImageSourceError(
        `${this.description} is not an OCI image layout: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} reading oci-layout/index.json; expected a directory made by skopeo, umoci, buildkit or crane`,
      );
    }
    try {
      ociLayoutSchema.parse(JSON.parse(layoutBytes.toString('utf8')));
      return indexSchema.parse(JSON.parse(indexBytes.toString('utf8'))).manifests;
    } catch (err) {
      throw new ImageSourceError(
        `${this.description}: oci-layout or index.json is invalid: ${(err as Error).message}`,
      );
    }
  }

  /** Tags named in index.json, in order. */
  async tags(): Promise<string[]> {
    return (await this.readIndex())
      .map((d) => d.annotations?.[REF_NAME])
      .filter((t): t is string => Boolean(t));
  }

  private async rootDescriptor(): Promise<{
    digest: Digest;
    mediaType?: string | undefined;
    size?: number | undefined;
  }> {
    const entries = await this.readIndex();
    const { tag, digest } = this.selector;
    if (digest) {
      const d = entries.find((e) => e.digest === digest);
      return d ?? { digest };
    }
    if (tag !== undefined) {
      const d = entries.find((e) => e.annotations?.[REF_NAME] === tag);
      if (!d)
        throw new ManifestUnknownError(
          `${this.description} has no image tagged "${tag}"; it has ${(await this.tags()).join(', ') || 'no tags'}`,
        );
      return d;
    }
    if (entries.length === 1) return entries[0]!;
    throw new ImageSourceError(
      `${this.description} holds ${entries.length} images; name one with :TAG or @DIGEST (tags: ${(await this.tags()).join(', ') || 'none'})`,
    );
  }

  async fetchManifest(
    d: { digest: Digest; mediaType?: string | undefined; size?: number | undefined },
    signal?: AbortSignal,
  ): Promise<FetchedManifest> {
    const stream = await openVerified(this.reader, blobPath(d.digest), d.digest, d.size, signal);
    const bytes = await readAll(stream, MAX_MANIFEST);
    verifyBytes(bytes, d.digest, `manifest ${d.digest} in ${this.description}`);
    return { digest: d.digest, mediaType: d.mediaType, bytes };
  }

  async fetchConfig(d: { digest: Digest; size?: number | undefined }, signal?: AbortSignal): Promise<Buffer> {
    return readAll(
      await openVerified(this.reader, blobPath(d.digest), d.digest, d.size, signal),
      MAX_MANIFEST,
    );
  }

  async resolve(opts: ResolveOptions = {}): Promise<ResolvedImage> {
    const root = await this.rootDescriptor();
    const fetched = await this.fetchManifest(root, opts.signal);
    return resolveFromRoot(this, fetched, { reference: this.description, tag: this.selector.tag }, opts);
  }

  openBlob(digest: Digest, opts: { expectedSize?: number; signal?: AbortSignal } = {}): Promise<Readable> {
    return openVerified(this.reader, blobPath(digest), digest, opts.expectedSize, opts.signal);
  }
}

/** Splits `PATH[:TAG|@DIGEST]` (a colon followed by a slash-free rest is a tag). */
export function splitLayoutSpec(spec: string): { path: string } & LayoutSelector {
  const at = /@([a-z0-9]+:[a-f0-9]+)$/.exec(spec);
  if (at) return { path: spec.slice(0, at.index), digest: at[1] };
  const colon = spec.lastIndexOf(':');
  if (colon > 0 && !spec.slice(colon + 1).includes('/'))
    return { path: spec.slice(0, colon), tag: spec.slice(colon + 1) };
  return { path: spec };
}

export function openOciLayout(spec: string): OciLayoutSource {
  const { path, tag, digest } = splitLayoutSpec(spec);
  return new OciLayoutSource(`oci:${spec}`, directoryReader(path), { tag, digest });
}

export async function openOciArchive(spec: string): Promise<OciLayoutSource> {
  const { path, tag, digest } = splitLayoutSpec(spec);
  return new OciLayoutSource(`oci-archive:${spec}`, tarReader(await indexTar(path)), { tag, digest });
}
