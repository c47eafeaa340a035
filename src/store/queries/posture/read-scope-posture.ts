// Maintained roll-ups as stored (scope_posture): one row per scope with both figures as cells, the
// scope's digests and when it was computed and last snapshotted. Written by
// write-scope-posture.ts after propagation decides what changed.
import { type RawBuilder, type Selectable, type SqlBool, sql } from 'kysely';
import { WEIGHT_BY_RANK, WEIGHT_KEV } from '../../../core/posture-weight.js';
import { CELL_COUNT, cellKev, cellRank } from '../../../core/severity.js';
import type { ScopeKind } from '../../../core/types.js';
import type { Store } from '../../open-store.js';
import type { ScopePostureTable } from '../../schema.js';
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
    .select(COLUMNS)
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
  return rows.map(rollupOf);
}

const COLUMNS = [
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
] as const;

type StoredRow = Pick<Selectable<ScopePostureTable>, (typeof COLUMNS)[number]> & { digests: string[] };

function rollupOf(row: StoredRow): RollupCells {
  return {
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
  };
}

/**
 * The orders of a page: `instances` / `distinct` — the weight of those figures (core/posture-weight.ts),
 * most first; `containers`, most first; each then by key (collate "C"); `key` — by key alone.
 */
export type RollupOrder = 'instances' | 'distinct' | 'containers' | 'key';
export const ROLLUP_ORDERS: readonly RollupOrder[] = ['instances', 'distinct', 'containers', 'key'];

/** Where a page starts: after the row with this order value and key (the last of the previous page). */
export interface RollupAfter {
  value: number;
  key: string;
}

export interface RollupPageQuery {
  cluster?: string | undefined;
  namespace?: string | undefined;
  /** An access scope's clusters and namespaces (the rows of a kind inside them; see readRollups). */
  clusters?: readonly string[] | undefined;
  namespaces?: readonly string[] | undefined;
  order: RollupOrder;
  /** The cells a finding filter counts (left out: all of them — the stored key serves `instances`). */
  counted?: readonly number[] | undefined;
  after?: RollupAfter | undefined;
  /** Rows to read (left out: all of the kind). */
  limit?: number | undefined;
}

/**
 * One page of maintained roll-ups of a kind, ordered and limited in SQL (keyset: the rows after
 * `after`), each with its order value. The default order unfiltered reads the stored key through
 * (scope_kind, [cluster, [namespace,]] sort_weight desc, scope_key) — a page reads its rows; any
 * other order or a finding filter computes the value from the cells of the kind's rows (a scan of
 * them, then a top-N sort). Digest lists are not read.
 */
export async function readRollupPage(
  { db }: Pick<Store, 'db'>,
  kind: ScopeKind,
  q: RollupPageQuery,
): Promise<(RollupCells & { orderValue: number })[]> {
  const all = !q.counted || q.counted.length === CELL_COUNT;
  const value: RawBuilder<number> =
    q.order === 'instances'
      ? all
        ? sql<number>`sort_weight`
        : cellsWeightSql('instance_cells', q.counted!)
      : q.order === 'distinct'
        ? cellsWeightSql('distinct_cells', q.counted)
        : q.order === 'containers'
          ? sql<number>`containers::float8`
          : sql<number>`0::float8`;
  const key = sql`scope_key collate "C"`;
  let query = db
    .selectFrom('scope_posture')
    .select(COLUMNS)
    .select([sql<string[]>`'{}'::text[]`.as('digests'), value.as('order_value')])
    .where('scope_kind', '=', kind);
  if (q.cluster !== undefined) query = query.where('cluster', '=', q.cluster);
  if (q.namespace !== undefined) query = query.where('namespace', '=', q.namespace);
  if (q.clusters?.length) query = query.where(sql<SqlBool>`cluster = any(${[...q.clusters]}::text[])`);
  if (q.namespaces?.length) query = query.where(sql<SqlBool>`namespace = any(${[...q.namespaces]}::text[])`);
  if (q.after) {
    const { value: v, key: k } = q.after;
    query = query.where(
      q.order === 'key'
        ? sql<SqlBool>`${key} > ${k}`
        : sql<SqlBool>`${value} <= ${v}::float8 and (${value} < ${v}::float8 or ${key} > ${k})`,
    );
  }
  query = q.order === 'key' ? query.orderBy(key) : query.orderBy(sql`${value} desc`).orderBy(key);
  if (q.limit !== undefined) query = query.limit(q.limit);
  const rows = await query.execute();
  return rows.map((row) => ({ ...rollupOf(row), orderValue: Number(row.order_value) }));
}

/**
 * SQL: the weight (core/posture-weight.ts) of a cell-array column, counting the cells `counted`
 * (all when left out): KEV and per-rank sums as exact integers, then the same double-precision
 * operations in the same order as postureWeight, so the value equals the one computed in JS.
 */
export function cellsWeightSql(column: string, counted?: readonly number[]): RawBuilder<number> {
  const keep = new Set(counted ?? Array.from({ length: CELL_COUNT }, (_, c) => c));
  const sum = (pick: (c: number) => boolean) => {
    const cells = [...keep].filter(pick).sort((a, b) => a - b);
    return cells.length
      ? `(${cells.map((c) => `coalesce(${column}[${c + 1}], 0)::bigint`).join(' + ')})::float8`
      : '0::float8';
  };
  const term = (rank: number) => `${sum((c) => cellRank(c) === rank)} * ${WEIGHT_BY_RANK[rank]}::float8`;
  return sql<number>`${sql.raw(
    `(((((${sum(cellKev)} * ${WEIGHT_KEV}::float8) + ${term(4)}) + ${term(3)}) + ${term(2)}) + ${term(1)})`,
  )}`;
}
