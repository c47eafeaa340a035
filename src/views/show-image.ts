// The data behind `runsight image show REF|DIGEST`: resolve the argument to a digest (a digest as
// given; a tag through tag_history), then every source's current scan side by side with the
// authoritative one marked and the differences listed. `summary` is what posture counts for the
// digest (the authoritative source after VEX, as maintained — what its containers show); each
// source's own `summary` counts its rows as stored (docs/cli.md#counts-vulnerabilities-and-findings).
// Under an access scope an image is found only when a container inside the scope runs or ran it.
import { formatPlatform, formatReference, isDigest, parseReference } from '../identity/index.js';
import { type CountSummary, chooseAuthoritativeSource, summaryFromCells } from '../propagation/index.js';
import type { Store } from '../store/index.js';
import {
  getImageIdentity,
  imageRunInScope,
  listImageSources,
  lookupTagLatest,
  queryImageCells,
  queryKevIds,
  scopeRestricts,
} from '../store/index.js';
import {
  compareSources,
  type FindingDifference,
  type SourceSummary,
  summariseSources,
} from './compare-sources.js';
import { NotFoundError, type ScopedRead } from './scoped-read.js';

export interface ImageShow {
  reference: string;
  digest: string;
  resolvedBy: 'digest' | 'tag-history';
  authoritativeSource: string | null;
  /** The configured source when set but without a scan of this digest. */
  configuredSourceMissing: string | null;
  /**
   * What posture counts for this digest — its containers' figures: the maintained roll-up (source
   * chosen, VEX applied). Null when it has none (not scanned, or an index: see `platforms`).
   */
  summary: CountSummary | null;
  /** The source that roll-up was computed from (may differ from authoritativeSource until `db sync`). */
  summarySource: string | null;
  sources: SourceSummary[];
  differences: FindingDifference[];
  /** For an index digest: its platform manifests (findings belong to those). */
  platforms: { digest: string; platform: string }[];
}

export async function showImage(
  store: Store,
  refOrDigest: string,
  configuredAuthoritative?: string | undefined,
  opts: ScopedRead = {},
): Promise<ImageShow> {
  let digest: string;
  let resolvedBy: ImageShow['resolvedBy'] = 'digest';
  if (isDigest(refOrDigest)) digest = refOrDigest;
  else {
    const ref = parseReference(refOrDigest);
    if (ref.digest) digest = ref.digest;
    else {
      const tag = ref.tag ?? 'latest';
      const obs = await lookupTagLatest(store, {
        registry: ref.registry,
        repository: ref.repository,
        tag,
      });
      if (!obs && scopeRestricts(opts.scope)) throw outOfScope(refOrDigest);
      if (!obs)
        throw new NotFoundError(
          `${formatReference({ ...ref, tag })} was never observed (no tag_history entry); give the image digest, or import/scan it first`,
        );
      digest = obs.digest;
      resolvedBy = 'tag-history';
    }
  }
  const known = await getImageIdentity(store, digest);
  if (
    scopeRestricts(opts.scope) &&
    !(await imageRunInScope(store, [digest, ...(known?.children ?? []).map((c) => c.digest)], opts.scope))
  )
    throw outOfScope(refOrDigest);
  const scans = await listImageSources(store, digest);
  const authoritative = chooseAuthoritativeSource(scans, configuredAuthoritative);
  const rollup = (await queryImageCells(store, [digest])).get(digest);
  const kevIds = await queryKevIds(
    store,
    scans.flatMap((s) => s.findings.map((f) => f.vulnerabilityId)),
  );
  return {
    reference: refOrDigest,
    digest,
    resolvedBy,
    authoritativeSource: authoritative,
    configuredSourceMissing:
      configuredAuthoritative && !scans.some((s) => s.source === configuredAuthoritative)
        ? configuredAuthoritative
        : null,
    summary: rollup ? summaryFromCells(rollup.cells, rollup.findingCells) : null,
    summarySource: rollup?.source ?? null,
    sources: summariseSources(scans, authoritative, kevIds),
    differences: compareSources(scans),
    platforms: (known?.children ?? []).map((c) => ({
      digest: c.digest,
      platform: formatPlatform(c.platform),
    })),
  };
}

/** The one answer a scoped caller gets for an image it may not see, whether it exists or not. */
function outOfScope(ref: string): NotFoundError {
  return new NotFoundError(
    `no container in your access scope runs or ran ${ref}: list the images in use with runsight containers`,
  );
}
