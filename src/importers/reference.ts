// Image references as reports write them (`nginx:1.25`, `ghcr.io/o/app@sha256:…`,
// `index.docker.io/library/nginx:alpine`), normalised the Docker way (docker.io, library/).
// Stand-in until the identity stage's parseReference (src/registry/reference.ts) is in main:
// callers use only `parseImageReference`, so switching is one import.
import { InputError } from '../core/errors.js';
import type { ImageRef } from '../core/types.js';

const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-f0-9]{32,}$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

export class InvalidImageReferenceError extends InputError {
  override readonly name: string = 'InvalidImageReferenceError';
}

export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}

export function parseImageReference(input: string): ImageRef {
  const ref = input.trim();
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) throw invalid(input, `"${digest}" is not a digest (algorithm:hex)`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(input, `"${tag}" is not a valid tag`);
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    parts.shift();
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = 'docker.io';
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  for (const p of parts)
    if (!COMPONENT.test(p))
      throw invalid(input, `repository component "${p}" must be lowercase letters, digits and separators`);
  if (parts.length === 0 || !parts[0]) throw invalid(input, 'no repository name');
  return { registry, repository: parts.join('/'), tag, digest };
}

export function formatImageReference(r: ImageRef): string {
  return `${r.registry}/${r.repository}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

/** Parses, or returns undefined for text that is not an image reference (e.g. a file path). */
export function tryParseImageReference(input: string): ImageRef | undefined {
  try {
    return parseImageReference(input);
  } catch {
    return undefined;
  }
}

function invalid(input: string, why: string): InvalidImageReferenceError {
  return new InvalidImageReferenceError(
    `invalid image reference "${input}": ${why}; expected [registry/]repository[:tag][@sha256:<hex>]`,
  );
}
