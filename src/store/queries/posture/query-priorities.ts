// The prioritised vulnerability list of a scope: KEV first, then EPSS, severity, fix available,
// number of running containers, exposure time (container-seconds the image has run, from the
// exposure ledger — short-lived containers count).
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../schema.js';
import { withWorkMem } from '../../work-mem.js';
import { containerWhere, type FindingFilter, findingWhere, type PostureFilter } from './query-rollup.js';

export interface PriorityRow {
  vulnerabilityId: string;
  severity: string;
  kev: boolean;
  epss: number | null;
  fixable: boolean;
  containers: number;
  images: number;
  exposureSeconds: number;
}

export async function queryPriorities(
  db: Kysely<Database>,
  containers: PostureFilter = {},
  findings: FindingFilter = {},
  limit = 20,
): Promise<PriorityRow[]> {
  const r = await withWorkMem(db, (tx) =>
    sql<Record<string, unknown>>`
    with sc as (
      select c.image_digest, count(*) as n
      from containers c where ${containerWhere(containers)} and c.image_digest is not null
      group by c.image_digest
    ),
    exposure as (
      select c.image_digest, sum(coalesce(e.secs, extract(epoch from (coalesce(c.removed_at, now()) - coalesce(c.started_at, c.first_seen))))) as secs
      from containers c
      left join (select container_id, sum(extract(epoch from (coalesce(closed_at, greatest(last_seen, now())) - first_seen))) as secs
                 from exposures group by container_id) e on e.container_id = c.id
      where c.image_digest in (select image_digest from sc)
      group by c.image_digest
    )
    select iv.vulnerability_id, max(iv.severity_rank) as rank, bool_or(iv.kev) as kev, max(iv.epss) as epss,
      bool_or(iv.fixable) as fixable, sum(sc.n) as containers, count(*) as images,
      coalesce(sum(x.secs), 0) as exposure
    from sc
    join image_vulns iv on iv.image_digest = sc.image_digest
    left join exposure x on x.image_digest = sc.image_digest
    where ${findingWhere(findings)}
    group by iv.vulnerability_id
    order by bool_or(iv.kev) desc, max(iv.epss) desc nulls last, max(iv.severity_rank) desc,
      bool_or(iv.fixable) desc, sum(sc.n) desc, coalesce(sum(x.secs), 0) desc, iv.vulnerability_id
    limit ${limit}`.execute(tx),
  );
  return r.rows.map((row) => ({
    vulnerabilityId: String(row.vulnerability_id),
    severity: SEVERITY_NAMES[Number(row.rank)] ?? 'UNKNOWN',
    kev: Boolean(row.kev),
    epss: row.epss == null ? null : Number(row.epss),
    fixable: Boolean(row.fixable),
    containers: Number(row.containers),
    images: Number(row.images),
    exposureSeconds: Math.round(Number(row.exposure)),
  }));
}

export const SEVERITY_NAMES = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
