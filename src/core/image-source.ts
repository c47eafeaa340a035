// The port between image identity (identity/) and the scanner (scan/): any image source — a
// registry reference, an OCI layout, an OCI archive, a docker-save archive — resolves to the same
// model and streams verified blobs. Specs: OCI image-spec (manifest, index, config) and distribution-spec.
import type { Readable } from 'node:stream';
import type { Digest, Platform } from './types.js';

export interface LayerDescriptor {
  /** Blob digest (of the bytes as stored, usually gzip/zstd compressed). */
  digest: Digest;
  mediaType: string;
  size: number;
  /** Uncompressed digest from the config's rootfs.diff_ids, same position. */
  diffId: Digest;
}

/** The parts of an OCI/Docker image config that Runsight reads. */
export interface ImageConfig {
  os: string;
  architecture: string;
  variant?: string | undefined;
  'os.version'?: string | undefined;
  created?: string | undefined;
  rootfs: { type: string; diff_ids: Digest[] };
  config?: { Labels?: Record<string, string> | null; Env?: string[] | null } | undefined;
  history?: { created_by?: string; empty_layer?: boolean }[] | undefined;
}

/** One runnable image: a platform manifest, its config and its layers in order (base first). */
export interface PlatformImage {
  digest: Digest;
  mediaType: string;
  platform: Platform;
  configDigest: Digest;
  config: ImageConfig;
  layers: LayerDescriptor[];
  /** The verified manifest document. */
  manifest: unknown;
}

export interface ResolvedImage {
  /** What the user named, e.g. `127.0.0.1:5000/app:1.0` or `oci:./layout:1.0`. */
  reference: string;
  registry?: string | undefined;
  repository?: string | undefined;
  tag?: string | undefined;
  /** The index digest for a multi-arch image, else the manifest digest. */
  digest: Digest;
  mediaType: string;
  /** The platform manifests selected (one unless `platform: 'all'`). */
  platforms: PlatformImage[];
  /** For an index: every child, selected or not (attestations excluded). */
  children?: { digest: Digest; mediaType: string; platform: Platform }[] | undefined;
}

export interface ResolveOptions {
  /** A platform to select from an index, or 'all'. Default: linux/amd64. */
  platform?: Platform | 'all' | undefined;
  signal?: AbortSignal | undefined;
}

export interface ImageSource {
  /** Human-readable name of the source for messages. */
  readonly description: string;
  resolve(opts?: ResolveOptions): Promise<ResolvedImage>;
  /**
   * Streams a blob. The stream errors (with a typed error) if the bytes do not hash to `digest`
   * or if more than `expectedSize` bytes arrive; it never buffers the whole blob.
   */
  openBlob(digest: Digest, opts?: { expectedSize?: number; signal?: AbortSignal }): Promise<Readable>;
}
