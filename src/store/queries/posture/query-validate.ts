// What `runsight validate` asks of the store beyond the posture views: the workloads that ran an
// image (by resolved digest, by the reference as written, or by the runtime's digest), and how
// many running containers have an owner.
import { sql } from 'kysely';
import type { AccessScope } from '../../../core/access.js';
import { SEVERITY_BY_RANK } from '../../../core/types.js';
import type { Store } from '../../open-store.js';
import { anyText } from '../../statement-size.js';
import { scopeSql } from './scope-sql.js';

export interface ImageWorkloadRow {
  cluster: string | null;
  namespace: string | null;
  kind: string | null;
  name: string;
  running: boolean;
  how: string;
}

export async function queryImageWorkloads(
  { db }: Pick<Store, 'db'>,
  q: { digests: string[]; image: string; repoDigest?: string | undefined },
  scope?: AccessScope | undefined,
): Promise<ImageWorkloadRow[]> {
  const r = await sql<ImageWorkloadRow>`
    select c.cluster, c.namespace, c.workload_kind as kind, coalesce(c.workload_name, c.pod, c.container_name) as name,
      bool_or(c.removed_at is null) as running, min(c.match_method) as how
    from containers c
    where (c.image_digest = any(${q.digests}::text[])
       or c.image = ${q.image}
       or (${q.repoDigest ?? null}::text is not null and c.digest = ${q.repoDigest ?? null}::text))
      and ${scopeSql(scope, 'c')}
    group by 1, 2, 3, 4 order by 1, 2, 3, 4`.execute(db);
  return r.rows.map((x) => ({ ...x, running: Boolean(x.running) }));
}

export async function queryOwnerCoverage(
  { db }: Pick<Store, 'db'>,
  scope?: AccessScope | undefined,
): Promise<{ running: number; unowned: number }> {
  const r = await sql<{ n: number; unowned: number }>`
    select count(*) as n, count(*) filter (where c.owner is null or c.owner = '') as unowned
    from containers c where c.removed_at is null and ${scopeSql(scope, 'c')}`.execute(db);
  return { running: Number(r.rows[0]?.n ?? 0), unowned: Number(r.rows[0]?.unowned ?? 0) };
}

/** The first of `ids` the image carries, with its severity. */
export async function queryImageCarries(
  { db }: Pick<Store, 'db'>,
  digest: string,
  ids: string[],
): Promise<{ vulnerabilityId: string; severity: string } | undefined> {
  if (!ids.length) return undefined;
  const r = await db
    .selectFrom('image_vulns as iv')
    .innerJoin('image_posture as p', 'p.scan_id', 'iv.scan_id')
    .select(['iv.vulnerability_id', 'iv.severity_rank'])
    .where('p.image_digest', '=', digest)
    .where('iv.vulnerability_id', '=', anyText(ids))
    .executeTakeFirst();
  return r
    ? { vulnerabilityId: r.vulnerability_id, severity: SEVERITY_BY_RANK[r.severity_rank] ?? 'UNKNOWN' }
    : undefined;
}

/** The digest and every platform manifest that shares an index with it (the same image, other platforms). */
export async function queryPlatformSiblings({ db }: Pick<Store, 'db'>, digest: string): Promise<string[]> {
  const r = await sql<{ d: string }>`
    select distinct c2.child_digest as d from image_children c1
    join image_children c2 on c2.index_digest = c1.index_digest
    where c1.child_digest = ${digest}`.execute(db);
  return [...new Set([digest, ...r.rows.map((x) => x.d)])];
}
