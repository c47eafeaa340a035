// Picks the platform manifest of an index that a node runs, as containerd does: os and
// architecture normalised (x86_64 → amd64, aarch64 → arm64/v8), arm variants falling back to older
// ones (a v8 node runs v7, v6, v5 images), attestation entries (unknown/unknown) skipped.
// Spec: OCI image-index `platform`, containerd platforms.Only().
import type { Platform } from '../core/types.js';

export interface PlatformChild {
  digest: string;
  os: string | null;
  architecture: string | null;
  variant: string | null;
}

/** Parses the inventory's `os/arch[/variant]` text. */
export function parsePlatform(text: string | null | undefined): Platform | undefined {
  if (!text) return undefined;
  const [os, architecture, variant] = text.split('/');
  if (!os || !architecture) return undefined;
  return normalisePlatform({ os, architecture, variant });
}

export function normalisePlatform(p: Platform): Platform {
  const os = p.os.toLowerCase();
  let architecture = p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase() || undefined;
  if (architecture === 'x86_64' || architecture === 'x86-64') architecture = 'amd64';
  if (architecture === 'i386' || architecture === 'i686') architecture = '386';
  if (architecture === 'aarch64') architecture = 'arm64';
  if (architecture === 'arm64' && (!variant || variant === '8')) variant = 'v8';
  if (architecture === 'armhf') [architecture, variant] = ['arm', 'v7'];
  if (architecture === 'armel') [architecture, variant] = ['arm', 'v6'];
  if (architecture === 'arm' && variant && /^\d$/.test(variant)) variant = `v${variant}`;
  return { ...p, os, architecture, variant };
}

/** Variants a node of `variant` can run, best first. */
function runnableVariants(architecture: string, variant: string | undefined): (string | undefined)[] {
  if (architecture === 'arm64') return ['v8', undefined];
  if (architecture === 'arm') {
    const order = ['v8', 'v7', 'v6', 'v5'];
    const start = variant ? order.indexOf(variant) : order.indexOf('v7');
    return [...order.slice(Math.max(0, start)), undefined];
  }
  return [variant, undefined];
}

/** The child a node of `platform` runs, or undefined when none fits. */
export function pickPlatformChild<T extends PlatformChild>(children: T[], platform: Platform): T | undefined {
  const want = normalisePlatform(platform);
  const usable = children
    .filter((c) => c.os && c.architecture && c.os !== 'unknown' && c.architecture !== 'unknown')
    .map((c) => ({
      child: c,
      p: normalisePlatform({ os: c.os!, architecture: c.architecture!, variant: c.variant ?? undefined }),
    }))
    .filter(({ p }) => p.os === want.os && p.architecture === want.architecture);
  for (const v of runnableVariants(want.architecture, want.variant)) {
    const hit = usable.find(({ p }) => (p.variant ?? undefined) === v);
    if (hit) return hit.child;
  }
  return undefined;
}

/** Runnable (non-attestation) children of an index. */
export function runnableChildren<T extends PlatformChild>(children: T[]): T[] {
  return children.filter((c) => c.os && c.architecture && c.os !== 'unknown' && c.architecture !== 'unknown');
}
