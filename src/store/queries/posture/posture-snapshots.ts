// Posture history: one snapshot row per scope whenever its figures change (or when the last one is
// older than the interval), and the history of a scope for trends and rollout checks.
import { type RawBuilder, sql } from 'kysely';
import type { AccessScope } from '../../../core/access.js';
import type { Store } from '../../open-store.js';
import { scopeKeySql } from './group-containers.js';
import { scopeRestricts, scopeSql } from './scope-sql.js';

export interface SnapshotRow {
  scopeKind: string;
  scopeKey: string;
  containers: number;
  distinctCounts: Record<string, number>;
  instanceCounts: Record<string, number>;
  digests: string[];
}

export interface StoredSnapshot extends SnapshotRow {
  id: number;
  takenAt: Date;
}

export async function insertSnapshots(
  { db }: Pick<Store, 'db'>,
  rows: SnapshotRow[],
  at: Date,
): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) {
    await db
      .insertInto('posture_snapshots')
      .values(
        rows.slice(i, i + 1000).map((s) => ({
          taken_at: at,
          scope_kind: s.scopeKind,
          scope_key: s.scopeKey,
          containers: s.containers,
          distinct_counts: JSON.stringify(s.distinctCounts),
          instance_counts: JSON.stringify(s.instanceCounts),
          digests: s.digests,
        })),
      )
      .execute();
  }
}

export async function snapshotHistory(
  { db }: Pick<Store, 'db'>,
  scopeKind: string,
  scopeKeys: string[],
  limit = 100,
  scope?: AccessScope | undefined,
  range: { since?: Date | undefined; until?: Date | undefined } = {},
): Promise<StoredSnapshot[]> {
  const rows = await sql<Record<string, unknown>>`
    select s.id, s.taken_at, s.scope_kind, s.scope_key, s.containers, s.distinct_counts, s.instance_counts, s.digests
    from posture_snapshots s
    where s.scope_kind = ${scopeKind} and s.scope_key = any(${scopeKeys}::text[]) and ${snapshotVisible(scope)}
      ${range.since ? sql`and s.taken_at >= ${range.since}` : sql``}
      ${range.until ? sql`and s.taken_at <= ${range.until}` : sql``}
    order by s.taken_at desc, s.id desc limit ${limit}`.execute(db);
  return rows.rows.map(toStored);
}

/**
 * Which snapshots (alias s) a scoped caller may read: a snapshot covers every container of its
 * scope, so it is visible only when all of them lie inside the access scope. For a cluster,
 * namespace, environment or owner the key says so (a namespace key `cluster/ns` is inside a
 * cluster=… and namespace=… scope, never inside an owner=… one); a workload's is checked against
 * the containers it ran; a fleet or image snapshot only under no restriction.
 */
function snapshotVisible(scope: AccessScope | undefined): RawBuilder<unknown> {
  if (!scope || !scopeRestricts(scope)) return sql`true`;
  const c = scope.clusters?.length ? scope.clusters : undefined;
  const n = scope.namespaces?.length ? scope.namespaces : undefined;
  const e = scope.environments?.length ? scope.environments : undefined;
  const o = scope.owners?.length ? scope.owners : undefined;
  const clusterPart = sql`split_part(s.scope_key, '/', 1)`;
  const namespacePart = sql`split_part(s.scope_key, '/', 2)`;
  const byKey: RawBuilder<unknown>[] = [];
  if (!n && !e && !o) byKey.push(sql`(s.scope_kind = 'cluster' and s.scope_key = any(${c}::text[]))`);
  if (!e && !o)
    byKey.push(
      sql`(s.scope_kind = 'namespace' and ${c ? sql`${clusterPart} = any(${c}::text[])` : sql`true`}
        and ${n ? sql`${namespacePart} = any(${n}::text[])` : sql`true`})`,
    );
  if (!c && !n && !o) byKey.push(sql`(s.scope_kind = 'environment' and s.scope_key = any(${e}::text[]))`);
  if (!c && !n && !e) byKey.push(sql`(s.scope_kind = 'owner' and s.scope_key = any(${o}::text[]))`);
  const wk = sql.raw(scopeKeySql('workload'));
  byKey.push(sql`(s.scope_kind = 'workload'
    and exists (select 1 from containers c where ${wk} = s.scope_key)
    and not exists (select 1 from containers c where ${wk} = s.scope_key and coalesce(${scopeSql(scope, 'c')}, false) = false))`);
  return sql`(${sql.join(byKey, sql` or `)})`;
}

function toStored(row: Record<string, unknown>): StoredSnapshot {
  return {
    id: Number(row.id),
    takenAt: row.taken_at as Date,
    scopeKind: String(row.scope_kind),
    scopeKey: String(row.scope_key),
    containers: Number(row.containers),
    distinctCounts: row.distinct_counts as Record<string, number>,
    instanceCounts: row.instance_counts as Record<string, number>,
    digests: (row.digests as string[]) ?? [],
  };
}
