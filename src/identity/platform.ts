// Platform matching for multi-arch images (OCI image-spec image-index.md `platform`; the
// normalisation and ARM variant fallbacks follow containerd/platforms and containers/image
// internal/manifest list.go): amd64/x86_64, arm64/aarch64 (variant v8), arm v5–v8 falling back to
// lower variants and then the variant-less entry, windows os.version; attestation and builder
// entries (unknown/unknown, vnd.docker.reference.type) are never images to run.

import { UsageError } from '../core/errors.js';
import type { Platform } from '../core/types.js';
import type { Descriptor } from './schema.js';

const ARCH_ALIASES: Record<string, { architecture: string; variant?: string }> = {
  x86_64: { architecture: 'amd64' },
  'x86-64': { architecture: 'amd64' },
  amd64: { architecture: 'amd64' },
  aarch64: { architecture: 'arm64' },
  arm64: { architecture: 'arm64' },
  armhf: { architecture: 'arm', variant: 'v7' },
  armel: { architecture: 'arm', variant: 'v6' },
  i386: { architecture: '386' },
  i686: { architecture: '386' },
  x86: { architecture: '386' },
};

const OS_ALIASES: Record<string, string> = { macos: 'darwin' };

/** Lower-cases and maps aliases; arm64's v8 and amd64's v1 are the architecture's baseline (no variant). */
export function normalisePlatform(p: Platform): Platform {
  const os = OS_ALIASES[p.os.toLowerCase()] ?? p.os.toLowerCase();
  const alias = ARCH_ALIASES[p.architecture.toLowerCase()];
  const architecture = alias?.architecture ?? p.architecture.toLowerCase();
  let variant = (p.variant ?? alias?.variant ?? '').toLowerCase() || undefined;
  if (variant === '8') variant = 'v8';
  if (architecture === 'arm64' && (variant === 'v8' || variant === '8')) variant = undefined;
  if (architecture === 'amd64' && variant === 'v1') variant = undefined;
  const out: Platform = { os, architecture };
  if (variant) out.variant = variant;
  if (p.osVersion) out.osVersion = p.osVersion;
  return out;
}

/** `os/arch[/variant]`, the form --platform takes and messages print. */
export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Parses `linux/arm64`, `linux/arm/v7`, `windows/amd64:10.0.17763.1234` (os.version after a colon). */
export function parsePlatform(s: string): Platform {
  const [main, osVersion] = s.split(':', 2) as [string, string | undefined];
  const parts = main.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((x) => !/^[A-Za-z0-9_.-]+$/.test(x)))
    throw new UsageError(
      `invalid platform "${s}": expected OS/ARCH[/VARIANT], e.g. linux/amd64, linux/arm64 or linux/arm/v7`,
    );
  return normalisePlatform({ os: parts[0]!, architecture: parts[1]!, variant: parts[2], osVersion });
}

/** The platform Runsight picks by default: linux/amd64, like most registries' first entry. */
export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

const ARM_ORDER = ['v8', 'v7', 'v6', 'v5'];
const AMD64_ORDER = ['v4', 'v3', 'v2'];

/** Entry variants acceptable for a wanted platform, best first ('' = variant-less entry). */
export function compatibleVariants(wanted: Platform): string[] {
  const w = normalisePlatform(wanted);
  const v = w.variant ?? '';
  if (w.architecture === 'arm') {
    const i = ARM_ORDER.indexOf(v === '' ? 'v7' : v);
    if (v === '') return ['', ...ARM_ORDER.slice(1)];
    return i === -1 ? [v, ''] : [...ARM_ORDER.slice(i), ''];
  }
  if (w.architecture === 'amd64') {
    const i = AMD64_ORDER.indexOf(v);
    return i === -1 ? [v] : [...AMD64_ORDER.slice(i), ''];
  }
  return [v];
}

/** Attestation manifests, build-cache and other non-runnable index entries. */
export function isAttestation(d: Descriptor): boolean {
  if (d.annotations?.['vnd.docker.reference.type']) return true;
  const p = d.platform;
  return p?.os === 'unknown' && p?.architecture === 'unknown';
}

export function descriptorPlatform(d: Descriptor): Platform | undefined {
  if (!d.platform) return undefined;
  return normalisePlatform({
    os: d.platform.os,
    architecture: d.platform.architecture,
    variant: d.platform.variant,
    osVersion: d.platform['os.version'],
  });
}

const ZSTD_ANNOTATION = 'io.github.containers.compression.zstd';

/** Windows build prefix `major.minor.build` of an os.version. */
function windowsBuild(v: string | undefined): string | undefined {
  return v?.split('.').slice(0, 3).join('.');
}

/**
 * The index entry to run on `wanted`, or undefined. Among equally good entries the first wins,
 * except that gzip entries are preferred over zstd duplicates (older runtimes cannot read zstd).
 */
export function selectPlatform(entries: readonly Descriptor[], wanted: Platform): Descriptor | undefined {
  const w = normalisePlatform(wanted);
  const variants = compatibleVariants(w);
  let best: { d: Descriptor; score: number } | undefined;
  for (const d of entries) {
    if (isAttestation(d)) continue;
    const p = descriptorPlatform(d);
    if (!p || p.os !== w.os || p.architecture !== w.architecture) continue;
    const rank = variants.indexOf(p.variant ?? '');
    if (rank === -1) continue;
    let score = rank * 10;
    if (w.os === 'windows' && w.osVersion) {
      if (p.osVersion === w.osVersion) score += 0;
      else if (p.osVersion && windowsBuild(p.osVersion) === windowsBuild(w.osVersion)) score += 1;
      else if (!p.osVersion) score += 2;
      else continue; // a different Windows build cannot run under process isolation
    }
    if (d.annotations?.[ZSTD_ANNOTATION] === 'true') score += 5;
    if (!best || score < best.score) best = { d, score };
  }
  return best?.d;
}

/** Every runnable entry of an index (attestations excluded). */
export function runnableEntries(entries: readonly Descriptor[]): Descriptor[] {
  return entries.filter((d) => !isAttestation(d));
}
