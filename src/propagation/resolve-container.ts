// Resolution of one container to the platform manifest it runs, strongest evidence first
// (docs/propagation.md, ARCHITECTURE.md "Image identity"):
//   manifest-digest        exact     the runtime's repo digest names a platform manifest
//   index-digest+platform  exact     … names an index: the child for the node's os/arch/variant
//   config-digest          exact     the runtime's image ID is a config digest: a manifest with it
//   tag-at-start           inferred  tag history at the container's start time
//   tag-now                weak      the tag's latest resolution (it may have moved since)
//   unresolved             none      kept and listed as a coverage gap, never dropped
// A reference pinned with `@sha256:…` resolves by that digest only, whatever registry or
// repository name it carries (mirrors and pull-through caches serve one digest under many names):
// the name is kept on the container as an alias and never has to match; the tag is not consulted.
// A repo digest the identity graph does not know may still be known from an imported report that
// read a platform manifest behind it (Grype `repoDigests` + `manifestDigest`).
// Pure: the identity graph comes in as an interface, so the rules are tested without a store.
import type { Confidence, MatchMethod, Platform } from '../core/types.js';
import { parseImageName, repositoryKey } from './image-name.js';
import { type PlatformChild, parseNodePlatform, pickPlatformChild, runnableChildren } from './platform.js';

export interface ContainerIdentity {
  id: string;
  image: string;
  imageId: string | null;
  digest: string | null;
  digestKind: string | null;
  platform: string | null;
  startedAt: Date | null;
}

export interface IdentityGraph {
  /** What we know of a digest: an index, a manifest, or only that findings exist for it. */
  kindOf(digest: string): 'index' | 'manifest' | undefined;
  children(indexDigest: string): PlatformChild[];
  /** Manifests with this config digest, those with findings first. */
  manifestsWithConfig(configDigest: string): string[];
  /** The digest `registry/repository:tag` pointed to at `at` (last observation at or before it). */
  tagAt(repository: string, tag: string, at: Date): string | undefined;
  /** The tag's latest observed digest. */
  tagNow(repository: string, tag: string): string | undefined;
  /** Platform manifests imported reports read behind a repo digest the graph does not know. */
  reportedManifests?(repoDigest: string): PlatformChild[];
}

export interface Resolution {
  imageDigest: string | null;
  matchMethod: MatchMethod;
  confidence: Confidence;
  /** Why it resolved this way, or why it did not (shown by `container show`). */
  note: string;
}

const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

export function resolveContainer(c: ContainerIdentity, g: IdentityGraph): Resolution {
  const platform = parseNodePlatform(c.platform);
  const ref = parseImageName(c.image);
  const pinned = ref?.digest;
  const repoDigests = [
    ...new Set([c.digest && c.digestKind !== 'config' ? c.digest : undefined, pinned].filter(isString)),
  ];
  const misses: string[] = [];

  for (const repoDigest of repoDigests) {
    const r = throughDigest(repoDigest, g, platform, misses);
    if (r) return r;
  }

  if (c.digest && c.digestKind === 'config') {
    const [manifest] = g.manifestsWithConfig(c.digest);
    if (manifest) {
      return exact(
        manifest,
        'config-digest',
        `image ID ${short(c.digest)} is the config of ${short(manifest)}`,
      );
    }
    misses.push(`no known manifest has config ${short(c.digest)}`);
  }

  if (pinned) {
    misses.push(`the image is pinned to ${short(pinned)}: resolved by that digest only, never by its tag`);
  } else if (ref?.tag) {
    const repo = repositoryKey(ref);
    if (c.startedAt) {
      const then = g.tagAt(repo, ref.tag, c.startedAt);
      const r = then && throughTag(then, g, platform);
      if (r) {
        return {
          imageDigest: r.digest,
          matchMethod: 'tag-at-start',
          confidence: r.guessed ? 'weak' : 'inferred',
          note: `${repo}:${ref.tag} pointed to ${short(then)} at ${c.startedAt.toISOString()}${r.label}`,
        };
      }
    }
    const now = g.tagNow(repo, ref.tag);
    const r = now && throughTag(now, g, platform);
    if (r) {
      return {
        imageDigest: r.digest,
        matchMethod: 'tag-now',
        confidence: 'weak',
        note: `${repo}:${ref.tag} points to ${short(now)} now${c.startedAt ? ' (no history at start time)' : ''}${r.label}`,
      };
    }
    misses.push(`no tag history for ${repo}:${ref.tag}`);
  } else if (!ref) {
    misses.push(`image "${c.image}" is not a reference`);
  }
  return { imageDigest: null, matchMethod: 'unresolved', confidence: 'none', note: misses.join('; ') };
}

