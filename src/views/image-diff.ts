// `image diff A B`: vulnerabilities fixed, introduced and unchanged between two images (the
// remediation stage's diff), as the CLI prints it and the API serves it. Under an access scope
// both images must be run, now or before, by a container inside it; else the answer is not found.
import type { AccessScope } from '../core/access.js';
import type { Platform } from '../core/types.js';
import { findImageDigest } from '../propagation/index.js';
import { diffImages, type ImageDiff } from '../remediation/image-diff.js';
import type { Store } from '../store/index.js';
import { imageRunInScope, queryPlatformSiblings, scopeRestricts } from '../store/index.js';
import { NotFoundError, type ScopedRead } from './scoped-read.js';

export interface ImageDiffQuery extends ScopedRead {
  /** The platform picked from an index (default linux/amd64, as the diff's). */
  platform?: Platform | undefined;
}

export async function showImageDiff(
  store: Store,
  a: string,
  b: string,
  q: ImageDiffQuery = {},
): Promise<ImageDiff> {
  if (scopeRestricts(q.scope)) {
    for (const ref of [a, b]) await mustBeVisible(store, ref, q.platform, q.scope);
  }
  return diffImages(store, a, b, q.platform ? { platform: q.platform } : {});
}

async function mustBeVisible(
  store: Store,
  ref: string,
  platform: Platform | undefined,
  scope: AccessScope | undefined,
): Promise<void> {
  const digest = await findImageDigest(store, ref, platform).catch(() => undefined);
  if (!digest || !(await imageRunInScope(store, await queryPlatformSiblings(store, digest), scope)))
    throw new NotFoundError(
      `no container in your access scope runs or ran ${ref}: list the images in use with runsight containers`,
    );
}
