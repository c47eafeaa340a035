// `runsight image diff A B`: which vulnerabilities a rebuild fixed, introduced or left unchanged,
// compared per (vulnerability, package) over the two images' current posture.
import type { Platform } from '../core/types.js';
import { findImageDigest } from '../propagation/index.js';
import type { ImageFindingRow, Store } from '../store/index.js';
import { queryImageFindings } from '../store/index.js';

export interface DiffEntry {
  vulnerabilityId: string;
  severity: string;
  packageName: string;
  before: string | null;
  after: string | null;
  fixedVersion: string | null;
}

export interface ImageDiff {
  a: { reference: string; digest: string };
  b: { reference: string; digest: string };
  fixed: DiffEntry[];
  introduced: DiffEntry[];
  unchanged: DiffEntry[];
  summary: { fixed: number; introduced: number; unchanged: number };
}

export async function diffImages(
  store: Store,
  a: string,
  b: string,
  opts: { platform?: Platform } = {},
): Promise<ImageDiff> {
  const digestA = await findImageDigest(store, a, opts.platform);
  const digestB = await findImageDigest(store, b, opts.platform);
  const [fa, fb] = await Promise.all([
    queryImageFindings(store, digestA),
    queryImageFindings(store, digestB),
  ]);
  const key = (f: ImageFindingRow) => `${f.vulnerabilityId}\u0000${f.packageName}`;
  const ma = new Map(fa.map((f) => [key(f), f]));
  const mb = new Map(fb.map((f) => [key(f), f]));
  const entry = (x: ImageFindingRow | undefined, y: ImageFindingRow | undefined): DiffEntry => {
    const f = (x ?? y)!;
    return {
      vulnerabilityId: f.vulnerabilityId,
      severity: f.severity,
      packageName: f.packageName,
      before: x?.installedVersion ?? null,
      after: y?.installedVersion ?? null,
      fixedVersion: (y ?? x)?.fixedVersion ?? null,
    };
  };
  const fixed = [...ma].filter(([k]) => !mb.has(k)).map(([, f]) => entry(f, undefined));
  const introduced = [...mb].filter(([k]) => !ma.has(k)).map(([, f]) => entry(undefined, f));
  const unchanged = [...ma].filter(([k]) => mb.has(k)).map(([k, f]) => entry(f, mb.get(k)));
  return {
    a: { reference: a, digest: digestA },
    b: { reference: b, digest: digestB },
    fixed,
    introduced,
    unchanged,
    summary: { fixed: fixed.length, introduced: introduced.length, unchanged: unchanged.length },
  };
}
