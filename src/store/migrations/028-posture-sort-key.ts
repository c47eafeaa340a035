// Migration 28: posture drill-down pages read one page in SQL (docs/adr/0024-posture-sort-key-and-paging.md).
// - scope_posture.sort_weight: the default order's key — the weight of the scope's unfiltered
//   instances (src/core/posture-weight.ts: KEV × 10¹² + critical × 10⁹ + high × 10⁶ + medium × 10³
//   + low, in double precision), written with every upsert (write-scope-posture.ts). Existing rows
//   are filled here from their instance_cells, by the same operations in the same order, so a store
//   migrated at fleet size serves pages at once (no recompute).
// - indexes (kind, [cluster, [namespace,]] sort_weight desc, scope_key collate "C"): a page of 50 of
//   one kind, fleet-wide, of a cluster or of a namespace, reads ~50 index entries. The namespace one
//   replaces scope_posture_cluster (its prefix).
import { type Kysely, sql } from 'kysely';

export const version = 28;
export const name = 'posture-sort-key';

// The packing of core/severity.ts as it was when this migration shipped: cell = rank × 4 + KEV × 2
// + fixable (20 cells, rank 0 unknown … 4 critical); the weights of core/posture-weight.ts.
const cells = (keep: (c: number) => boolean) =>
  Array.from({ length: 20 }, (_, c) => c)
    .filter(keep)
    .map((c) => `coalesce(instance_cells[${c + 1}], 0)`)
    .join(' + ');
const rank = (r: number) => `(${cells((c) => Math.floor(c / 4) === r)})::float8`;
export const SORT_WEIGHT_SQL = `(((((${cells((c) => (c & 2) !== 0)})::float8 * 1000000000000::float8 + ${rank(4)} * 1000000000::float8) + ${rank(3)} * 1000000::float8) + ${rank(2)} * 1000::float8) + ${rank(1)} * 1::float8)`;

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table scope_posture add column sort_weight double precision not null default 0`.execute(db);
  await sql.raw(`update scope_posture set sort_weight = ${SORT_WEIGHT_SQL}`).execute(db);
  await sql`create index scope_posture_order on scope_posture
    (scope_kind, sort_weight desc, scope_key collate "C")`.execute(db);
  await sql`create index scope_posture_cluster_order on scope_posture
    (scope_kind, cluster, sort_weight desc, scope_key collate "C")`.execute(db);
  await sql`create index scope_posture_namespace_order on scope_posture
    (scope_kind, cluster, namespace, sort_weight desc, scope_key collate "C")`.execute(db);
  await sql`drop index if exists scope_posture_cluster`.execute(db);
}
