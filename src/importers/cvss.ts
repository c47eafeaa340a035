// CVSS as findings carry it: one vector with its version and base score, v3 preferred (then v4,
// then v2). A vector without a score (OSV records in osv-scanner output) is scored with the
// advisories stage's calculator (scoreCvss, FIRST specifications); a bare vector takes its
// version from the report (CycloneDX rating `method`).
import { scoreCvss } from '../advisories/index.js';
import type { Cvss } from '../core/types.js';

export interface CvssCandidate {
  vector?: string | null | undefined;
  score?: number | null | undefined;
  /** Version when the vector does not say (CycloneDX `method`, Trivy V2/V3 field names). */
  version?: Cvss['version'] | undefined;
}

/** The version a vector declares (`CVSS:3.1/…`, `CVSS:4.0/…`); a bare v2 base vector is 2.0. */
export function cvssVersionOf(vector: string): Cvss['version'] | undefined {
  const m = /^CVSS:(\d\.\d)\//.exec(vector);
  if (!m) return /^\(?AV:[LAN]\/AC:[HML]\/Au:/.test(vector) ? '2.0' : undefined;
  return (['2.0', '3.0', '3.1', '4.0'] as const).find((v) => v === m[1]);
}

const PREFERENCE: Record<Cvss['version'], number> = { '3.1': 0, '3.0': 1, '4.0': 2, '2.0': 3 };

/** Picks the preferred CVSS among candidates (in the order given within a version). */
export function pickCvss(candidates: CvssCandidate[]): Cvss | undefined {
  let best: Cvss | undefined;
  for (const c of candidates) {
    if (!c.vector) continue;
    const version = cvssVersionOf(c.vector) ?? c.version;
    if (!version) continue;
    const score =
      typeof c.score === 'number' && Number.isFinite(c.score) ? c.score : scoreOf(c.vector, version);
    if (score === undefined) continue;
    if (!best || PREFERENCE[version] < PREFERENCE[best.version]) best = { version, vector: c.vector, score };
  }
  return best;
}

// Scoring costs ~0.4 ms a vector and reports repeat the same few vectors: remember them.
const SCORES = new Map<string, number | undefined>();
const SCORES_MAX = 10_000;

/** Base score of a vector, prefixing a bare v3/v4 vector with the version the report gave. */
export function scoreOf(vector: string, version: Cvss['version']): number | undefined {
  const full = /^CVSS:/.test(vector) || version === '2.0' ? vector : `CVSS:${version}/${vector}`;
  if (SCORES.has(full)) return SCORES.get(full);
  const score = scoreCvss(full)?.score;
  if (SCORES.size >= SCORES_MAX) SCORES.clear();
  SCORES.set(full, score);
  return score;
}
