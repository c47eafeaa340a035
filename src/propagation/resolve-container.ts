// Resolution of one container to the platform manifest it runs, strongest evidence first
// (docs/propagation.md, ARCHITECTURE.md "Image identity"):
//   manifest-digest        exact     the runtime's repo digest names a platform manifest
//   index-digest+platform  exact     … names an index: the child for the node's os/arch/variant
//   config-digest          exact     the runtime's image ID is a config digest: a manifest with it
//   tag-at-start           inferred  tag history at the container's start time
//   tag-now                weak      the tag's latest resolution (it may have moved since)
//   unresolved             none      kept and listed as a coverage gap, never dropped
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
  const repoDigest = c.digest && c.digestKind !== 'config' ? c.digest : ref?.digest;
  const misses: string[] = [];

  if (repoDigest) {
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
    } else {
      misses.push(
        `repo digest ${short(repoDigest)} is not in the identity graph (not resolved or scanned yet)`,
      );
    }
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

  if (ref?.tag) {
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
