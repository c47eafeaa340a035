// The ImageSource for a registry reference: tag → digest resolution (GET manifest with Accept),
// index → platform manifests, configs and blobs fetched through the RegistryClient and verified.
import type { Readable } from 'node:stream';
import type { ImageSource, ResolvedImage, ResolveOptions } from '../../core/image-source.js';
import type { Digest, ImageRef } from '../../core/types.js';
import { familiarReference, parseReference, withDefaultTag } from '../reference.js';
import { type FetchedManifest, type ManifestFetcher, resolveFromRoot } from '../resolve-image.js';
import { type RegistryClient, type RegistryClientOptions, RegistryClients } from './registry-client.js';

export class RegistrySource implements ImageSource, ManifestFetcher {
  readonly description: string;
  constructor(
    readonly ref: ImageRef,
    readonly client: RegistryClient,
    readonly reference: string,
  ) {
    this.description = familiarReference(ref);
  }

  async fetchManifest(d: { digest: Digest }, signal?: AbortSignal): Promise<FetchedManifest> {
    return this.client.getManifest(this.ref.repository, d.digest, signal);
  }

  fetchConfig(d: { digest: Digest; size?: number | undefined }, signal?: AbortSignal): Promise<Buffer> {
    return this.client.fetchBlobBytes(this.ref.repository, d.digest, d.size, signal);
  }

  async resolve(opts: ResolveOptions = {}): Promise<ResolvedImage> {
    const root = await this.client.getManifest(
      this.ref.repository,
      this.ref.digest ?? this.ref.tag!,
      opts.signal,
    );
    return resolveFromRoot(
      this,
      root,
      {
        reference: this.reference,
        registry: this.ref.registry,
        repository: this.ref.repository,
        tag: this.ref.tag,
      },
      opts,
    );
  }

  openBlob(digest: Digest, opts: { expectedSize?: number; signal?: AbortSignal } = {}): Promise<Readable> {
    return this.client.openBlob(this.ref.repository, digest, opts);
  }
}

export interface RegistrySourceOptions extends RegistryClientOptions {
  /** A shared client pool (keeps one concurrency limit and token cache per registry). */
  clients?: RegistryClients | undefined;
}

/** Opens a registry reference; `nginx` means docker.io/library/nginx:latest. */
export function openRegistrySource(reference: string, opts: RegistrySourceOptions = {}): RegistrySource {
  const ref = withDefaultTag(parseReference(reference));
  const clients = opts.clients ?? new RegistryClients(opts);
  return new RegistrySource(ref, clients.get(ref.registry), reference);
}

/**
 * The digest a registry tag points to now, by HEAD (no manifest body, no config): the cheap check
 * for "has this tag moved?". Nothing is verified beyond the registry's Docker-Content-Digest.
 */
export async function headTagDigest(
  reference: string,
  opts: RegistrySourceOptions & { signal?: AbortSignal | undefined } = {},
): Promise<{ digest: Digest; mediaType: string }> {
  const ref = withDefaultTag(parseReference(reference));
  const clients = opts.clients ?? new RegistryClients(opts);
  const head = await clients
    .get(ref.registry)
    .headManifest(ref.repository, ref.digest ?? ref.tag!, opts.signal);
  return { digest: head.digest, mediaType: head.mediaType };
}
