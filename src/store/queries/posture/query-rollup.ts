// Posture roll-ups by scope. Per-image figures come first (image_vulns, filtered, grouped by
// image); they are then joined to the (scope, image, container count) groups of running containers
// — never a per-finding join of every container. Two figures per scope, both labelled:
//   instances = Σ over containers of the image's matching vulnerabilities (container × finding)
//   distinct  = distinct vulnerabilities across the scope's images (highest severity wins)
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

const FIGURES = (x: string) => `
  count(*) filter (where ${x}.severity_rank = 4) as critical,
  count(*) filter (where ${x}.severity_rank = 3) as high,
  count(*) filter (where ${x}.severity_rank = 2) as medium,
  count(*) filter (where ${x}.severity_rank = 1) as low,
  count(*) filter (where ${x}.severity_rank = 0) as unknown,
  count(*) filter (where ${x}.kev) as kev,
  count(*) filter (where ${x}.fixable) as fixable,
  count(*) as total`;

const NAMES = ['critical', 'high', 'medium', 'low', 'unknown', 'kev', 'fixable', 'total'] as const;

export async function queryRollup(
  db: Kysely<Database>,
  kind: ScopeKind,
  containers: PostureFilter = {},
  findings: FindingFilter = {},
): Promise<RollupRow[]> {
  const key = sql.raw(scopeKeySql(kind));
  const labels = sql.raw(labelsSql(kind));
  // For a single container or image, distinct = the image's own figures: skip the distinct join.
  const perImageDistinct = kind === 'container' || kind === 'image';
  // A filtered view runs few images: name them, so the planner reads image_vulns by its index
  // instead of scanning it (it cannot see through the CTE how few they are).
  const filtered = Object.values(containers).some((v) => v !== undefined);
  let onlyDigests: RawBuilder<unknown> = sql`true`;
  if (filtered) {
    const d = await sql<{ image_digest: string }>`
      select distinct c.image_digest from containers c where ${containerWhere(containers)}
        and c.image_digest is not null
        ${containers.scopeKeys ? sql`and ${key} = any(${containers.scopeKeys}::text[])` : sql``}`.execute(db);
    const digests = d.rows.map((x) => x.image_digest);
    if (digests.length <= 20_000) onlyDigests = sql`iv.image_digest = any(${digests}::text[])`;
  }
  const r = await sql<Record<string, unknown>>`
    with sc as (
      select ${key} as key, ${labels} as labels, c.image_digest, count(*) as n,
        array_agg(distinct c.source_id) as source_ids, min(c.last_seen) as last_seen
      from containers c where ${containerWhere(containers)}
        ${containers.scopeKeys ? sql`and ${key} = any(${containers.scopeKeys}::text[])` : sql``}
      group by 1, 2, 3
    ),
    img as (
      select iv.image_digest, ${sql.raw(FIGURES('iv'))}
      from image_vulns iv
      where iv.image_digest in (select image_digest from sc) and ${onlyDigests} and ${findingWhere(findings)}
      group by iv.image_digest
    ),
    inst as (
      select sc.key, (array_agg(sc.labels))[1] as labels, sum(sc.n) as containers,
        coalesce(sum(sc.n) filter (where sc.image_digest is null), 0) as unresolved,
        coalesce(sum(sc.n) filter (where sc.image_digest is not null and p.image_digest is null), 0) as unscanned,
        count(distinct sc.image_digest) as images,
        min(p.scanned_at) as oldest_scan,
        min(sc.last_seen) as last_seen,
        ${sql.raw(NAMES.map((n) => `coalesce(sum(sc.n * i.${n}), 0) as i_${n}`).join(', '))},
        ${sql.raw(NAMES.map((n) => `coalesce(max(i.${n}), 0) as m_${n}`).join(', '))}
      from sc
      left join image_posture p on p.image_digest = sc.image_digest
      left join img i on i.image_digest = sc.image_digest
      group by sc.key
    ),
    srcs as (
      select sc.key, array_agg(distinct s.id) as source_ids from sc, unnest(sc.source_ids) as s(id) group by sc.key
    )
    ${
      perImageDistinct
        ? sql`select inst.*, srcs.source_ids from inst left join srcs on srcs.key = inst.key order by inst.key`
        : sql`, dist as (
      select x.key, ${sql.raw(FIGURES('x'))} from (
        select p.key, iv.vulnerability_id, max(iv.severity_rank) as severity_rank, bool_or(iv.kev) as kev, bool_or(iv.fixable) as fixable
        from (select distinct key, image_digest from sc where image_digest is not null) p
        join image_vulns iv on iv.image_digest = p.image_digest
        where ${onlyDigests} and ${findingWhere(findings)}
        group by p.key, iv.vulnerability_id) x
      group by x.key
    )
    select inst.*, srcs.source_ids, ${sql.raw(NAMES.map((n) => `coalesce(dist.${n}, 0) as d_${n}`).join(', '))}
    from inst left join dist on dist.key = inst.key left join srcs on srcs.key = inst.key order by inst.key`
    }`.execute(db);
  return r.rows.map((row) => {
    const fig = (prefix: string): Figures =>
      Object.fromEntries(NAMES.map((n) => [n, Number(row[`${prefix}_${n}`] ?? 0)])) as unknown as Figures;
    return {
      key: String(row.key),
      labels: (row.labels ?? {}) as Record<string, string | null>,
      containers: Number(row.containers),
      unresolved: Number(row.unresolved),
      unscanned: Number(row.unscanned),
      images: Number(row.images),
      instances: fig('i'),
      distinct: perImageDistinct ? fig('m') : fig('d'),
      oldestScan: (row.oldest_scan as Date | null) ?? null,
      sourceIds: ((row.source_ids as number[] | null) ?? []).map(Number),
      lastSeen: (row.last_seen as Date | null) ?? null,
    };
  });
}
