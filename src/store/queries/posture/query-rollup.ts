// Posture roll-ups by scope. Per-image figures come first (image_posture.cells); they are joined to
// the (scope, image, container count) groups of running containers — never a per-finding join of
// every container. Two figures per scope, both labelled:
//   instances = Σ over containers of the image's vulnerabilities (container × finding)
//   distinct  = distinct vulnerabilities across the scope's images (highest severity wins)
// Both are computed as *cells*: counts per (severity rank, KEV, fixable), 20 of them, so any
// finding filter (--severity, --kev, --fixable) is a sum of cells and one stored roll-up per scope
// (scope_posture, maintained by the sync) serves every filter. `computeRollup` computes from
// containers and image roll-ups; `queryRollup` reads scope_posture when it serves the filter.
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../schema.js';

export type ScopeKind =
  | 'fleet'
  | 'cluster'
  | 'namespace'
  | 'workload'
  | 'environment'
  | 'owner'
  | 'image'
  | 'container';

export interface FindingFilter {
  /** Only vulnerabilities at or above this rank (4 critical … 0 unknown). */
  minSeverityRank?: number | undefined;
  kev?: boolean | undefined;
  fixable?: boolean | undefined;
}

export interface PostureFilter {
  cluster?: string | undefined;
  namespace?: string | undefined;
  workloadKind?: string | undefined;
  workloadName?: string | undefined;
  environment?: string | undefined;
  owner?: string | undefined;
  imageDigest?: string | undefined;
  containerIds?: string[] | undefined;
  /** Only these scope keys (incremental snapshots). */
  scopeKeys?: string[] | undefined;
}

export interface Figures {
  critical: number;
  high: number;
  medium: number;
  low: number;
  unknown: number;
  kev: number;
  fixable: number;
  total: number;
}

export interface RollupRow {
  key: string;
  labels: Record<string, string | null>;
  containers: number;
  unresolved: number;
  unscanned: number;
  images: number;
  instances: Figures;
  distinct: Figures;
  oldestScan: Date | null;
  /** Inventory sources the scope's containers come from (for freshness). */
  sourceIds: number[];
  /** Oldest last-seen of the scope's containers. */
  lastSeen: Date | null;
}

/** The SQL key of a scope over the containers table (aliased `c`). */
export function scopeKeySql(kind: ScopeKind): string {
  switch (kind) {
    case 'fleet':
      return `'fleet'`;
    case 'cluster':
      return `coalesce(c.cluster, '-')`;
    case 'namespace':
      return `coalesce(c.cluster, '-') || '/' || coalesce(c.namespace, '-')`;
    case 'workload':
      return `coalesce(c.cluster, '-') || '/' || coalesce(c.namespace, '-') || '/' || coalesce(c.workload_kind, '-') || '/' || coalesce(c.workload_name, c.pod, c.container_name)`;
    case 'environment':
      return `coalesce(c.environment, '(unset)')`;
    case 'owner':
      return `coalesce(c.owner, '(unset)')`;
    case 'image':
      return `coalesce(c.image_digest, '(unresolved) ' || c.image)`;
    case 'container':
      return 'c.id';
  }
}

function labelsSql(kind: ScopeKind): string {
  const pairs: Record<ScopeKind, string[]> = {
    fleet: [],
    cluster: ['cluster'],
    namespace: ['cluster', 'namespace'],
    workload: ['cluster', 'namespace', 'workload_kind', 'workload_name'],
    environment: ['environment'],
    owner: ['owner'],
    image: ['image_digest'],
    container: [
      'cluster',
      'namespace',
      'workload_kind',
      'workload_name',
      'pod',
      'container_name',
      'image',
      'image_digest',
      'match_method',
      'confidence',
      'state',
    ],
  };
  const cols = pairs[kind];
  if (kind === 'workload') {
    return `jsonb_build_object('cluster', c.cluster, 'namespace', c.namespace, 'workload_kind', c.workload_kind, 'workload_name', coalesce(c.workload_name, c.pod, c.container_name))`;
  }
  return cols.length
    ? `jsonb_build_object(${cols.map((col) => `'${col}', c.${col}`).join(', ')})`
    : `'{}'::jsonb`;
}

