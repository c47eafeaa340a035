// The containers a workload ran, running and gone, with the digests they resolved to: the ledger a
// rollout check reads when no posture snapshot predates the rollout.
import { sql } from 'kysely';
import type { AccessScope } from '../../../core/access.js';
import type { Store } from '../../open-store.js';
import { containerLastSeen } from '../inventory/last-seen.js';
import { scopeSql } from '../posture/scope-sql.js';

export interface WorkloadContainerRow {
  id: string;
  cluster: string | null;
  namespace: string | null;
  workloadKind: string | null;
  workloadName: string;
  imageDigest: string | null;
  image: string;
  firstSeen: Date;
  lastSeen: Date;
  removedAt: Date | null;
}

/** The containers of a workload (only those inside `scope`, when given). */
export async function queryWorkloadContainers(
  { db }: Pick<Store, 'db'>,
  w: { cluster?: string | undefined; namespace: string; kind: string; name: string },
  scope?: AccessScope | undefined,
): Promise<WorkloadContainerRow[]> {
  const r = await sql<Record<string, unknown>>`
    select c.id, c.cluster, c.namespace, c.workload_kind, coalesce(c.workload_name, c.pod, c.container_name) as workload_name,
      c.image_digest, c.image, c.first_seen, ${containerLastSeen('c')} as last_seen, c.removed_at
    from containers c
    where c.namespace = ${w.namespace} and lower(coalesce(c.workload_kind, '-')) = lower(${w.kind})
      and coalesce(c.workload_name, c.pod, c.container_name) = ${w.name}
      ${w.cluster !== undefined ? sql`and coalesce(c.cluster, '-') = ${w.cluster}` : sql``}
      and ${scopeSql(scope, 'c')}
    order by c.removed_at desc nulls first, last_seen desc`.execute(db);
  return r.rows.map((row) => ({
    id: String(row.id),
    cluster: (row.cluster as string | null) ?? null,
    namespace: (row.namespace as string | null) ?? null,
    workloadKind: (row.workload_kind as string | null) ?? null,
    workloadName: String(row.workload_name),
    imageDigest: (row.image_digest as string | null) ?? null,
    image: String(row.image),
    firstSeen: row.first_seen as Date,
    lastSeen: row.last_seen as Date,
    removedAt: (row.removed_at as Date | null) ?? null,
  }));
}

/** Figures for an arbitrary set of digests (a workload before and after a rollout). */
export async function queryDigestSetFigures(
  { db }: Pick<Store, 'db'>,
  digests: string[],
): Promise<{ distinct: Record<string, number>; vulnerabilities: string[]; scanned: string[] }> {
  const r = await sql<{ vulnerability_id: string; rank: number }>`
    select iv.vulnerability_id, max(iv.severity_rank) as rank
    from image_posture p join image_vulns iv on iv.scan_id = p.scan_id
    where p.image_digest = any(${digests}::text[]) group by iv.vulnerability_id`.execute(db);
  const scanned = await db
    .selectFrom('image_posture')
    .select('image_digest')
    .where('image_digest', '=', sql<string>`any(${digests}::text[])`)
    .execute();
  const names = ['unknown', 'low', 'medium', 'high', 'critical'];
  const distinct: Record<string, number> = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, total: 0 };
  for (const row of r.rows) {
    distinct[names[Number(row.rank)]!]! += 1;
    distinct.total! += 1;
  }
  return {
    distinct,
    vulnerabilities: r.rows.map((x) => x.vulnerability_id).sort(),
    scanned: scanned.map((s) => s.image_digest),
  };
}
