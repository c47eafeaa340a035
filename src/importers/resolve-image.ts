// Maps an imported report to the platform manifest digest(s) its findings belong to, strongest
// identity first (docs/adr/0007-importers.md):
//   --image with a digest → explicit · Grype manifestDigest → manifest-digest ·
//   a repo digest the store knows → repo-digest (an index → its child for the report's platform:
//   repo-digest+platform) · the image ID → config-digest (every known manifest with that config) ·
//   a repo digest the store has never seen → repo-digest (taken as the platform manifest) ·
//   a tag → tag-history (the tag's observation at or before the scan time: inferred; only a later
//   one, or a report without scan time: weak) · nothing → unresolved, with what the report did name.
import type { Confidence, Platform } from '../core/types.js';
import { formatPlatform, normalisePlatform } from '../identity/index.js';
import type { Store } from '../store/index.js';
import { getImageIdentity, listManifestsByConfig, lookupTagAt, lookupTagLatest } from '../store/index.js';
import type { ImageHints } from './model.js';
import { formatImageReference, isDigest, parseImageReference, tryParseImageReference } from './reference.js';

export type ImportMatchMethod =
  | 'explicit'
  | 'manifest-digest'
  | 'repo-digest'
  | 'repo-digest+platform'
  | 'config-digest'
  | 'tag-history'
  | 'unresolved'
  /** `--image` contradicted by the report's own identity (nothing landed; `--force` overrides). */
  | 'refused';

export interface ReportImageTarget {
  digest: string;
  matchMethod: Exclude<ImportMatchMethod, 'unresolved' | 'refused'>;
  confidence: Confidence;
  /** How it was found, for the record: the repo digest, config digest or tag observation used. */
  via: string;
  /** The digest `--image` or its tag named, before an index was narrowed to its platform child. */
  named?: string | undefined;
}

export type ReportImageResolution =
  | { resolved: true; targets: ReportImageTarget[] }
  | { resolved: false; reason: string };

export async function resolveReportImage(
  store: Store,
  hints: ImageHints,
  opts: { explicit?: string | undefined; scannedAt?: Date | undefined } = {},
): Promise<ReportImageResolution> {
  if (opts.explicit) return resolveExplicit(store, opts.explicit, hints.platform, opts.scannedAt);
  const tried: string[] = [];
  if (hints.manifestDigest && isDigest(hints.manifestDigest))
    return one(hints.manifestDigest, 'manifest-digest', 'exact', hints.manifestDigest);
  // Repo digests the store knows (a manifest, or an index with a child for the platform) first;
  // then the image ID of known manifests; a repo digest the store has never seen comes after.
  const unknown: { rd: string; digest: string }[] = [];
  for (const rd of hints.repoDigests) {
    const digest = isDigest(rd) ? rd : tryParseImageReference(rd)?.digest;
    if (!digest) continue;
    const picked = await pickPlatform(store, digest, hints.platform);
    if (!('digest' in picked)) tried.push(`repo digest ${rd}: ${picked.reason}`);
    else if (picked.known)
      return one(picked.digest, picked.child ? 'repo-digest+platform' : 'repo-digest', 'exact', rd);
    else unknown.push({ rd, digest });
  }
  if (hints.configDigest) {
    const manifests = await listManifestsByConfig(store, hints.configDigest);
    if (manifests.length)
      return {
        resolved: true,
        targets: manifests.map(({ digest }) => ({
          digest,
          matchMethod: 'config-digest',
          confidence: 'exact',
          via: hints.configDigest!,
        })),
      };
    if (!unknown.length) tried.push(`image ID ${hints.configDigest}: no known manifest has this config`);
  }
  if (unknown[0]) return one(unknown[0].digest, 'repo-digest', 'exact', unknown[0].rd);
  for (const ref of new Set(hints.references)) {
    const r = tryParseImageReference(ref);
    if (!r?.tag) continue;
    const res = await resolveTag(store, r, hints.platform, opts.scannedAt);
    if (res.resolved) return res;
    tried.push(res.reason);
  }
  const named = [
    ...hints.references
      .filter((r) => !tryParseImageReference(r)?.tag)
      .map((r) => `"${r}" (no tag or digest)`),
  ];
  return {
    resolved: false,
    reason: `no image identity: ${
      tried.length || named.length
        ? [...tried, ...named].join('; ')
        : 'the report names no repo digest, image ID or image reference'
    }; pass --image REF|DIGEST`,
  };
}

