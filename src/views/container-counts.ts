// The posture fields `runsight containers --format json` carries for each container: its resolved
// platform digest, how it was matched, its image's severity counts (null when not scanned) and its
// image's two figures, `summary: {vulnerabilities, findings}` (docs/cli.md#counts-vulnerabilities-and-findings).
import { type CountSummary, summaryFromCells } from '../propagation/index.js';
import type { Store } from '../store/index.js';
import { queryImageCells } from '../store/index.js';

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
  /** Distinct vulnerabilities of its image by severity (= summary.vulnerabilities); null when not scanned. */
  counts: SeverityCounts | null;
  /** Its image's vulnerabilities and findings; null when not scanned. */
  summary: CountSummary | null;
}

export async function containerPostureFields(
  store: Store,
  rows: { imageDigest: string | null; matchMethod: string; confidence: string }[],
): Promise<ContainerPostureFields[]> {
  const images = await queryImageCells(store, [
    ...new Set(rows.flatMap((r) => (r.imageDigest ? [r.imageDigest] : []))),
  ]);
  return rows.map((r) => {
    const img = r.imageDigest ? images.get(r.imageDigest) : undefined;
    const summary = img ? summaryFromCells(img.cells, img.findingCells) : null;
    const v = summary?.vulnerabilities;
    return {
      imageDigest: r.imageDigest,
      matchMethod: r.matchMethod,
      confidence: r.confidence,
      counts: v
        ? { critical: v.critical, high: v.high, medium: v.medium, low: v.low, unknown: v.unknown }
        : null,
      summary,
    };
  });
}
