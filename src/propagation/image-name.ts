// The image reference of a container, as resolution needs it: image identity's reference grammar
// (identity/reference.ts, Docker Hub normalisation) after stripping the runtime prefixes
// (`docker-pullable://`, `docker://`). An unparseable name is not an error here: the container
// simply cannot resolve by tag and stays visible as a coverage gap.
import type { ImageRef } from '../core/types.js';
import { canonicalName, parseReference, withDefaultTag } from '../identity/index.js';

export function parseImageName(text: string): ImageRef | undefined {
  let rest = text.trim();
  for (const prefix of ['docker-pullable://', 'docker://']) {
    if (rest.startsWith(prefix)) rest = rest.slice(prefix.length);
  }
  try {
    return withDefaultTag(parseReference(rest));
  } catch {
    return undefined;
  }
}

/** `registry/repository` as stored in tag_history and image_names. */
export function repositoryKey(ref: Pick<ImageRef, 'registry' | 'repository'>): string {
  return canonicalName(ref);
}

/** A reference a scanner can pull for one digest of this repository. */
export function digestReference(ref: Pick<ImageRef, 'registry' | 'repository'>, digest: string): string {
  return `${canonicalName(ref)}@${digest}`;
}
