// A CVE JSON 5 record → its CVSS scores, one per (container, CVSS version), each named by the
// severity source it gives a finding: `cve:<CNA short name>`, `cve-adp:<ADP short name>`. The base
// score and baseSeverity are kept as published (v2 has no baseSeverity: FIRST's v2 scale applies).
// A rejected record carries no scores: importing it removes the ones stored for its id.
import type { CveRecordScores, CveScore, CvssVersion } from '../../core/advisory.js';
import { severityRank } from '../../core/severity.js';
import type { Severity } from '../../core/types.js';
import { ratingFor } from '../cvss.js';
import { normalizeRating } from '../severity.js';
import { type CveContainer, type CveRecord, parseCveDate } from './schema.js';

const VERSIONS: ['cvssV3_1' | 'cvssV3_0' | 'cvssV4_0' | 'cvssV2_0', CvssVersion][] = [
  ['cvssV3_1', '3.1'],
  ['cvssV3_0', '3.0'],
  ['cvssV4_0', '4.0'],
  ['cvssV2_0', '2.0'],
];

const SEVERITIES: Record<string, Severity> = {
  CRITICAL: 'CRITICAL',
  HIGH: 'HIGH',
  MEDIUM: 'MEDIUM',
  LOW: 'LOW',
  // CVSS "None" (score 0): reported LOW, as cvss.ts does for computed scores.
  NONE: 'LOW',
};

export function cveSourceName(container: 'cna' | 'adp', c: CveContainer): string {
  const who = c.providerMetadata.shortName ?? c.providerMetadata.orgId;
  return container === 'cna' ? `cve:${who}` : `cve-adp:${who}`;
}

function containerScores(container: 'cna' | 'adp', c: CveContainer): CveScore[] {
  const source = cveSourceName(container, c);
  // One score per CVSS version: when a container repeats a version (several scenarios), the
  // highest base score stands for it, as the highest rating wins within a precedence level.
  const best = new Map<CvssVersion, CveScore>();
  for (const m of c.metrics ?? []) {
    for (const [key, version] of VERSIONS) {
      const v = m[key];
      if (!v) continue;
      const rating = SEVERITIES[(v.baseSeverity ?? '').toUpperCase()] ?? ratingFor(version, v.baseScore);
      const score: CveScore = {
        source,
        container,
        cvssVersion: version,
        vector: v.vectorString,
        baseScore: v.baseScore,
        rating,
      };
      const prev = best.get(version);
      if (!prev || score.baseScore > prev.baseScore) best.set(version, score);
    }
  }
  const word = container === 'cna' ? ratingWord(c) : undefined;
  return word ? [...best.values(), word] : [...best.values()];
}

/**
 * A CNA that rates on its own scale instead of CVSS (OpenSSL: `{"other": {"type":
 * "https://www.openssl.org/policies/secpolicy.html", "content": {"text": "Low"}}}`, older records
 * `"content": {"value": "Low"}`) gives its word; only a word of the known scale counts
 * (normalizeRating), never free text. The highest word wins when it gives several.
 */
function ratingWord(c: CveContainer): CveScore | undefined {
  let found: { word: string; rating: Severity } | undefined;
  for (const m of c.metrics ?? []) {
    const content = m.other?.content as { text?: unknown; value?: unknown } | undefined;
    const word = typeof content?.text === 'string' ? content.text : content?.value;
    const rating = normalizeRating(word);
    if (typeof word !== 'string' || !rating || rating === 'UNKNOWN') continue;
    if (!found || severityRank(rating) > severityRank(found.rating)) found = { word: word.trim(), rating };
  }
  if (!found) return undefined;
  return {
    source: cveSourceName('cna', c),
    container: 'cna',
    cvssVersion: 'rating',
    vector: found.word,
    baseScore: 0,
    rating: found.rating,
  };
}

export function normalizeCveRecord(rec: CveRecord): CveRecordScores {
  const meta = rec.cveMetadata;
  const dateUpdated = meta.dateUpdated ? parseCveDate(meta.dateUpdated) : undefined;
  if (meta.state === 'REJECTED') return { cveId: meta.cveId, state: 'REJECTED', dateUpdated, scores: [] };
  // Keyed by (source, version): two ADP containers of one provider still give one row each.
  const scores = new Map<string, CveScore>();
  for (const s of [
    ...containerScores('cna', rec.containers.cna),
    ...(rec.containers.adp ?? []).flatMap((a) => containerScores('adp', a)),
  ]) {
    const k = `${s.source}\u0000${s.cvssVersion}`;
    const prev = scores.get(k);
    if (!prev || s.baseScore > prev.baseScore) scores.set(k, s);
  }
  return { cveId: meta.cveId, state: 'PUBLISHED', dateUpdated, scores: [...scores.values()] };
}
