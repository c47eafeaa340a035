// Image source for a `docker save` archive: `docker-archive:FILE[:REF|:@N]` (the format of
// moby image/tarexport: manifest.json [{Config, RepoTags, Layers}], layers as uncompressed tars or,
// since Docker 25, OCI blobs). The archive carries no registry manifest, so one is synthesised
// (Docker schema 2, as skopeo does); the config digest — Docker's image ID — is the stable identity.
import type { Readable } from 'node:stream';
import type { ImageSource, ResolvedImage, ResolveOptions } from '../../core/image-source.js';
import type { Digest } from '../../core/types.js';
import { digestOf, readAll } from '../digest-stream.js';
import { BlobUnknownError, ImageSourceError, ManifestUnknownError } from '../errors.js';
import { DOCKER_CONFIG, DOCKER_LAYER, DOCKER_LAYER_GZIP, DOCKER_MANIFEST } from '../media-types.js';
import { normaliseReference } from '../reference.js';
import { type FetchedManifest, type ManifestFetcher, resolveFromRoot } from '../resolve-image.js';
import { dockerArchiveManifestSchema, imageConfigSchema } from '../schema.js';
import { type FileReader, openVerified, tarReader } from './blob-reader.js';
import { indexTar, normaliseMemberName } from './tar-index.js';

const BLOB_PATH = /^blobs\/(sha256|sha512)\/([a-f0-9]+)$/;

export class DockerArchiveSource implements ImageSource, ManifestFetcher {
  /** digest → member path, filled by resolve(). */
  private readonly paths = new Map<Digest, string>();
  private manifestBytes: Buffer | undefined;

  constructor(
    readonly description: string,
    private readonly reader: FileReader,
    private readonly selector: { ref?: string | undefined; position?: number | undefined },
  ) {}

  private async entry() {
    let entries: ReturnType<typeof dockerArchiveManifestSchema.parse>;
    try {
      entries = dockerArchiveManifestSchema.parse(
        JSON.parse((await this.reader.readSmall('manifest.json')).toString('utf8')),
      );
    } catch (err) {
      throw new ImageSourceError(
        `${this.description} is not a docker-save archive: manifest.json is missing or invalid (${(err as Error).message})`,
      );
    }
    const { ref, position } = this.selector;
    if (position !== undefined) {
      const e = entries[position];
      if (!e)
        throw new ManifestUnknownError(
          `${this.description} has ${entries.length} images; @${position} is out of range`,
        );
      return e;
    }
    if (ref !== undefined) {
      const wanted = normaliseReference(ref);
      const e = entries.find((x) => (x.RepoTags ?? []).some((t) => normaliseReference(t) === wanted));
      if (!e)
        throw new ManifestUnknownError(
          `${this.description} has no image named ${ref}; it has ${entries.flatMap((x) => x.RepoTags ?? []).join(', ') || 'only untagged images (use :@0)'}`,
        );
      return e;
    }
    if (entries.length !== 1)
      throw new ImageSourceError(
        `${this.description} holds ${entries.length} images; name one with :REF or :@INDEX`,
      );
    return entries[0]!;
  }

  async resolve(opts: ResolveOptions = {}): Promise<ResolvedImage> {
    const e = await this.entry();
    const configPath = normaliseMemberName(e.Config);
    const configBytes = await this.reader.readSmall(configPath);
    const configDigest = digestOf(configBytes);
    const config = imageConfigSchema.safeParse(JSON.parse(configBytes.toString('utf8')));
    if (!config.success)
      throw new ImageSourceError(`${this.description}: ${configPath} is not a valid image config`);
    this.paths.set(configDigest, configPath);
    const diffIds = config.data.rootfs.diff_ids;
    if (diffIds.length !== e.Layers.length)
      throw new ImageSourceError(
        `${this.description}: manifest.json lists ${e.Layers.length} layers but the config has ${diffIds.length} diff_ids`,
      );
    const layers = [];
    for (const [i, layer] of e.Layers.entries()) {
      const path = normaliseMemberName(layer);
      const size = await this.reader.size(path);
      if (size === undefined) throw new BlobUnknownError(`${this.description} has no layer file ${path}`);
      const m = BLOB_PATH.exec(path);
      // Legacy layer.tar files are uncompressed: their digest is the diff_id, checked on read.
      const digest = m ? `${m[1]}:${m[2]}` : diffIds[i]!;
      const compressed = digest !== diffIds[i];
      this.paths.set(digest, path);
      layers.push({ mediaType: compressed ? DOCKER_LAYER_GZIP : DOCKER_LAYER, size, digest });
    }
    const manifest = {
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: DOCKER_CONFIG, size: configBytes.length, digest: configDigest },
      layers,
    };
    this.manifestBytes = Buffer.from(JSON.stringify(manifest));
    const root: FetchedManifest = {
      digest: digestOf(this.manifestBytes),
      mediaType: DOCKER_MANIFEST,
      bytes: this.manifestBytes,
    };
    return resolveFromRoot(this, root, { reference: this.description, tag: undefined }, opts);
  }

  async fetchManifest(d: { digest: Digest }): Promise<FetchedManifest> {
    if (!this.manifestBytes || digestOf(this.manifestBytes) !== d.digest)
      throw new ManifestUnknownError(`${this.description} has no manifest ${d.digest}`);
    return { digest: d.digest, mediaType: DOCKER_MANIFEST, bytes: this.manifestBytes };
  }

  async fetchConfig(d: { digest: Digest; size?: number | undefined }, signal?: AbortSignal): Promise<Buffer> {
    return readAll(await this.openBlob(d.digest, { expectedSize: d.size, signal }));
  }

  async openBlob(
    digest: Digest,
    opts: { expectedSize?: number | undefined; signal?: AbortSignal | undefined } = {},
  ): Promise<Readable> {
    if (this.paths.size === 0) await this.resolve();
    const path = this.paths.get(digest);
    if (!path)
      throw new BlobUnknownError(
        `${this.description} has no blob ${digest}; expected the config or a layer of the selected image`,
      );
    return openVerified(this.reader, path, digest, opts.expectedSize, opts.signal);
  }
}

/** `FILE[:REF|:@N]`: the part after the first colon that follows a `.tar` (or the last colon) names the image. */
export function splitDockerArchiveSpec(spec: string): { path: string; ref?: string; position?: number } {
  const m = /^(.*?\.tar(?:\.gz)?)(?::(.+))?$/.exec(spec);
  const path = m ? m[1]! : spec;
  const rest = m ? m[2] : undefined;
  if (rest === undefined) return { path };
  if (/^@\d+$/.test(rest)) return { path, position: Number(rest.slice(1)) };
  return { path, ref: rest };
}

export async function openDockerArchive(spec: string): Promise<DockerArchiveSource> {
  const { path, ref, position } = splitDockerArchiveSpec(spec);
  return new DockerArchiveSource(`docker-archive:${spec}`, tarReader(await indexTar(path)), {
    ref,
    position,
  });
}