export function containerWhere(f: PostureFilter): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`c.removed_at is null`];
  if (f.cluster !== undefined) parts.push(sql`c.cluster = ${f.cluster}`);
  if (f.namespace !== undefined) parts.push(sql`c.namespace = ${f.namespace}`);
  if (f.workloadKind !== undefined) parts.push(sql`c.workload_kind = ${f.workloadKind}`);
  if (f.workloadName !== undefined)
    parts.push(sql`coalesce(c.workload_name, c.pod, c.container_name) = ${f.workloadName}`);
  if (f.environment !== undefined) parts.push(sql`c.environment = ${f.environment}`);
  if (f.owner !== undefined) parts.push(sql`c.owner = ${f.owner}`);
  if (f.imageDigest !== undefined) parts.push(sql`c.image_digest = ${f.imageDigest}`);
  if (f.containerIds) parts.push(sql`c.id = any(${f.containerIds}::text[])`);
  return sql.join(parts, sql` and `);
}

export function findingWhere(f: FindingFilter, alias = 'iv'): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`true`];
  if (f.minSeverityRank !== undefined)
    parts.push(sql`${sql.ref(`${alias}.severity_rank`)} >= ${f.minSeverityRank}`);
  if (f.kev) parts.push(sql`${sql.ref(`${alias}.kev`)}`);
  if (f.fixable) parts.push(sql`${sql.ref(`${alias}.fixable`)}`);
  return sql.join(parts, sql` and `);
}

/** Cells per scope: index = severity rank × 4 + KEV × 2 + fixable (0–19). */
export const CELL_COUNT = 20;

/** The cell of a vulnerability (ranks 4 critical … 0 unknown). */
export function cellOf(rank: number, kev: boolean, fixable: boolean): number {
  return rank * 4 + (kev ? 2 : 0) + (fixable ? 1 : 0);
}

/** SQL: a 20-element int array counting rows per cell, over rows with `cellExpr`. */
export function cellCountsSql(cellExpr: string): string {
  return `array[${Array.from({ length: CELL_COUNT }, (_, k) => `count(*) filter (where ${cellExpr} = ${k})`).join(', ')}]::int[]`;
}

/** SQL: the cell of an image_vulns row aliased `alias`. */
export function cellSql(alias: string): string {
  return `(${alias}.severity_rank * 4 + (case when ${alias}.kev then 2 else 0 end) + (case when ${alias}.fixable then 1 else 0 end))`;
}

const RANK_NAMES = ['unknown', 'low', 'medium', 'high', 'critical'] as const;
const NAMES = ['critical', 'high', 'medium', 'low', 'unknown', 'kev', 'fixable', 'total'] as const;

export function zeroFigures(): Figures {
  return { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, kev: 0, fixable: 0, total: 0 };
}

/** The figures a finding filter keeps from a cell array. */
export function figuresFromCells(cells: readonly (number | string)[] | null, f: FindingFilter = {}): Figures {
  const out = zeroFigures();
  if (!cells) return out;
  for (let c = 0; c < CELL_COUNT; c++) {
    const n = Number(cells[c] ?? 0);
    if (!n) continue;
    const rank = c >> 2;
    const kev = (c & 2) !== 0;
    const fixable = (c & 1) !== 0;
    if (f.minSeverityRank !== undefined && rank < f.minSeverityRank) continue;
    if ((f.kev && !kev) || (f.fixable && !fixable)) continue;
    out[RANK_NAMES[rank]!] += n;
    if (kev) out.kev += n;
    if (fixable) out.fixable += n;
    out.total += n;
  }
  return out;
}

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
  lastSeen: Date | null;
  sourceIds: number[];
  distinctCells: number[];
  instanceCells: number[];
  /** When its last snapshot was written (stored roll-ups only). */
  snapshotAt?: Date | null | undefined;
}

