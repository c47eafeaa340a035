// CVSS as findings carry it: one vector with its version and base score, v3 preferred (then v4,
// then v2). Reports that give a v3 vector without a score (OSV records in osv-scanner output) get
// the base score computed here: FIRST CVSS v3.1 specification, section 7 (base metrics equations).
import type { Cvss } from '../core/types.js';

export interface CvssCandidate {
  vector?: string | null | undefined;
  score?: number | null | undefined;
  /** Version when the vector does not say (CycloneDX `method`, Trivy V2/V3 field names). */
  version?: Cvss['version'] | undefined;
}

/** The version a vector declares (`CVSS:3.1/…`, `CVSS:4.0/…`); a bare vector is v2. */
export function cvssVersionOf(vector: string): Cvss['version'] | undefined {
  const m = /^CVSS:(\d\.\d)\//.exec(vector);
  if (!m) return /^AV:[LAN]\/AC:[HML]\/Au:/.test(vector) ? '2.0' : undefined;
  return (['3.0', '3.1', '4.0'] as const).find((v) => v === m[1]);
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
      typeof c.score === 'number' && Number.isFinite(c.score)
        ? c.score
        : version.startsWith('3')
          ? cvss3BaseScore(c.vector)
          : undefined;
    if (score === undefined) continue;
    if (!best || PREFERENCE[version] < PREFERENCE[best.version]) best = { version, vector: c.vector, score };
  }
  return best;
}

const W = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const;

/** CVSS v3.0/v3.1 base score of a vector, or undefined when the vector is incomplete or invalid. */
export function cvss3BaseScore(vector: string): number | undefined {
  const m: Record<string, string> = {};
  for (const part of vector.replace(/^CVSS:3\.[01]\//, '').split('/')) {
    const [k, v] = part.split(':');
    if (k && v) m[k] = v;
  }
  const av = W.AV[m.AV as keyof typeof W.AV];
  const ac = W.AC[m.AC as keyof typeof W.AC];
  const ui = W.UI[m.UI as keyof typeof W.UI];
  const c = W.CIA[m.C as keyof typeof W.CIA];
  const i = W.CIA[m.I as keyof typeof W.CIA];
  const a = W.CIA[m.A as keyof typeof W.CIA];
  const changed = m.S === 'C';
  if (m.S !== 'U' && !changed) return undefined;
  const pr = { N: 0.85, L: changed ? 0.68 : 0.62, H: changed ? 0.5 : 0.27 }[m.PR as 'N' | 'L' | 'H'];
  if ([av, ac, ui, c, i, a, pr].some((x) => x === undefined)) return undefined;
  const iss = 1 - (1 - c!) * (1 - i!) * (1 - a!);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 : 6.42 * iss;
  const exploitability = 8.22 * av! * ac! * pr! * ui!;
  if (impact <= 0) return 0;
  return roundUp(Math.min((changed ? 1.08 : 1) * (impact + exploitability), 10));
}

/** Roundup as defined in CVSS v3.1 Appendix A (avoids floating-point artefacts). */
function roundUp(x: number): number {
  const n = Math.round(x * 100000);
  return n % 10000 === 0 ? n / 100000 : (Math.floor(n / 10000) + 1) / 10;
}
