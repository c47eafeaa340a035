// What a per-image document (SARIF, CycloneDX, OpenVEX: src/reports/image-report/) reads beside
// the scans `image show` lists: every finding row of the chosen scans with all its columns, and
// per vulnerability id the advisory summary, KEV entry and EPSS score Runsight holds.
import { sql } from 'kysely';
import type { FindingStatus, Severity } from '../../../core/types.js';
import type { Store } from '../../open-store.js';
import { anyNumber } from '../../statement-size.js';

export interface ImageReportFindingRow {
  scanId: number;
  vulnerabilityId: string;
  aliases: string[];
  ecosystem: string;
  packageName: string;
  packagePurl: string | null;
  installedVersion: string;
  fixedVersion: string | null;
  layerDiffId: string | null;
  severity: Severity;
  cvssVersion: string | null;
  cvssVector: string | null;
  cvssScore: number | null;
  status: FindingStatus;
  statusReason: string | null;
}

/** Every finding of these scans, whatever its status, ordered by scan, vulnerability and package. */
export async function readImageReportFindings(
  { db }: Pick<Store, 'db'>,
  scanIds: number[],
): Promise<ImageReportFindingRow[]> {
  if (!scanIds.length) return [];
  const rows = await db
    .selectFrom('findings')
    .select([
      'scan_id',
      'vulnerability_id',
      'aliases',
      'package_ecosystem',
      'package_name',
      'package_purl',
      'installed_version',
      'fixed_version',
      'layer_diff_id',
      'severity',
      'cvss_version',
      'cvss_vector',
      'cvss_score',
      'status',
      'status_reason',
    ])
    .where('scan_id', '=', anyNumber(scanIds))
    .orderBy('scan_id')
    .orderBy('vulnerability_id')
    .orderBy('package_name')
    .orderBy('installed_version')
    .execute();
  return rows.map((r) => ({
    scanId: Number(r.scan_id),
    vulnerabilityId: r.vulnerability_id,
    aliases: r.aliases,
    ecosystem: r.package_ecosystem,
    packageName: r.package_name,
    packagePurl: r.package_purl,
    installedVersion: r.installed_version,
    fixedVersion: r.fixed_version,
    layerDiffId: r.layer_diff_id,
    severity: r.severity,
    cvssVersion: r.cvss_version,
    cvssVector: r.cvss_vector,
    cvssScore: r.cvss_score == null ? null : Number(r.cvss_score),
    status: r.status,
    statusReason: r.status_reason,
  }));
}

export interface ImageReportFacts {
  /** The advisory that is or names the id (an exact id first), when Runsight holds one. */
  advisory: { source: string; id: string; summary: string | null } | null;
  kev: { dateAdded: string | null; knownRansomware: string | null } | null;
  epss: { score: number; percentile: number } | null;
}

/** Advisory summary, KEV entry and EPSS score per vulnerability id (one array parameter each). */
export async function readImageReportFacts(
  { db }: Pick<Store, 'db'>,
  ids: string[],
): Promise<Map<string, ImageReportFacts>> {
  const wanted = [...new Set(ids)];
  const out = new Map<string, ImageReportFacts>(
    wanted.map((id) => [id, { advisory: null, kev: null, epss: null }]),
  );
  if (!wanted.length) return out;
  const advisories = await sql<{ source: string; id: string; summary: string | null; aliases: string[] }>`
    select source, id, summary, aliases || upstream as aliases from advisories
    where withdrawn is null
      and (id = any(${wanted}::text[]) or aliases && ${wanted}::text[] or upstream && ${wanted}::text[])
    order by source, id`.execute(db);
  for (const a of advisories.rows) {
    for (const id of [a.id, ...a.aliases]) {
      const f = out.get(id);
      if (!f) continue;
      // An advisory under the id itself beats one that only names it; among equals, one with a summary.
      const exact = a.id === id;
      const cur = f.advisory;
      const better =
        !cur || (exact && cur.id !== id) || (exact === (cur.id === id) && !cur.summary && !!a.summary);
      if (better) f.advisory = { source: a.source, id: a.id, summary: a.summary };
    }
  }
  const kev = await sql<{
    cve_id: string;
    date_added: Date | string | null;
    known_ransomware: string | null;
  }>`
    select cve_id, date_added, known_ransomware from kev where cve_id = any(${wanted}::text[])`.execute(db);
  for (const k of kev.rows)
    out.get(k.cve_id)!.kev = {
      dateAdded: k.date_added == null ? null : new Date(k.date_added).toISOString().slice(0, 10),
      knownRansomware: k.known_ransomware,
    };
  const epss = await sql<{ cve_id: string; score: number; percentile: number }>`
    select cve_id, score, percentile from epss where cve_id = any(${wanted}::text[])`.execute(db);
  for (const e of epss.rows)
    out.get(e.cve_id)!.epss = { score: Number(e.score), percentile: Number(e.percentile) };
  return out;
}
