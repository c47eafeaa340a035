// The posture fields `runsight containers --format json` carries for each container: its resolved
// platform digest, how it was matched, and its image's severity counts (null when not scanned).
import type { Store } from '../store/index.js';
import { queryImageCounts } from '../store/index.js';

export interface SeverityCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
  unknown: number;
}

export interface ContainerPostureFields {
  imageDigest: string | null;
  matchMethod: string;
  confidence: string;
  counts: SeverityCounts | null;
}

export async function containerPostureFields(
  store: Store,
  rows: { imageDigest: string | null; matchMethod: string; confidence: string }[],
): Promise<ContainerPostureFields[]> {
  const counts = await queryImageCounts(store, [
    ...new Set(rows.flatMap((r) => (r.imageDigest ? [r.imageDigest] : []))),
  ]);
  return rows.map((r) => {
    const c = r.imageDigest ? counts.get(r.imageDigest) : undefined;
    return {
      imageDigest: r.imageDigest,
      matchMethod: r.matchMethod,
      confidence: r.confidence,
      counts: c
        ? {
            critical: c.critical ?? 0,
            high: c.high ?? 0,
            medium: c.medium ?? 0,
            low: c.low ?? 0,
            unknown: c.unknown ?? 0,
          }
        : null,
    };
  });
}