const KEEP_DIGESTS = 20_000;

/**
 * Computes roll-ups from the containers table and the per-image roll-ups (image_posture cells,
 * image_vulns for the distinct figure of scopes running several images). `containers.scopeKeys`
 * limits it to those scopes.
 */
export async function computeRollup(
  db: Kysely<Database>,
  kind: ScopeKind,
  containers: PostureFilter = {},
): Promise<RollupCells[]> {
  const key = sql.raw(scopeKeySql(kind));
  const labels = sql.raw(labelsSql(kind));
  const keyFilter = containers.scopeKeys ? sql`and ${key} = any(${containers.scopeKeys}::text[])` : sql``;
  // A filtered roll-up covers few images: name them, so the planner reads image_vulns by its index
  // instead of scanning it (it cannot see through the CTE how few they are).
  let onlyDigests: RawBuilder<unknown> = sql`true`;
  if (Object.values(containers).some((v) => v !== undefined)) {
    const d = await sql<{ image_digest: string }>`
      select distinct c.image_digest from containers c where ${containerWhere(containers)}
        and c.image_digest is not null ${keyFilter}`.execute(db);
    const digests = d.rows.map((x) => x.image_digest);
    if (digests.length <= KEEP_DIGESTS) onlyDigests = sql`iv.image_digest = any(${digests}::text[])`;
  }
  const instanceCells = Array.from(
    { length: CELL_COUNT },
    (_, k) => `coalesce(sum(sc.n * p.cells[${k + 1}]), 0)`,
  ).join(', ');
  const r = await sql<Record<string, unknown>>`
    with sc as (
      select ${key} as key, ${labels} as labels, c.image_digest, count(*) as n,
        array_agg(distinct c.source_id) as source_ids, min(c.last_seen) as last_seen
      from containers c where ${containerWhere(containers)} ${keyFilter}
      group by 1, 2, 3
    ),
    inst as (
      select sc.key, (array_agg(sc.labels))[1] as labels, sum(sc.n) as containers,
        coalesce(sum(sc.n) filter (where sc.image_digest is null), 0) as unresolved,
        coalesce(sum(sc.n) filter (where sc.image_digest is not null and p.image_digest is null), 0) as unscanned,
        count(distinct sc.image_digest) as images,
        coalesce(array_agg(distinct sc.image_digest) filter (where sc.image_digest is not null), '{}') as digests,
        min(p.scanned_at) as oldest_scan,
        min(sc.last_seen) as last_seen,
        array[${sql.raw(instanceCells)}]::bigint[] as instance_cells,
        max(p.cells) as single_cells
      from sc left join image_posture p on p.image_digest = sc.image_digest
      group by sc.key
    ),
    dist as (
      select x.key, ${sql.raw(cellCountsSql('x.cell'))} as cells from (
        select g.key, iv.vulnerability_id,
          max(iv.severity_rank) * 4 + (case when bool_or(iv.kev) then 2 else 0 end) + (case when bool_or(iv.fixable) then 1 else 0 end) as cell
        from (select distinct sc.key, sc.image_digest from sc join inst on inst.key = sc.key
              where sc.image_digest is not null and inst.images > 1) g
        join image_vulns iv on iv.image_digest = g.image_digest
        where ${onlyDigests}
        group by g.key, iv.vulnerability_id) x
      group by x.key
    ),
    srcs as (
      select sc.key, array_agg(distinct s.id) as source_ids from sc, unnest(sc.source_ids) as s(id) group by sc.key
    )
    select inst.*, srcs.source_ids,
      case when inst.images > 1 then dist.cells else inst.single_cells end as distinct_cells
    from inst left join dist on dist.key = inst.key left join srcs on srcs.key = inst.key
    order by inst.key`.execute(db);
  return r.rows.map((row) => ({
    key: String(row.key),
    labels: (row.labels ?? {}) as Record<string, string | null>,
    containers: Number(row.containers),
    unresolved: Number(row.unresolved),
    unscanned: Number(row.unscanned),
    images: Number(row.images),
    digests: ((row.digests as string[] | null) ?? []).slice().sort(),
    oldestScan: (row.oldest_scan as Date | null) ?? null,
    lastSeen: (row.last_seen as Date | null) ?? null,
    sourceIds: ((row.source_ids as number[] | null) ?? []).map(Number),
    distinctCells: toCells(row.distinct_cells),
    instanceCells: toCells(row.instance_cells),
  }));
}

