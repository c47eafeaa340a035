// Picks the platform manifest of an index that a node runs, through image identity's platform
// matcher (identity/platform.ts: normalised names, arm variant fallbacks, attestations skipped).
// This module only adapts the identity graph's stored children to it.
import type { Platform } from '../core/types.js';
import {
  normalisePlatform,
  parsePlatform as parsePlatformStrict,
  selectPlatform,
} from '../identity/index.js';

export interface PlatformChild {
  digest: string;
  os: string | null;
  architecture: string | null;
  variant: string | null;
}

/** Parses the inventory's `os/arch[/variant]` text; undefined when absent or malformed. */
export function parseNodePlatform(text: string | null | undefined): Platform | undefined {
  if (!text) return undefined;
  try {
    return parsePlatformStrict(text);
  } catch {
    return undefined;
  }
}

/** The child a node of `platform` runs, or undefined when none fits. */
export function pickPlatformChild<T extends PlatformChild>(children: T[], platform: Platform): T | undefined {
  const entries = children.map((c) => ({
    digest: c.digest,
    size: 0,
    platform:
      c.os && c.architecture
        ? { os: c.os, architecture: c.architecture, variant: c.variant ?? undefined }
        : undefined,
  }));
  const hit = selectPlatform(entries, normalisePlatform(platform));
  return hit ? children.find((c) => c.digest === hit.digest) : undefined;
}

/** Runnable (non-attestation) children of an index. */
export function runnableChildren<T extends PlatformChild>(children: T[]): T[] {
  return children.filter((c) => c.os && c.architecture && c.os !== 'unknown' && c.architecture !== 'unknown');
}
