// Coverage gaps and what `runsight scan --in-use` scans: images that run but were never scanned
// (or whose scan is older than the scan SLA), and containers that resolved to no digest, each
// with a reference a scanner can pull.
import { digestReference, durationToMs, type PostureConfig, parseImageName } from '../propagation/index.js';
import type { CoverageGapRow, Store } from '../store/index.js';
import { queryCoverageGaps } from '../store/index.js';
import type { ScopedRead } from './scoped-read.js';

export interface ScanTarget {
  /** What to hand the scanner: `registry/repo@digest`, else the image as the runtime wrote it. */
  reference: string;
  digest: string | null;
  reason: CoverageGapRow['reason'];
  containers: number;
}

export async function listCoverageGaps(
  store: Store,
  config: PostureConfig = {},
  now = new Date(),
  opts: ScopedRead = {},
): Promise<CoverageGapRow[]> {
  const ms = durationToMs(config.sla?.scanAge);
  return queryCoverageGaps(store, ms === undefined ? null : new Date(now.getTime() - ms), {
    scope: opts.scope,
  });
}

/** In-use references that need a scan (never scanned, stale, or unresolved), most-used first. */
export async function listInUseScanTargets(
  store: Store,
  config: PostureConfig = {},
  now = new Date(),
  opts: ScopedRead = {},
): Promise<ScanTarget[]> {
  const gaps = await listCoverageGaps(store, config, now, opts);
  const out = new Map<string, ScanTarget>();
  for (const g of gaps) {
    let reference = g.image;
    const ref = parseImageName(g.image);
    if (g.imageDigest) {
      if (g.repository) {
        const [registry, ...repo] = g.repository.split('/');
        reference = digestReference({ registry: registry!, repository: repo.join('/') }, g.imageDigest);
      } else if (ref) reference = digestReference(ref, g.imageDigest);
    }
    const prev = out.get(reference);
    if (prev) prev.containers += g.containers;
    else out.set(reference, { reference, digest: g.imageDigest, reason: g.reason, containers: g.containers });
  }
  return [...out.values()].sort(
    (a, b) => b.containers - a.containers || a.reference.localeCompare(b.reference),
  );
}
