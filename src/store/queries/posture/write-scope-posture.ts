// Writes maintained roll-ups (scope_posture): upserts changed scopes, deletes scopes that no
// longer run anything. Callers decide what changed (src/propagation/snapshots.ts).
import { sql } from 'kysely';
import { cellsWeight } from '../../../core/posture-weight.js';
import type { ScopeKind } from '../../../core/types.js';
import type { Store } from '../../open-store.js';
import type { RollupCells } from './read-scope-posture.js';

/**
 * `keepDigests`: the rows' digest lists are those already stored (a fleet's list is ~1.4 MB at 20k
 * images): an existing row keeps its stored list instead of rewriting it.
 */
export async function upsertScopePosture(
  { db }: Pick<Store, 'db'>,
  kind: ScopeKind,
  rows: (RollupCells & { snapshotAt: Date | null })[],
  at: Date,
  keepDigests = false,
): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('scope_posture')
      .values(
        rows.slice(i, i + 500).map((r) => ({
          scope_kind: kind,
          scope_key: r.key,
          cluster: r.labels.cluster ?? null,
          namespace: r.labels.namespace ?? null,
          labels: JSON.stringify(r.labels),
          containers: r.containers,
          unresolved: r.unresolved,
          unscanned: r.unscanned,
          images: r.images,
          oldest_scan: r.oldestScan,
          last_seen: r.lastSeen,
          source_ids: r.sourceIds,
          // Kept lists are not sent (the fleet's is ~1.4 MB): the stored row keeps its own.
          digests: keepDigests ? [] : r.digests,
          distinct_cells: r.distinctCells,
          instance_cells: r.instanceCells,
          finding_cells: r.findingCells,
          // The default order's key (migration 28): the weight of the unfiltered instances.
          sort_weight: cellsWeight(r.instanceCells),
          computed_at: at,
          snapshot_at: r.snapshotAt,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['scope_kind', 'scope_key']).doUpdateSet((eb) => ({
          cluster: eb.ref('excluded.cluster'),
          namespace: eb.ref('excluded.namespace'),
          labels: eb.ref('excluded.labels'),
          containers: eb.ref('excluded.containers'),
          unresolved: eb.ref('excluded.unresolved'),
          unscanned: eb.ref('excluded.unscanned'),
          images: eb.ref('excluded.images'),
          oldest_scan: eb.ref('excluded.oldest_scan'),
          last_seen: eb.ref('excluded.last_seen'),
          source_ids: eb.ref('excluded.source_ids'),
          digests: keepDigests ? eb.ref('scope_posture.digests') : eb.ref('excluded.digests'),
          distinct_cells: eb.ref('excluded.distinct_cells'),
          instance_cells: eb.ref('excluded.instance_cells'),
          finding_cells: eb.ref('excluded.finding_cells'),
          sort_weight: eb.ref('excluded.sort_weight'),
          computed_at: eb.ref('excluded.computed_at'),
          snapshot_at: eb.ref('excluded.snapshot_at'),
        })),
      )
      .execute();
  }
}

/**
 * Moves the stored digest lists of these scopes by a difference (digests added and removed), in
 * SQL: the caller never read the whole list (a fleet's is ~1.4 MB at 20k images).
 */
export async function moveScopeDigests(
  { db }: Pick<Store, 'db'>,
  kind: ScopeKind,
  moves: { key: string; add: string[]; remove: string[] }[],
): Promise<void> {
  for (const m of moves) {
    await sql`update scope_posture set digests = array(
        select d from (select unnest(digests) as d except select unnest(${m.remove}::text[])
          union select unnest(${m.add}::text[])) x order by d collate "C")
      where scope_kind = ${kind} and scope_key = ${m.key}`.execute(db);
  }
}

export async function deleteScopePosture(
  { db }: Pick<Store, 'db'>,
  kind: ScopeKind,
  keys: string[],
): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    await db
      .deleteFrom('scope_posture')
      .where('scope_kind', '=', kind)
      .where('scope_key', 'in', keys.slice(i, i + 1000))
      .execute();
  }
}

/** Scopes whose last snapshot is older than `before` (re-snapshotted unchanged, at least hourly). */
export async function markScopesSnapshotted(
  { db }: Pick<Store, 'db'>,
  before: Date,
  at: Date,
): Promise<{ kind: ScopeKind; key: string }[]> {
  const rows = await db
    .updateTable('scope_posture')
    .set({ snapshot_at: at })
    .where((eb) => eb.or([eb('snapshot_at', '<', before), eb('snapshot_at', 'is', null)]))
    .returning(['scope_kind', 'scope_key'])
    .execute();
  return rows.map((r) => ({ kind: r.scope_kind as ScopeKind, key: r.scope_key }));
}
