// Severity: database ratings normalised to Runsight's five levels, and the precedence used when an
// advisory (or several merged ones) gives more than one: the distro's/database's own rating, then
// CVSS v3.x, then v4.0, then v2, then UNKNOWN. See docs/adr/0003-advisories-and-matching.md.

import type { SeverityEntry } from '../core/advisory.js';
import { maxSeverity } from '../core/severity.js';
import type { Cvss, Severity } from '../core/types.js';

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

export interface ChosenSeverity {
  severity: Severity;
  cvss?: Cvss | undefined;
  /** Which rule decided: `distro`, `cvss3`, `cvss4`, `cvss2`, `none`. */
  basis: 'distro' | 'cvss3' | 'cvss4' | 'cvss2' | 'none';
}

const CVSS_ORDER: [ChosenSeverity['basis'], (e: SeverityEntry) => boolean][] = [
  ['cvss3', (e) => e.cvssVersion === '3.1' || e.cvssVersion === '3.0'],
  ['cvss4', (e) => e.cvssVersion === '4.0'],
  ['cvss2', (e) => e.cvssVersion === '2.0'],
];

/**
 * Applies the precedence over ratings (from affected entries) and severity entries. Within one
 * level the highest rating wins (several advisories may rate one CVE).
 */
export function chooseSeverity(ratings: (Severity | undefined)[], entries: SeverityEntry[]): ChosenSeverity {
  const distro = [
    ...ratings.filter((r): r is Severity => r !== undefined && r !== 'UNKNOWN'),
    ...entries.filter((e) => !e.cvssVersion && e.rating !== 'UNKNOWN').map((e) => e.rating),
  ];
  const bestCvss = pickCvss(entries);
  if (distro.length) return { severity: distro.reduce(maxSeverity), cvss: bestCvss?.cvss, basis: 'distro' };
  if (bestCvss) return bestCvss;
  return { severity: 'UNKNOWN', basis: 'none' };
}

function pickCvss(entries: SeverityEntry[]): ChosenSeverity | undefined {
  for (const [basis, test] of CVSS_ORDER) {
    const scored = entries.filter((e) => test(e) && e.baseScore !== undefined);
    if (!scored.length) continue;
    const top = scored.reduce((a, b) => (b.baseScore! > a.baseScore! ? b : a));
    return {
      severity: top.rating,
      cvss: { version: top.cvssVersion!, vector: top.score, score: top.baseScore! },
      basis,
    };
  }
  return undefined;
}
