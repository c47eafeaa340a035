// Severity: database ratings normalised to Runsight's five levels, and the ONE precedence used when
// several statements rate a finding (docs/advisories.md#severity):
//   1. the distro's or database's own rating (a word: Debian's urgency, Ubuntu's priority,
//      Red Hat's impact, GHSA's database_specific severity…);
//   2. the advisories' own CVSS — v3.1/3.0, then v4.0, then v2.0;
//   3. the CVE record's CNA CVSS — same version order;
//   4. the CVE record's ADP CVSS (e.g. CISA-ADP) — same version order;
//   5. the CNA's own rating word where it publishes no CVSS (OpenSSL's "Low"), basis `cna-rating`;
//   6. UNKNOWN, source `none`.
// Within one level and version the highest rating wins (several advisories may rate one CVE).
// Every choice says who made it: the severity source (`distro:<Distro>`, `osv:<…>`, `cve:<CNA>`,
// `cve-adp:<ADP>`, `none`). See docs/adr/0003-advisories-and-matching.md.

import type { CveScore, SeverityEntry } from '../core/advisory.js';
import { severityRank } from '../core/severity.js';
import type { Cvss, Severity } from '../core/types.js';
import { baseEcosystem, isKnownEcosystem, schemeFor } from '../versioning/index.js';

const WORDS: Record<string, Severity> = {
  critical: 'CRITICAL',
  important: 'HIGH',
  high: 'HIGH',
  moderate: 'MEDIUM',
  medium: 'MEDIUM',
  low: 'LOW',
  negligible: 'LOW',
  unimportant: 'LOW',
  minor: 'LOW',
  unknown: 'UNKNOWN',
  untriaged: 'UNKNOWN',
  'not yet assigned': 'UNKNOWN',
};

/** A rating word from a distro or database (Debian, Ubuntu, Red Hat, GHSA…) → Severity, or undefined. */
export function normalizeRating(word: unknown): Severity | undefined {
  if (typeof word !== 'string') return undefined;
  return WORDS[word.trim().toLowerCase()];
}

/** Version schemes of operating-system packages: an advisory for such an ecosystem is a distro's. */
const DISTRO_SCHEMES = new Set(['dpkg', 'apk', 'rpm']);

/**
 * The severity source an advisory's ratings carry: `distro:<Distro>` (Debian, Ubuntu, Alpine,
 * Red Hat, AlmaLinux… — the ecosystem without its release) for an operating system's advisory,
 * else the advisory source it was imported under (`osv:PyPI`, `osv:npm`, `osv:Go`…).
 */
export function advisorySeveritySource(row: { source: string; ecosystem: string }): string {
  if (isKnownEcosystem(row.ecosystem) && DISTRO_SCHEMES.has(schemeFor(row.ecosystem).id)) {
    return `distro:${baseEcosystem(row.ecosystem)}`;
  }
  return row.source;
}

export type SeverityBasis = 'distro' | 'cvss3' | 'cvss4' | 'cvss2' | 'cna-rating' | 'none';

export interface ChosenSeverity {
  severity: Severity;
  /** The best CVSS vector of the first level (advisory, CNA, ADP) that has one. */
  cvss?: Cvss | undefined;
  /** Which rule decided: `distro`, `cvss3`, `cvss4`, `cvss2`, `none`. */
  basis: SeverityBasis;
  /** Who decided (docs/advisories.md#severity): `distro:Alpine`, `osv:PyPI`, `cve:talos`, `cve-adp:CISA-ADP`, `none`. */
  source: string;
}

/** Everything that may rate one finding. */
export interface SeverityInputs {
  /** Ratings of the matched advisories' packages (affected[].ecosystem_specific / database_specific). */
  ratings?: { severity: Severity | undefined; source: string }[] | undefined;
  /** The matched advisories' severity entries: CVSS vectors and rating words. */
  entries?: { entry: SeverityEntry; source: string }[] | undefined;
  /** The CVE record's scores for the finding's CVE id. */
  cveScores?: CveScore[] | undefined;
}

