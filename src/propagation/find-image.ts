// Turns what a user types (`sha256:…`, `repo@sha256:…`, `repo:tag`, or the reference a scan was
// made from) into the platform manifest digest posture is kept for. An index resolves to its
// child for `platform` (default linux/amd64).
import { InputError } from '../core/errors.js';
import type { Platform } from '../core/types.js';
import type { Store } from '../store/index.js';
import { loadImageFacts, queryDigestsForReference } from '../store/index.js';
import { parseImageName } from './image-name.js';
import { pickPlatformChild } from './platform.js';

export class ImageNotFoundError extends InputError {
  override readonly name: string = 'ImageNotFoundError';
}

export async function findImageDigest(
  store: Store,
  text: string,
  platform: Platform = { os: 'linux', architecture: 'amd64' },
): Promise<string> {
  const candidates: string[] = [];
  if (/^[a-z0-9]+:[a-f0-9]{32,}$/.test(text)) candidates.push(text);
  const ref = parseImageName(text);
  if (ref?.digest) candidates.push(ref.digest);
  candidates.push(
    ...(await queryDigestsForReference(store, {
      text,
      registry: ref?.registry,
      repository: ref?.repository,
      tag: ref?.digest ? undefined : ref?.tag,
    })),
  );
  for (const d of candidates) {
    const facts = await loadImageFacts(store, [d], []);
    const kind = facts.images.find((i) => i.digest === d)?.kind;
    if (kind === 'index') {
      const child = pickPlatformChild(
        facts.children.map((c) => ({
          digest: c.child_digest,
          os: c.os,
          architecture: c.architecture,
          variant: c.variant,
        })),
        platform,
      );
      if (child) return child.digest;
      continue;
    }
    if (kind === 'manifest' || facts.scanned.includes(d)) return d;
  }
  throw new ImageNotFoundError(
    `no scanned or resolved image matches "${text}": expected a digest, repo@digest, a tag in tag history, or a reference that was scanned. Scan it first (runsight scan ${text}).`,
  );
}
