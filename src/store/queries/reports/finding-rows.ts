// What a report's finding rows are read from, a page at a time so that no statement or result grows
// with the fleet: running containers inside an access scope by id (keyset paging), and the
// vulnerabilities of a set of image digests (their current posture scan) with fixed versions.
import { sql } from 'kysely';
import type { AccessScope } from '../../../core/access.js';
import type { Store } from '../../open-store.js';
import { severityOfRankSql } from '../posture/cells-sql.js';
import { scopeSql } from '../posture/scope-sql.js';

export interface ReportContainerRow {
  id: string;
  cluster: string | null;
  namespace: string | null;
  environment: string | null;
  owner: string | null;
  workloadKind: string | null;
  workloadName: string | null;
  container: string;
  image: string;
  imageDigest: string | null;
}

/** Up to `limit` running containers inside `scope` with ids after `after`, by id. */
export async function pageScopeContainers(
  { db }: Pick<Store, 'db'>,
  scope: AccessScope | undefined,
  after: string | null,
  limit: number,
): Promise<ReportContainerRow[]> {
  const r = await sql<ReportContainerRow>`
    select c.id, c.cluster, c.namespace, c.environment, c.owner, c.workload_kind as "workloadKind",
      c.workload_name as "workloadName", c.container_name as container, c.image, c.image_digest as "imageDigest"
    from containers c
    where c.removed_at is null and ${scopeSql(scope, 'c')} ${after === null ? sql`` : sql`and c.id > ${after}`}
    order by c.id limit ${limit}`.execute(db);
  return r.rows;
}

export interface ImageVulnRow {
  imageDigest: string;
  vulnerabilityId: string;
  severity: string;
  kev: boolean;
  fixable: boolean;
  epss: number | null;
  cvss: number | null;
  packages: string[];
  fixedVersions: string[];
}

/** The counted vulnerabilities of each digest (its posture scan), with packages and fixed versions. */
export async function queryImageVulnRows(
  { db }: Pick<Store, 'db'>,
  digests: string[],
): Promise<ImageVulnRow[]> {
  if (!digests.length) return [];
  const r = await sql<Record<string, unknown>>`
    with p as (select image_digest, scan_id from image_posture where image_digest = any(${digests}::text[]) and scan_id is not null),
    f as (
      select p.image_digest, f.vulnerability_id,
        array_agg(distinct f.package_name || '@' || f.installed_version) as packages,
        array_remove(array_agg(distinct f.fixed_version), null) as fixed
      from p join findings f on f.scan_id = p.scan_id and f.status in ('affected', 'unknown')
      group by p.image_digest, f.vulnerability_id
    )
    select p.image_digest, iv.vulnerability_id, ${sql.raw(severityOfRankSql('iv.severity_rank'))} as severity,
      iv.kev, iv.fixable, iv.epss, iv.cvss_score, f.packages, f.fixed
    from image_vulns iv join p on p.scan_id = iv.scan_id
    left join f on f.image_digest = p.image_digest and f.vulnerability_id = iv.vulnerability_id
    order by p.image_digest, iv.severity_rank desc, iv.vulnerability_id`.execute(db);
  return r.rows.map((x) => ({
    imageDigest: String(x.image_digest),
    vulnerabilityId: String(x.vulnerability_id),
    severity: String(x.severity),
    kev: Boolean(x.kev),
    fixable: Boolean(x.fixable),
    epss: x.epss === null ? null : Number(x.epss),
    cvss: x.cvss_score === null ? null : Number(x.cvss_score),
    packages: ((x.packages as string[] | null) ?? []).sort(),
    fixedVersions: ((x.fixed as string[] | null) ?? []).sort(),
  }));
}

/** The distinct vulnerability ids carried by running containers inside `scope`, sorted. */
export async function queryScopeVulnerabilityIds(
  { db }: Pick<Store, 'db'>,
  scope: AccessScope | undefined,
): Promise<string[]> {
  const r = await sql<{ id: string }>`
    select distinct iv.vulnerability_id as id
    from image_posture p join image_vulns iv on iv.scan_id = p.scan_id
    where p.image_digest in (select distinct c.image_digest from containers c
      where c.removed_at is null and c.image_digest is not null and ${scopeSql(scope, 'c')})
    order by 1`.execute(db);
  return r.rows.map((x) => x.id);
}