async function resolveExplicit(
  store: Store,
  explicit: string,
  platform: Platform | undefined,
  scannedAt: Date | undefined,
): Promise<ReportImageResolution> {
  const ref = isDigest(explicit) ? undefined : parseImageReference(explicit);
  const digest = isDigest(explicit) ? explicit : ref?.digest;
  if (digest) {
    const picked = await pickPlatform(store, digest, platform);
    if ('digest' in picked) return one(picked.digest, 'explicit', 'exact', explicit, digest);
    return { resolved: false, reason: `--image ${explicit}: ${picked.reason}` };
  }
  return resolveTag(store, ref!, platform, scannedAt);
}

async function resolveTag(
  store: Store,
  r: { registry: string; repository: string; tag?: string | undefined },
  platform: Platform | undefined,
  scannedAt: Date | undefined,
): Promise<ReportImageResolution> {
  const name = formatImageReference({ ...r, digest: undefined });
  const tag = { registry: r.registry, repository: r.repository, tag: r.tag! };
  let obs = scannedAt ? await lookupTagAt(store, tag, scannedAt) : undefined;
  let confidence: Confidence = 'inferred';
  if (!obs) {
    obs = await lookupTagLatest(store, tag);
    // No scan time, or only observations after the scan: the tag may have moved since the report.
    confidence = 'weak';
  }
  if (!obs) return { resolved: false, reason: `tag ${name}: never observed (no tag_history entry)` };
  const picked = await pickPlatform(store, obs.digest, platform);
  if (!('digest' in picked))
    return { resolved: false, reason: `tag ${name} → ${obs.digest}: ${picked.reason}` };
  return one(
    picked.digest,
    'tag-history',
    confidence,
    `${name} → ${obs.digest} observed ${obs.observedAt.toISOString()}`,
    obs.digest,
  );
}

/** An index digest known to the store → the child for the platform; anything else → itself. */
async function pickPlatform(
  store: Store,
  digest: string,
  platform: Platform | undefined,
): Promise<{ digest: string; child: boolean; known: boolean } | { reason: string }> {
  const known = await getImageIdentity(store, digest);
  if (!known || known.kind === 'manifest') return { digest, child: false, known: !!known };
  const children = known.children.filter((c) => c.platform.os !== 'unknown'); // attestation manifests
  const wanted = platform ? normalisePlatform(platform) : undefined;
  const matching = wanted
    ? children.filter((c) => {
        const p = normalisePlatform(c.platform);
        return (
          p.os === wanted.os &&
          p.architecture === wanted.architecture &&
          (!wanted.variant || !p.variant || p.variant === wanted.variant)
        );
      })
    : children;
  if (matching.length === 1) return { digest: matching[0]!.digest, child: true, known: true };
  const list = children.map((c) => formatPlatform(c.platform)).join(', ');
  return {
    reason: wanted
      ? `index ${digest} has no single child for ${formatPlatform(wanted)} (children: ${list || 'none known'})`
      : `index ${digest} has ${children.length} platforms (${list}) and the report does not say which it scanned`,
  };
}

function one(
  digest: string,
  matchMethod: ReportImageTarget['matchMethod'],
  confidence: Confidence,
  via: string,
  named?: string,
): ReportImageResolution {
  return { resolved: true, targets: [{ digest, matchMethod, confidence, via, named }] };
}
