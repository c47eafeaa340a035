// The posture gauges of GET /metrics (src/reports/metrics), summed in SQL from the maintained
// running-container groups (posture_groups) and per-image roll-ups (image_posture): one row per
// cluster × environment (× namespace × owner when asked), never one per container, image or
// vulnerability. The caller's access scope is applied to the groups (scope-sql.ts). An extra label
// keeps its `cap` values with the most containers; the others are folded into `other` (and summed).
import { type RawBuilder, sql } from 'kysely';
import type { AccessScope } from '../../../core/access.js';
import { CELL_COUNT, CELL_FIXABLE, CELL_KEV, CELL_RANK_STRIDE } from '../../../core/severity.js';
import type { Store } from '../../open-store.js';
import { toCells } from '../posture/cells-sql.js';
import { scopeSql } from '../posture/scope-sql.js';

export type MetricsExtraLabel = 'namespace' | 'owner';

export interface MetricsPostureRow {
  cluster: string | null;
  environment: string | null;
  /** Present when asked for: the value, `other` (folded) or null (unset). */
  namespace?: string | null | undefined;
  owner?: string | null | undefined;
  containers: number;
  unresolved: number;
  unscanned: number;
  /** Σ containers × the image's vulnerabilities per cell (container × vulnerability). */
  instanceCells: number[];
  /** Containers per *merged* cell of their image (highest severity, any KEV, any fix); clean ones in none. */
  vulnerableCells: number[];
}

export interface MetricsPostureQuery {
  scope?: AccessScope | undefined;
  labels?: readonly MetricsExtraLabel[] | undefined;
  /** Most distinct values kept per extra label (by containers, then name). */
  cap: number;
  /** The value the folded values are reported under. */
  other: string;
}

export async function queryMetricsPosture(
  { db }: Pick<Store, 'db'>,
  q: MetricsPostureQuery,
): Promise<MetricsPostureRow[]> {
  const extra = [...new Set(q.labels ?? [])];
  const folded = (col: MetricsExtraLabel): RawBuilder<unknown> =>
    sql`case when g.${sql.ref(col)} is null then null
      when exists (select 1 from ${sql.ref(`top_${col}`)} t where t.v = g.${sql.ref(col)}) then g.${sql.ref(col)}
      else ${q.other}::text end`;
  const tops = extra.map(
    (col) => sql`, ${sql.ref(`top_${col}`)} as (
      select g.${sql.ref(col)} as v from g where g.${sql.ref(col)} is not null
      group by 1 order by sum(g.n) desc, 1 limit ${q.cap})`,
  );
  const k = Array.from({ length: CELL_COUNT }, (_, i) => i);
  // The merged cell of an image (core/severity.ts mergeCells over its vulnerabilities' cells): the
  // highest rank with a vulnerability, KEV if any KEV cell counts one, fixable if any fixable cell.
  const cell = (i: number) => `coalesce(p.cells[${i + 1}], 0) > 0`;
  const merged = sql.raw(`case when ${k.map(cell).join(' or ')} then
      greatest(${k.map((i) => `case when ${cell(i)} then ${Math.floor(i / CELL_RANK_STRIDE) * CELL_RANK_STRIDE} else 0 end`).join(', ')})
      + case when ${k
        .filter((i) => i & CELL_KEV)
        .map(cell)
        .join(' or ')} then ${CELL_KEV} else 0 end
      + case when ${k
        .filter((i) => i & CELL_FIXABLE)
        .map(cell)
        .join(' or ')} then ${CELL_FIXABLE} else 0 end
    end`);
  const instance = sql.raw(
    `array[${k.map((i) => `coalesce(sum(g.n * coalesce(g.cells[${i + 1}], 0)), 0)`).join(', ')}]::int8[]`,
  );
  const vulnerable = sql.raw(
    `array[${k.map((i) => `coalesce(sum(g.n) filter (where g.merged = ${i}), 0)`).join(', ')}]::int8[]`,
  );
  const groupCols = ['cluster', 'environment', ...extra];
  const r = await sql<{
    cluster: string | null;
    environment: string | null;
    namespace?: string | null;
    owner?: string | null;
    containers: number | string;
    unresolved: number | string;
    unscanned: number | string;
    instance: (number | string)[];
    vulnerable: (number | string)[];
  }>`
    with g as (
      select g.cluster, g.environment, g.namespace, g.owner, g.image_digest, sum(g.containers)::int8 as n
      from posture_groups g where ${scopeSql(q.scope, 'g')}
      group by 1, 2, 3, 4, 5
    )${tops.length ? sql.join(tops, sql``) : sql``},
    -- Materialized: the 20 per-cell sums below read each row once.
    gp as materialized (
      select g.cluster, g.environment,
        ${extra.length ? sql`${sql.join(extra.map((col) => sql`${folded(col)} as ${sql.ref(col)}`))},` : sql``}
        g.image_digest, g.n, p.cells, p.image_digest is null as unscanned,
        ${merged} as merged
      from g left join image_posture p on p.image_digest = g.image_digest
    )
    select ${sql.join(
      groupCols.map((c) => sql.ref(`g.${c}`)),
      sql`, `,
    )},
      sum(g.n)::int8 as containers,
      coalesce(sum(g.n) filter (where g.image_digest is null), 0)::int8 as unresolved,
      coalesce(sum(g.n) filter (where g.image_digest is not null and g.unscanned), 0)::int8 as unscanned,
      ${instance} as instance,
      ${vulnerable} as vulnerable
    from gp g
    group by ${sql.join(
      groupCols.map((c) => sql.ref(`g.${c}`)),
      sql`, `,
    )}
    order by ${sql.join(
      groupCols.map((c) => sql.ref(`g.${c}`)),
      sql`, `,
    )}`.execute(db);
  return r.rows.map((row) => ({
    cluster: row.cluster,
    environment: row.environment,
    ...(extra.includes('namespace') ? { namespace: row.namespace ?? null } : {}),
    ...(extra.includes('owner') ? { owner: row.owner ?? null } : {}),
    containers: Number(row.containers),
    unresolved: Number(row.unresolved),
    unscanned: Number(row.unscanned),
    instanceCells: toCells(row.instance),
    vulnerableCells: toCells(row.vulnerable),
  }));
}