export function toCells(v: unknown): number[] {
  const a = (v as (number | string)[] | null) ?? [];
  return Array.from({ length: CELL_COUNT }, (_, k) => Number(a[k] ?? 0));
}

/** A roll-up row with a finding filter applied to its cells. */
export function toRollupRow(r: RollupCells, findings: FindingFilter = {}): RollupRow {
  return {
    key: r.key,
    labels: r.labels,
    containers: r.containers,
    unresolved: r.unresolved,
    unscanned: r.unscanned,
    images: r.images,
    instances: figuresFromCells(r.instanceCells, findings),
    distinct: figuresFromCells(r.distinctCells, findings),
    oldestScan: r.oldestScan,
    sourceIds: r.sourceIds,
    lastSeen: r.lastSeen,
  };
}

/**
 * The maintained summary row that answers a view, when one does: kinds other than `container`,
 * filtered at most by cluster and namespace where the scope key implies them. A fleet view filtered
 * by cluster (and namespace) is that cluster's (namespace's) row.
 */
function summaryTarget(
  kind: ScopeKind,
  f: PostureFilter,
): { kind: ScopeKind; cluster?: string | undefined; namespace?: string | undefined } | undefined {
  const other = Object.entries(f).some(([k, v]) => v !== undefined && k !== 'cluster' && k !== 'namespace');
  if (other || kind === 'container') return undefined;
  const { cluster, namespace } = f;
  if (kind === 'fleet') {
    if (namespace !== undefined) return cluster !== undefined ? { kind: 'namespace', cluster, namespace } : undefined;
    return cluster !== undefined ? { kind: 'cluster', cluster } : { kind: 'fleet' };
  }
  if (namespace !== undefined && kind !== 'namespace' && kind !== 'workload') return undefined;
  if (cluster !== undefined && kind !== 'cluster' && kind !== 'namespace' && kind !== 'workload') return undefined;
  return { kind, cluster, namespace };
}

/** Reads maintained roll-ups (scope_posture). */
export async function readScopePosture(
  db: Kysely<Database>,
  kind: ScopeKind,
  where: { cluster?: string | undefined; namespace?: string | undefined; keys?: string[] | undefined } = {},
): Promise<RollupCells[]> {
  let q = db.selectFrom('scope_posture').selectAll().where('scope_kind', '=', kind);
  if (where.cluster !== undefined) q = q.where('cluster', '=', where.cluster);
  if (where.namespace !== undefined) q = q.where('namespace', '=', where.namespace);
  if (where.keys) q = q.where('scope_key', 'in', where.keys.length ? where.keys : ['']);
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
    snapshotAt: row.snapshot_at,
  }));
}

/**
 * Roll-ups for a view: from the maintained summary when it answers the filter (callers bring it up
 * to date with the sync first), else computed.
 */
export async function queryRollup(
  db: Kysely<Database>,
  kind: ScopeKind,
  containers: PostureFilter = {},
  findings: FindingFilter = {},
): Promise<RollupRow[]> {
  const target = summaryTarget(kind, containers);
  const rows = target
    ? (await readScopePosture(db, target.kind, target)).map((r) => (kind === 'fleet' ? { ...r, key: 'fleet', labels: {} } : r))
    : await computeRollup(db, kind, containers);
  return rows.map((r) => toRollupRow(r, findings));
}
