// The tag → digest facts a report states itself: a reference with both a tag and a digest
// (`repo:tag@sha256:…`), or a tag and a repo digest of the same registry/repository.
import type { TagObservationRow } from '../store/index.js';
import type { ImageHints } from './model.js';
import { tryParseImageReference } from './reference.js';

export function tagObservationsOf(hints: ImageHints, observedAt: Date): TagObservationRow[] {
  const out = new Map<string, TagObservationRow>();
  const add = (registry: string, repository: string, tag: string, digest: string) =>
    out.set([registry, repository, tag, digest].join(' '), { registry, repository, tag, digest, observedAt });
  const digests = hints.repoDigests.map(tryParseImageReference).filter((r) => r?.digest);
  for (const text of hints.references) {
    const ref = tryParseImageReference(text);
    if (!ref?.tag) continue;
    if (ref.digest) add(ref.registry, ref.repository, ref.tag, ref.digest);
    else
      for (const d of digests)
        if (d!.registry === ref.registry && d!.repository === ref.repository)
          add(ref.registry, ref.repository, ref.tag, d!.digest!);
  }
  return [...out.values()];
}
