// Posture history: one snapshot row per scope whenever its figures change (or when the last one is
// older than the interval), and the history of a scope for trends and rollout checks.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

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
): Promise<StoredSnapshot[]> {
  const rows = await sql<Record<string, unknown>>`
    select id, taken_at, scope_kind, scope_key, containers, distinct_counts, instance_counts, digests
    from posture_snapshots where scope_kind = ${scopeKind} and scope_key = any(${scopeKeys}::text[])
    order by taken_at desc, id desc limit ${limit}`.execute(db);
  return rows.rows.map(toStored);
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
