// Manifest and blob media types Runsight reads (OCI image-spec v1.1 media-types.md; Docker image
// manifest v2 schema 2 and manifest list), and the classification of a fetched manifest document.
import { UnsupportedMediaTypeError } from './errors.js';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const DOCKER_SCHEMA1 = 'application/vnd.docker.distribution.manifest.v1+json';
export const DOCKER_SCHEMA1_SIGNED = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
export const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar';
export const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

/** The Accept header for manifest requests: every type Runsight can read, preferred first. */
export const MANIFEST_ACCEPT = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST].join(', ');

export type ManifestKind = 'index' | 'manifest';

const IMAGE_CONFIG_TYPES = new Set([OCI_CONFIG, DOCKER_CONFIG]);

export function isIndexType(mediaType: string): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_LIST;
}

export function isManifestType(mediaType: string): boolean {
  return mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST;
}

/** Filesystem layer types: OCI tar (+gzip/+zstd, non-distributable) and Docker rootfs diffs. */
export function isLayerType(mediaType: string): boolean {
  return (
    mediaType.startsWith('application/vnd.oci.image.layer.') ||
    mediaType.startsWith('application/vnd.docker.image.rootfs.')
  );
}

export function isImageConfigType(mediaType: string): boolean {
  return IMAGE_CONFIG_TYPES.has(mediaType);
}

/**
 * The media type of a manifest document: its own `mediaType` field wins, then the type the
 * transport declared (Content-Type or descriptor), then the shape of the document. Throws
 * UnsupportedMediaTypeError for schema 1 and anything that is neither an index nor a manifest.
 */
export function classifyManifest(
  doc: unknown,
  declared: string | undefined,
  what: string,
): { mediaType: string; kind: ManifestKind } {
  const obj = (doc && typeof doc === 'object' ? doc : {}) as Record<string, unknown>;
  const own = typeof obj.mediaType === 'string' ? obj.mediaType : undefined;
  const declaredType = declared?.split(';')[0]?.trim() || undefined;
  let mediaType = own ?? (declaredType && declaredType !== 'application/json' ? declaredType : undefined);
  if (!mediaType) {
    if (obj.schemaVersion === 1) mediaType = DOCKER_SCHEMA1;
    else if (Array.isArray(obj.manifests)) mediaType = OCI_INDEX;
    else if (obj.config && Array.isArray(obj.layers)) mediaType = OCI_MANIFEST;
    else mediaType = declaredType ?? 'unknown';
  }
  if (mediaType === DOCKER_SCHEMA1 || mediaType === DOCKER_SCHEMA1_SIGNED || obj.schemaVersion === 1)
    throw new UnsupportedMediaTypeError(
      mediaType,
      `${what} is a Docker schema 1 manifest (${mediaType}), which Runsight does not read; expected an OCI index/manifest or Docker schema 2 — re-push the image with a current client (e.g. skopeo copy --format v2s2)`,
    );
  if (isIndexType(mediaType)) return { mediaType, kind: 'index' };
  if (isManifestType(mediaType)) return { mediaType, kind: 'manifest' };
  throw new UnsupportedMediaTypeError(
    mediaType,
    `${what} has media type ${mediaType}; expected one of ${MANIFEST_ACCEPT} — this is not a container image Runsight can read`,
  );
}
