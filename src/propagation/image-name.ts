// The parts of an image reference resolution needs: registry, repository, tag, digest, with Docker
// Hub normalisation (`nginx:1.25` → docker.io/library/nginx:1.25). Follows the distribution
// reference grammar loosely — inventory hands us what runtimes wrote, and an unparseable name is
// not an error here: the container simply cannot resolve by tag (it stays visible as a gap).
import type { ImageRef } from '../core/types.js';

const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{32,}$/;

/** Parses `[registry/]repo[:tag][@digest]`; undefined when the text is not a reference. */
export function parseImageName(text: string): ImageRef | undefined {
  let rest = text.trim();
  for (const prefix of ['docker-pullable://', 'docker://', 'docker.io://']) {
    if (rest.startsWith(prefix)) rest = rest.slice(prefix.length);
  }
  if (!rest || /\s/.test(rest)) return undefined;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1).toLowerCase();
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) return undefined;
  }
  if (!rest) return undefined;
  const parts = rest.split('/');
  let registry = 'docker.io';
  const first = parts[0]!;
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    parts.shift();
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = 'docker.io';
  let repository = parts.join('/');
  if (
    !/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(repository)
  ) {
    return undefined;
  }
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  if (!tag && !digest) tag = 'latest';
  return { registry, repository, tag, digest };
}

/** `registry/repository` as stored in tag_history and image_names. */
export function repositoryKey(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}`;
}

/** A reference a scanner can pull for one digest of this repository. */
export function digestReference(ref: Pick<ImageRef, 'registry' | 'repository'>, digest: string): string {
  return `${ref.registry}/${ref.repository}@${digest}`;
}
