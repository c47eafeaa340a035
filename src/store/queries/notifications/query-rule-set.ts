// A notification rule's current set (docs/notifications.md): the vulnerabilities that reach running
// containers inside the rule's scope and are KEV-listed or at least `minRank` severe — plus those the
// rule still holds open, so that evaluation can tell "left the set" (resolved) from "re-rated below
// the threshold" (rescored). One statement per rule whatever the fleet's size: the scope is a SQL
// condition (scope-sql.ts), containers are counted and workloads listed (the first `workloadLimit`
// plus the total) by aggregation, never by a loop over containers.
import { sql } from 'kysely';
import type { AccessScope } from '../../../core/access.js';
import type { Store } from '../../open-store.js';
import { scopeSql } from '../posture/scope-sql.js';

export interface RuleSetWorkload {
  cluster: string | null;
  namespace: string | null;
  kind: string | null;
  name: string | null;
  containers: number;
}

export interface RuleSetRow {
  vulnerabilityId: string;
  /** The highest severity rank among the images carrying it (0 unknown … 4 critical). */
  rank: number;
  kev: boolean;
  epss: number | null;
  containers: number;
  workloadCount: number;
  /** The first `workloadLimit` workloads, ordered by cluster, namespace, kind, name. */
  workloads: RuleSetWorkload[];
  fixedVersions: string[];
}

export interface RuleSetQuery {
  rule: string;
  scope: AccessScope;
  minRank: number;
  workloadLimit?: number | undefined;
}

export async function queryRuleSet({ db }: Pick<Store, 'db'>, q: RuleSetQuery): Promise<RuleSetRow[]> {
  const limit = q.workloadLimit ?? 20;
  const r = await sql<Record<string, unknown>>`
    with hit as (
      select iv.vulnerability_id as id, iv.severity_rank as rank, iv.kev, iv.epss, p.scan_id, c.id as cid,
        c.cluster, c.namespace, c.workload_kind,
        coalesce(c.workload_name, c.pod, c.container_name) as workload_name
      from containers c
      join image_posture p on p.image_digest = c.image_digest and p.scan_id is not null
      join image_vulns iv on iv.scan_id = p.scan_id
      where c.removed_at is null and ${scopeSql(q.scope, 'c')}
        and (iv.kev or iv.severity_rank >= ${q.minRank}
          or iv.vulnerability_id in (select s.key from notification_state s
                                     where s.rule = ${q.rule} and s.kind = 'vulnerability'))
    ),
    v as (
      select id, max(rank) as rank, bool_or(kev) as kev, max(epss) as epss,
        count(distinct cid) as containers, array_agg(distinct scan_id) as scans
      from hit group by id
    ),
    w as (
      select id, cluster, namespace, workload_kind, workload_name, count(distinct cid) as containers,
        row_number() over (partition by id order by cluster, namespace, workload_kind, workload_name) as n
      from hit group by id, cluster, namespace, workload_kind, workload_name
    )
    select v.id, v.rank, v.kev, v.epss, v.containers, wl.total, wl.list, fx.fixed
    from v
    left join lateral (
      select count(*) as total,
        jsonb_agg(jsonb_build_object('cluster', w.cluster, 'namespace', w.namespace, 'kind', w.workload_kind,
          'name', w.workload_name, 'containers', w.containers) order by w.n) filter (where w.n <= ${limit}) as list
      from w where w.id = v.id
    ) wl on true
    left join lateral (
      select array_agg(distinct f.fixed_version) as fixed from findings f
      where f.scan_id = any(v.scans) and f.vulnerability_id = v.id and f.fixed_version is not null
        and f.status in ('affected', 'unknown')
    ) fx on true
    order by v.id`.execute(db);
  return r.rows.map((row) => ({
    vulnerabilityId: String(row.id),
    rank: Number(row.rank),
    kev: Boolean(row.kev),
    epss: row.epss === null || row.epss === undefined ? null : Number(row.epss),
    containers: Number(row.containers),
    workloadCount: Number(row.total ?? 0),
    workloads: ((row.list as RuleSetWorkload[] | null) ?? []).map((w) => ({
      ...w,
      containers: Number(w.containers),
    })),
    fixedVersions: ((row.fixed as string[] | null) ?? []).slice(0, 20),
  }));
}
