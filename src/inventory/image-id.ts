// Parses the image id a runtime reports for a container into a digest and what that digest names.
// Kubernetes `containerStatuses[].imageID` comes in four shapes (ARCHITECTURE.md, "Image identity"):
//   docker-pullable://repo@sha256:…  dockershim: the repository (manifest or index) digest
//   docker://sha256:…                dockershim without a repo digest: the image (config) id
//   repo@sha256:…                    containerd / CRI-O: the repository digest
//   sha256:…                         containerd / CRI-O for images with no repo digest: config id
// Docker's `ImageID` is always the config digest. The verbatim string is kept beside the parse.
import type { Digest, DigestKind } from '../core/types.js';
import { parseReference } from '../identity/index.js';

export interface ParsedImageId {
  digest?: Digest | undefined;
  digestKind?: DigestKind | undefined;
  /** The repository named before `@`, when there is one (e.g. `docker.io/library/nginx`). */
  repository?: string | undefined;
}

const HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** `algo:hex` with the right length for the algorithm, lowercased; undefined otherwise. */
export function normalizeDigest(text: string): Digest | undefined {
  const m = /^([a-z0-9]+):([0-9a-fA-F]+)$/.exec(text.trim());
  if (!m) return undefined;
  const algo = m[1]!;
  const hex = m[2]!;
  if (HEX_LENGTH[algo] !== hex.length) return undefined;
  return `${algo}:${hex.toLowerCase()}`;
}

/**
 * Parses an imageID in any of the forms above. Unknown or malformed input yields `{}` — the container
 * is then resolved from its image reference (tag) and shows as weaker evidence, never dropped.
 */
export function parseImageId(imageId: string | undefined | null): ParsedImageId {
  if (!imageId) return {};
  let rest = imageId.trim();
  let scheme: string | undefined;
  const s = /^([a-z][a-z0-9+.-]*):\/\//.exec(rest);
  if (s) {
    scheme = s[1];
    rest = rest.slice(s[0].length);
  }
  const at = rest.lastIndexOf('@');
  if (at > 0) {
    const digest = normalizeDigest(rest.slice(at + 1));
    if (!digest) return {};
    return { digest, digestKind: 'repo', repository: rest.slice(0, at) };
  }
  const digest = normalizeDigest(rest);
  if (digest) return { digest, digestKind: 'config' };
  // A bare 64-hex image id (some CMDB exports and `docker images --no-trunc -q` without the prefix).
  if (!scheme && /^[0-9a-fA-F]{64}$/.test(rest))
    return { digest: `sha256:${rest.toLowerCase()}`, digestKind: 'config' };
  return {};
}

/**
 * The digest pinned in an image reference as written (`repo:tag@sha256:…`), if any: a repository
 * digest. Parsed with the registry stage's reference grammar; an unparseable reference has none.
 */
export function digestOfReference(image: string): Digest | undefined {
  try {
    const ref = parseReference(image);
    return ref.digest ? normalizeDigest(ref.digest) : undefined;
  } catch {
    return undefined;
  }
}

/** Why an image reference is not valid under the reference grammar, or undefined when it is. */
export function referenceProblem(image: string): string | undefined {
  try {
    parseReference(image);
    return undefined;
  } catch (err) {
    const reason = (err as { reason?: unknown }).reason;
    return `${JSON.stringify(image)} is not a valid image reference: ${typeof reason === 'string' ? reason : (err as Error).message}`;
  }
}