/** A repo digest: a known manifest (exact), a known index → the node's child, or an index an
 * imported report read a platform manifest of. Undefined (with the reason in `misses`) otherwise. */
function throughDigest(
  repoDigest: string,
  g: IdentityGraph,
  platform: Platform | undefined,
  misses: string[],
): Resolution | undefined {
  const kind = g.kindOf(repoDigest);
  if (kind === 'manifest') {
    return exact(repoDigest, 'manifest-digest', `repo digest ${short(repoDigest)} is a platform manifest`);
  }
  if (kind === 'index') {
    const pick = pickChild(g.children(repoDigest), platform);
    if (pick) {
      return {
        imageDigest: pick.child.digest,
        matchMethod: 'index-digest+platform',
        confidence: pick.guessed ? 'inferred' : 'exact',
        note: `index ${short(repoDigest)} → ${pick.label} manifest ${short(pick.child.digest)}`,
      };
    }
    misses.push(`index ${short(repoDigest)} has no manifest for ${platformText(platform)}`);
    return undefined;
  }
  const reported = g.reportedManifests?.(repoDigest) ?? [];
  if (reported.length) {
    // Only the manifests the reports read are known, not the whole index: a node platform that
    // matches one is exact; without a node platform it is at best inferred.
    const hit = platform
      ? pickPlatformChild(reported, platform)
      : ((runnableChildren(reported).length === 1 ? runnableChildren(reported)[0] : undefined) ??
        pickPlatformChild(reported, DEFAULT_PLATFORM) ??
        (reported.length === 1 ? reported[0] : undefined));
    if (hit) {
      return {
        imageDigest: hit.digest,
        matchMethod: 'index-digest+platform',
        confidence: platform ? 'exact' : 'inferred',
        note: `an imported report read ${short(repoDigest)} as the ${childPlatformText(hit)} manifest ${short(hit.digest)}${platform ? '' : ' (node platform unknown)'}`,
      };
    }
    misses.push(
      `imported reports read ${short(repoDigest)} only as ${reported.map(childPlatformText).join(', ')}, not ${platformText(platform)}`,
    );
    return undefined;
  }
  misses.push(`repo digest ${short(repoDigest)} is not in the identity graph (not resolved or scanned yet)`);
  return undefined;
}

function childPlatformText(c: PlatformChild): string {
  return c.os && c.architecture
    ? [c.os, c.architecture, c.variant].filter(Boolean).join('/')
    : 'platform-unstated';
}

function isString(x: string | null | undefined): x is string {
  return typeof x === 'string' && x.length > 0;
}

function exact(digest: string, matchMethod: MatchMethod, note: string): Resolution {
  return { imageDigest: digest, matchMethod, confidence: 'exact', note };
}

function pickChild(
  children: PlatformChild[],
  platform: Platform | undefined,
): { child: PlatformChild; guessed: boolean; label: string } | undefined {
  if (platform) {
    const child = pickPlatformChild(children, platform);
    return child && { child, guessed: false, label: platformText(platform) };
  }
  const runnable = runnableChildren(children);
  if (runnable.length === 1) return { child: runnable[0]!, guessed: false, label: 'its only' };
  const child = pickPlatformChild(children, DEFAULT_PLATFORM);
  return child && { child, guessed: true, label: 'linux/amd64 (node platform unknown)' };
}

function throughTag(
  digest: string,
  g: IdentityGraph,
  platform: Platform | undefined,
): { digest: string; guessed: boolean; label: string } | undefined {
  if (g.kindOf(digest) !== 'index') return { digest, guessed: false, label: '' };
  const pick = pickChild(g.children(digest), platform);
  return (
    pick && {
      digest: pick.child.digest,
      guessed: pick.guessed,
      label: ` → ${pick.label} manifest ${short(pick.child.digest)}`,
    }
  );
}

function platformText(p: Platform | undefined): string {
  return p ? [p.os, p.architecture, p.variant].filter(Boolean).join('/') : 'an unknown platform';
}

export function short(digest: string): string {
  const [alg, hex] = digest.split(':');
  return hex ? `${alg}:${hex.slice(0, 12)}` : digest;
}
