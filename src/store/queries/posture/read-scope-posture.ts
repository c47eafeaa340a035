// Maintained roll-ups as stored (scope_posture): one row per scope with both figures as cells, the
// scope's digests and when it was computed and last snapshotted. Written by
// write-scope-posture.ts after propagation decides what changed.
import { sql } from 'kysely';
import type { ScopeKind } from '../../../core/types.js';
import type { Store } from '../../open-store.js';
import { toCells } from './cells-sql.js';

/** A scope's roll-up before any finding filter: both figures as cells. */
export interface RollupCells {
  key: string;
  labels: Record<string, string | null>;
  containers: number;
  unresolved: number;
  unscanned: number;
  images: number;
  digests: string[];
  oldestScan: Date | null;
  /** Oldest last-seen of the scope's containers. */
  lastSeen: Date | null;
  /** Inventory sources the scope's containers come from (for freshness). */
  sourceIds: number[];
  distinctCells: number[];
  instanceCells: number[];
  /** Findings (vulnerability × package): Σ over the scope's distinct scanned images (migration 10). */
  findingCells: number[];
  /** Stored roll-ups only: when it was computed, and when its last snapshot was written. */
  computedAt?: Date | undefined;
  snapshotAt?: Date | null | undefined;
}

/**
 * Reads maintained roll-ups of one kind, optionally of one cluster / namespace / these keys.
 * `digests: false` leaves the digest lists out (empty): views do not show them, and a fleet's is
 * ~1.4 MB at 20k images.
 */
export async function readScopePosture(
  { db }: Pick<Store, 'db'>,
  kind: ScopeKind,
  where: {
    cluster?: string | undefined;
    namespace?: string | undefined;
    keys?: string[] | undefined;
    digests?: boolean | undefined;
    /**
     * Only these digests of each row's list (those a change moved), not the whole list: what a
     * difference needs, without reading a fleet's or a cluster's thousands of digests.
     */
    digestsAmong?: string[] | undefined;
  } = {},
): Promise<RollupCells[]> {
  let q = db
    .selectFrom('scope_posture')
    .select([
      'scope_key',
      'labels',
      'containers',
      'unresolved',
      'unscanned',
      'images',
      'oldest_scan',
      'last_seen',
      'source_ids',
      'distinct_cells',
      'instance_cells',
      'finding_cells',
      'computed_at',
      'snapshot_at',
    ])
    .select((eb) =>
      where.digests === false
        ? sql<string[]>`'{}'::text[]`.as('digests')
        : where.digestsAmong
          ? sql<
              string[]
            >`array(select d from unnest(digests) d where d = any(${where.digestsAmong}::text[]) order by d collate "C")`.as(
              'digests',
            )
          : eb.ref('digests').as('digests'),
    )
    .where('scope_kind', '=', kind);
  if (where.cluster !== undefined) q = q.where('cluster', '=', where.cluster);
  if (where.namespace !== undefined) q = q.where('namespace', '=', where.namespace);
  if (where.keys) q = q.where('scope_key', '=', (eb) => eb.fn.any(eb.val(where.keys!)));
  const rows = await q.orderBy('scope_key').execute();
  return rows.map((row) => ({
    key: row.scope_key,
    labels: row.labels,
    containers: row.containers,
    unresolved: row.unresolved,
    unscanned: row.unscanned,
    images: row.images,
    digests: row.digests,
    oldestScan: row.oldest_scan,
    lastSeen: row.last_seen,
    sourceIds: row.source_ids.map(Number),
    distinctCells: toCells(row.distinct_cells),
    instanceCells: toCells(row.instance_cells),
    findingCells: toCells(row.finding_cells),
    computedAt: row.computed_at,
    snapshotAt: row.snapshot_at,
  }));
}
