// The findings behind one image's posture (the chosen source's current scan, after VEX: the
// vulnerabilities image_vulns kept, without the packages a statement's subcomponent clears), with package, installed and fixed version, and the layer that introduced
// the package — what `container show` lists and remediation reasons over.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';
import { severityOfRankSql } from './cells-sql.js';
import { LATEST_VEX_SQL, vexAppliesSql } from './vex-sql.js';

export interface ImageFindingRow {
  vulnerabilityId: string;
  severity: string;
  kev: boolean;
  epss: number | null;
  fixable: boolean;
  status: string;
  packageName: string;
  packageEcosystem: string;
  packagePurl: string | null;
  installedVersion: string;
  fixedVersion: string | null;
  layerDiffId: string | null;
}

export async function queryImageFindings(
  { db }: Pick<Store, 'db'>,
  digest: string,
): Promise<ImageFindingRow[]> {
  const r = await sql<Record<string, unknown>>`
    with vex as (${LATEST_VEX_SQL})
    select f.vulnerability_id, ${sql.raw(severityOfRankSql('iv.severity_rank'))} as severity, iv.kev, iv.epss, iv.fixable, f.status, f.package_name,
      f.package_ecosystem, f.package_purl, f.installed_version, f.fixed_version,
      coalesce(f.layer_diff_id, pk.layer_diff_id) as layer_diff_id
    from image_posture p
    join findings f on f.scan_id = p.scan_id
    join image_vulns iv on iv.scan_id = p.scan_id and iv.vulnerability_id = f.vulnerability_id
    left join lateral (
      select k.layer_diff_id from packages k
      where k.scan_id = f.scan_id and k.name = f.package_name and k.version = f.installed_version
      limit 1) pk on true
    where p.image_digest = ${digest} and f.status in ('affected', 'unknown')
      and not exists (select 1 from vex v where v.status in ('not_affected', 'fixed')
        and ${vexAppliesSql('v', 'f')})
    order by iv.kev desc, iv.severity_rank desc, iv.epss desc nulls last, f.vulnerability_id, f.package_name`.execute(
    db,
  );
  return r.rows.map((row) => ({
    vulnerabilityId: String(row.vulnerability_id),
    severity: String(row.severity),
    kev: Boolean(row.kev),
    epss: row.epss == null ? null : Number(row.epss),
    fixable: Boolean(row.fixable),
    status: String(row.status),
    packageName: String(row.package_name),
    packageEcosystem: String(row.package_ecosystem),
    packagePurl: (row.package_purl as string | null) ?? null,
    installedVersion: String(row.installed_version),
    fixedVersion: (row.fixed_version as string | null) ?? null,
    layerDiffId: (row.layer_diff_id as string | null) ?? null,
  }));
}

/** Severity counts computed straight from the findings of an image's current scan (the check's oracle). */
export async function countImageFindingsDirect(
  { db }: Pick<Store, 'db'>,
  digest: string,
): Promise<Record<'critical' | 'high' | 'medium' | 'low' | 'unknown', number>> {
  const r = await sql<{ severity: string; n: number }>`
    with vex as (${LATEST_VEX_SQL})
    select sev as severity, count(*) as n from (
      select f.vulnerability_id, (array['UNKNOWN','LOW','MEDIUM','HIGH','CRITICAL'])[max(case f.severity when 'CRITICAL' then 4 when 'HIGH' then 3 when 'MEDIUM' then 2 when 'LOW' then 1 else 0 end) + 1] as sev
      from findings f
      where f.scan_id = (select scan_id from image_posture where image_digest = ${digest})
        and f.status in ('affected', 'unknown')
        and not exists (select 1 from vex v where v.status in ('not_affected', 'fixed')
          and ${vexAppliesSql('v', 'f')})
      group by f.vulnerability_id) x
    group by sev`.execute(db);
  const out = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
  for (const row of r.rows) out[row.severity.toLowerCase() as keyof typeof out] = Number(row.n);
  return out;
}
