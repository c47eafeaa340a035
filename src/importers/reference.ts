// Image references as reports write them (`nginx:1.25`, `ghcr.io/o/app@sha256:…`,
// `index.docker.io/library/nginx:alpine`), read with the identity stage's grammar
// (src/identity/reference.ts): Docker Hub normalised to docker.io/library/….
import type { ImageRef } from '../core/types.js';
import { formatReference, isDigest, parseReference } from '../identity/index.js';

export { isDigest };

export function parseImageReference(input: string): ImageRef {
  return parseReference(input);
}

export function formatImageReference(r: ImageRef): string {
  return formatReference(r);
}

/** Parses, or returns undefined for text that is not an image reference (e.g. a file path). */
export function tryParseImageReference(input: string): ImageRef | undefined {
  try {
    return parseReference(input);
  } catch {
    return undefined;
  }
}
