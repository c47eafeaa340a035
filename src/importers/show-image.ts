// The data behind `runsight image show REF|DIGEST`: resolve the argument to a digest (a digest as
// given; a tag through tag_history), then every source's current scan side by side with the
// authoritative one marked and the differences listed.
import type { Kysely } from 'kysely';
import { InputError } from '../core/errors.js';
import { formatPlatform } from '../registry/index.js';
import { type Database, getImageIdentity, listImageSources, lookupTagLatest } from '../store/index.js';
import {
  chooseAuthoritativeSource,
  compareSources,
  type FindingDifference,
  type SourceSummary,
  summariseSources,
} from './compare-sources.js';
import { formatImageReference, isDigest, parseImageReference } from './reference.js';

export interface ImageShow {
  reference: string;
  digest: string;
  resolvedBy: 'digest' | 'tag-history';
  authoritativeSource: string | null;
  /** The configured source when set but without a scan of this digest. */
  configuredSourceMissing: string | null;
  sources: SourceSummary[];
  differences: FindingDifference[];
  /** For an index digest: its platform manifests (findings belong to those). */
  platforms: { digest: string; platform: string }[];
}

export async function showImage(
  db: Kysely<Database>,
  refOrDigest: string,
  configuredAuthoritative?: string | undefined,
): Promise<ImageShow> {
  let digest: string;
  let resolvedBy: ImageShow['resolvedBy'] = 'digest';
  if (isDigest(refOrDigest)) digest = refOrDigest;
  else {
    const ref = parseImageReference(refOrDigest);
    if (ref.digest) digest = ref.digest;
    else {
      const tag = ref.tag ?? 'latest';
      const obs = await lookupTagLatest(db, {
        registry: ref.registry,
        repository: ref.repository,
        tag,
      });
      if (!obs)
        throw new InputError(
          `${formatImageReference({ ...ref, tag })} was never observed (no tag_history entry); give the image digest, or import/scan it first`,
        );
      digest = obs.digest;
      resolvedBy = 'tag-history';
    }
  }
  const scans = await listImageSources(db, digest);
  const authoritative = chooseAuthoritativeSource(scans, configuredAuthoritative);
  const known = await getImageIdentity(db, digest);
  return {
    reference: refOrDigest,
    digest,
    resolvedBy,
    authoritativeSource: authoritative,
    configuredSourceMissing:
      configuredAuthoritative && !scans.some((s) => s.source === configuredAuthoritative)
        ? configuredAuthoritative
        : null,
    sources: summariseSources(scans, authoritative),
    differences: compareSources(scans),
    platforms: (known?.children ?? []).map((c) => ({
      digest: c.digest,
      platform: formatPlatform(c.platform),
    })),
  };
}
