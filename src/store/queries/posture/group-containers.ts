// Running containers grouped for roll-ups: one SQL grouping by every column the requested scope
// kinds' keys and labels need — one row per group, never one per container or per finding.
// Propagation sums these groups with the per-image roll-ups (src/propagation/rollups.ts).
import { type RawBuilder, sql } from 'kysely';
import type { ScopeKind } from '../../../core/types.js';
import type { Store } from '../../open-store.js';
import { withWorkMem } from '../../work-mem.js';

/** Which containers a roll-up covers (running ones only). */
export interface PostureFilter {
  cluster?: string | undefined;
  namespace?: string | undefined;
  workloadKind?: string | undefined;
  workloadName?: string | undefined;
  environment?: string | undefined;
  owner?: string | undefined;
  imageDigest?: string | undefined;
  containerIds?: string[] | undefined;
  /** Only these scope keys (incremental snapshots; applies to a single kind). */
  scopeKeys?: string[] | undefined;
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

type LabelColumn =
  | 'cluster'
  | 'namespace'
  | 'workload_kind'
  | 'workload_name'
  | 'pod'
  | 'container_name'
  | 'image'
  | 'image_digest'
  | 'match_method'
  | 'confidence'
  | 'state'
  | 'environment'
  | 'owner';

/** The label columns of each scope kind (workload_name falls back to pod, then container name). */
const LABELS: Record<ScopeKind, readonly LabelColumn[]> = {
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

function labelColumnSql(col: LabelColumn): string {
  return col === 'workload_name' ? 'coalesce(c.workload_name, c.pod, c.container_name)' : `c.${col}`;
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

/** A group of running containers that share every key and label asked for. */
export interface ContainerGroup {
  /** The scope key of each requested kind, in the order asked. */
  keys: string[];
  /** The labels of each requested kind, in the order asked. */
  labels: Record<string, string | null>[];
  digest: string | null;
  sourceId: number;
  containers: number;
  /** Oldest last-seen in the group. */
  lastSeen: Date | null;
}

/** Groups the running containers matching `filter` by what the kinds' keys and labels need. */
export async function groupRunningContainers(
  { db }: Pick<Store, 'db'>,
  kinds: readonly ScopeKind[],
  filter: PostureFilter = {},
): Promise<ContainerGroup[]> {
  const cols = [...new Set(kinds.flatMap((k) => LABELS[k]))];
  const keyFilter =
    filter.scopeKeys && kinds.length === 1
      ? sql`and ${sql.raw(scopeKeySql(kinds[0]!))} = any(${filter.scopeKeys}::text[])`
      : sql``;
  // Group on the raw columns first (a hash of short values per container), then build keys and
  // labels over the groups: the string keys are computed per group, not per container. The inner
  // rows stand in for containers (alias c), so scopeKeySql applies to them unchanged.
  const perContainer = kinds.includes('container');
  const inner = perContainer
    ? 'c.id, c.cluster, c.namespace, c.workload_kind, c.workload_name, c.pod, c.container_name, c.image, c.match_method, c.confidence, c.state, c.environment, c.owner, c.image_digest, c.source_id'
    : `c.cluster, c.namespace, c.workload_kind, coalesce(c.workload_name, c.pod, c.container_name) as workload_name,
       null::text as pod, null::text as container_name, c.environment, c.owner,
       case when c.image_digest is null then c.image end as image, c.image_digest, c.source_id`;
  const groupCount = perContainer ? 15 : 11;
  const r = await withWorkMem(db, (tx) =>
    sql<Record<string, unknown>>`
    select ${sql.join([
      ...kinds.map((k, i) => sql.raw(`${scopeKeySql(k)} as k${i}`)),
      ...cols.map((col) => sql.raw(`${labelColumnSql(col)} as l_${col}`)),
      sql.raw('c.image_digest as digest, c.source_id, c.n, c.last_seen'),
    ])}
    from (
      select ${sql.raw(inner)}, count(*) as n, min(c.last_seen) as last_seen
      from containers c where ${containerWhere(filter)} ${keyFilter}
      group by ${sql.raw(Array.from({ length: groupCount }, (_, i) => String(i + 1)).join(', '))}
    ) c`.execute(tx),
  );
  return r.rows.map((g) => ({
    keys: kinds.map((_, i) => String(g[`k${i}`])),
    labels: kinds.map((k) => {
      const labels: Record<string, string | null> = {};
      for (const col of LABELS[k]) labels[col] = (g[`l_${col}`] as string | null) ?? null;
      return labels;
    }),
    digest: (g.digest as string | null) ?? null,
    sourceId: Number(g.source_id),
    containers: Number(g.n),
    lastSeen: (g.last_seen as Date | null) ?? null,
  }));
}
