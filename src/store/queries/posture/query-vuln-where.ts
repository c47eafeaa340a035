// CVE-first: every running container (and so every workload) whose image carries a vulnerability,
// found through image_vulns by id or, failing that, through the aliases recorded on findings.
import { sql } from 'kysely';
import type { AccessScope } from '../../../core/access.js';
import type { Store } from '../../open-store.js';
import { scopeSql } from './scope-sql.js';

export interface VulnWhereRow {
  containerId: string;
  cluster: string | null;
  namespace: string | null;
  workloadKind: string | null;
  workloadName: string | null;
  pod: string | null;
  container: string;
  image: string;
  imageDigest: string;
  matchMethod: string;
  confidence: string;
  severity: string;
  kev: boolean;
  fixable: boolean;
  packages: { name: string; installedVersion: string; fixedVersion: string | null }[];
}

/** The canonical ids stored for `id`: itself when present, else the findings naming it as an alias. */
export async function canonicalVulnIds({ db }: Pick<Store, 'db'>, id: string): Promise<string[]> {
  const direct = await db
    .selectFrom('image_vulns')
    .select('vulnerability_id')
    .where('vulnerability_id', '=', id)
    .limit(1)
    .execute();
  if (direct.length) return [id];
  const r = await sql<{ id: string }>`select distinct f.vulnerability_id as id from findings f
      join image_posture p on p.scan_id = f.scan_id
      where ${id} = any(f.aliases)`.execute(db);
  return r.rows.map((x) => x.id);
}

/** The running containers (inside `scope`) whose image carries one of `ids`. */
export async function queryVulnWhere(
  { db }: Pick<Store, 'db'>,
  ids: string[],
  scope?: AccessScope | undefined,
): Promise<VulnWhereRow[]> {
  if (!ids.length) return [];
  const r = await sql<Record<string, unknown>>`
    with hit as (
      select * from (
        select iv.image_digest, iv.severity, iv.kev, iv.fixable,
          (select p.scan_id from image_posture p where p.image_digest = iv.image_digest) as scan_id
        from image_vulns iv where iv.vulnerability_id = any(${ids}::text[])) x
      where x.scan_id is not null
    ),
    pk as (
      select h.image_digest, jsonb_agg(distinct jsonb_build_object('name', f.package_name,
        'installedVersion', f.installed_version, 'fixedVersion', f.fixed_version)) as packages
      from hit h join findings f on f.scan_id = h.scan_id
      where f.vulnerability_id = any(${ids}::text[]) and f.status in ('affected', 'unknown')
      group by h.image_digest
    )
    select c.id, c.cluster, c.namespace, c.workload_kind, coalesce(c.workload_name, c.pod, c.container_name) as workload_name,
      c.pod, c.container_name, c.image, c.image_digest, c.match_method, c.confidence,
      h.severity, h.kev, h.fixable, pk.packages
    from hit h
    join containers c on c.image_digest = h.image_digest and c.removed_at is null and ${scopeSql(scope, 'c')}
    left join pk on pk.image_digest = h.image_digest
    order by c.cluster, c.namespace, c.workload_kind, c.workload_name, c.id`.execute(db);
  return r.rows.map((row) => ({
    containerId: String(row.id),
    cluster: row.cluster as string | null,
    namespace: row.namespace as string | null,
    workloadKind: row.workload_kind as string | null,
    workloadName: row.workload_name as string | null,
    pod: row.pod as string | null,
    container: String(row.container_name),
    image: String(row.image),
    imageDigest: String(row.image_digest),
    matchMethod: String(row.match_method),
    confidence: String(row.confidence),
    severity: String(row.severity),
    kev: Boolean(row.kev),
    fixable: Boolean(row.fixable),
    packages: (row.packages as VulnWhereRow['packages'] | null) ?? [],
  }));
}