interface Candidate {
  rating: Severity;
  source: string;
  cvss?: Cvss | undefined;
}

const VERSION_ORDER: [
  Exclude<SeverityBasis, 'distro' | 'cna-rating' | 'none'>,
  (v: string | undefined) => boolean,
][] = [
  ['cvss3', (v) => v === '3.1' || v === '3.0'],
  ['cvss4', (v) => v === '4.0'],
  ['cvss2', (v) => v === '2.0'],
];

/** The highest candidate; ties go to the higher CVSS score, the newer CVSS version (3.1 over 3.0), then the first source name. */
function best(cands: Candidate[]): Candidate {
  return cands.reduce((a, b) => {
    const d = severityRank(b.rating) - severityRank(a.rating);
    if (d !== 0) return d > 0 ? b : a;
    const s = (b.cvss?.score ?? -1) - (a.cvss?.score ?? -1);
    if (s !== 0) return s > 0 ? b : a;
    const v =
      (b.cvss?.version ?? '') > (a.cvss?.version ?? '')
        ? 1
        : (b.cvss?.version ?? '') < (a.cvss?.version ?? '')
          ? -1
          : 0;
    if (v !== 0) return v > 0 ? b : a;
    return b.source < a.source ? b : a;
  });
}

/** The CVSS levels in order: the advisories', the CNA's, the ADPs'. Each is a list of candidates. */
function cvssLevels(inputs: SeverityInputs): Candidate[][] {
  const advisory = (inputs.entries ?? []).flatMap(({ entry: e, source }) =>
    e.cvssVersion && e.baseScore !== undefined
      ? [{ rating: e.rating, source, cvss: { version: e.cvssVersion, vector: e.score, score: e.baseScore } }]
      : [],
  );
  const fromCve = (container: 'cna' | 'adp') =>
    (inputs.cveScores ?? []).flatMap((s) =>
      s.container === container && s.cvssVersion !== 'rating'
        ? [
            {
              rating: s.rating,
              source: s.source,
              cvss: { version: s.cvssVersion, vector: s.vector, score: s.baseScore },
            },
          ]
        : [],
    );
  return [advisory, fromCve('cna'), fromCve('adp')];
}

function pickCvss(level: Candidate[]): (Candidate & { basis: SeverityBasis }) | undefined {
  for (const [basis, test] of VERSION_ORDER) {
    const scored = level.filter((c) => test(c.cvss?.version));
    if (scored.length) return { ...best(scored), basis };
  }
  return undefined;
}

/** Applies the precedence (file header) to everything that rates one finding. */
export function chooseSeverity(inputs: SeverityInputs): ChosenSeverity {
  let cvss: (Candidate & { basis: SeverityBasis }) | undefined;
  for (const level of cvssLevels(inputs)) {
    cvss = pickCvss(level);
    if (cvss) break;
  }
  const words: Candidate[] = [
    ...(inputs.ratings ?? []).flatMap((r) =>
      r.severity && r.severity !== 'UNKNOWN' ? [{ rating: r.severity, source: r.source }] : [],
    ),
    ...(inputs.entries ?? []).flatMap(({ entry: e, source }) =>
      !e.cvssVersion && e.rating !== 'UNKNOWN' ? [{ rating: e.rating, source }] : [],
    ),
  ];
  if (words.length) {
    const w = best(words);
    return { severity: w.rating, cvss: cvss?.cvss, basis: 'distro', source: w.source };
  }
  if (cvss) return { severity: cvss.rating, cvss: cvss.cvss, basis: cvss.basis, source: cvss.source };
  // Last, a CNA's own rating word (OpenSSL rates Low/Moderate/High/Critical, without CVSS).
  const cnaWords = (inputs.cveScores ?? []).filter((s) => s.cvssVersion === 'rating');
  if (cnaWords.length) {
    const w = best(cnaWords.map((s) => ({ rating: s.rating, source: s.source })));
    return { severity: w.rating, basis: 'cna-rating', source: w.source };
  }
  return { severity: 'UNKNOWN', basis: 'none', source: 'none' };
}
