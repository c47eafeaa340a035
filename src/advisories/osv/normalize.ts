// An OSV record → NormalizedAdvisory: severity vectors scored, ratings from ecosystem_specific /
// database_specific pulled out, PyPI names normalised (PEP 503) so lookups match.

import type { AffectedEntry, NormalizedAdvisory, SeverityEntry } from '../../core/advisory.js';
import { baseEcosystem } from '../../versioning/index.js';
import { scoreCvss } from '../cvss.js';
import { normalizeRating } from '../severity.js';
import type { OsvAffected, OsvRecord } from './schema.js';

/** PEP 503 name normalisation; other ecosystems keep the name as published. */
export function normalizePackageName(ecosystem: string, name: string): string {
  return baseEcosystem(ecosystem) === 'PyPI' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;
}

export function severityEntries(list: { type: string; score: string }[] | null | undefined): SeverityEntry[] {
  const out: SeverityEntry[] = [];
  for (const s of list ?? []) {
    if (s.type.startsWith('CVSS_')) {
      const scored = scoreCvss(s.score);
      out.push({
        type: s.type,
        score: s.score,
        cvssVersion: scored?.version,
        baseScore: scored?.score,
        rating: scored?.rating ?? 'UNKNOWN',
      });
    } else {
      // A database's own rating, e.g. {"type": "Ubuntu", "score": "medium"}.
      out.push({ type: s.type, score: s.score, rating: normalizeRating(s.score) ?? 'UNKNOWN' });
    }
  }
  return out;
}

function ratingOf(a: OsvAffected): AffectedEntry['severity'] {
  for (const bag of [a.ecosystem_specific, a.database_specific]) {
    if (bag && typeof bag === 'object') {
      const r = normalizeRating((bag as Record<string, unknown>).severity);
      if (r) return r;
    }
  }
  return undefined;
}

/** The advisory_sources name an OSV record is filed under: `osv:<ecosystem>` of its first package. */
export function osvSourceName(rec: OsvRecord): string {
  const eco = rec.affected?.find((a) => a.package)?.package?.ecosystem;
  return eco ? `osv:${baseEcosystem(eco)}` : 'osv';
}

export function normalizeOsv(rec: OsvRecord, source = osvSourceName(rec)): NormalizedAdvisory {
  const recordRating = normalizeRating(
    rec.database_specific && typeof rec.database_specific === 'object'
      ? (rec.database_specific as Record<string, unknown>).severity
      : undefined,
  );
  const affected: AffectedEntry[] = [];
  for (const a of rec.affected ?? []) {
    if (!a.package) continue;
    affected.push({
      ecosystem: a.package.ecosystem,
      packageName: normalizePackageName(a.package.ecosystem, a.package.name),
      purl: a.package.purl,
      ranges: (a.ranges ?? []).map((r) => ({
        type: r.type,
        events: r.events.map((e) => ({
          introduced: e.introduced,
          fixed: e.fixed,
          last_affected: e.last_affected,
          limit: e.limit,
        })),
      })),
      versions: a.versions ?? [],
      severity: ratingOf(a) ?? recordRating,
    });
  }
  const severity = severityEntries(rec.severity);
  // Per-package CVSS vectors (affected[].severity) count as the advisory's too.
  for (const a of rec.affected ?? []) severity.push(...severityEntries(a.severity));
  return {
    source,
    id: rec.id,
    modified: rec.modified ? new Date(rec.modified) : undefined,
    published: rec.published ? new Date(rec.published) : undefined,
    withdrawn: rec.withdrawn ? new Date(rec.withdrawn) : undefined,
    summary: rec.summary,
    aliases: rec.aliases ?? [],
    // `related` carries the CVE for some distros (AlmaLinux ALSA); kept with upstream as a link.
    upstream: [...(rec.upstream ?? []), ...(rec.related ?? []).filter((r) => /^CVE-\d+-\d+$/.test(r))],
    severity,
    affected,
    record: rec,
  };
}
