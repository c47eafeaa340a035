// Running containers grouped for roll-ups: one SQL grouping by every column the requested scope
// kinds' keys and labels need — one row per group, never one per container or per finding.
// Propagation sums these groups with the per-image roll-ups (src/propagation/rollups.ts).
import { type RawBuilder, sql } from 'kysely';
import type { AccessScope } from '../../../core/access.js';
import type { ScopeKind } from '../../../core/types.js';
import type { Store } from '../../open-store.js';
import { withWorkMem } from '../../work-mem.js';
import { liveGroupLastSeen } from '../inventory/last-seen.js';
import { scopeSql } from './scope-sql.js';
import { rebuildVulnReach, shiftVulnReach } from './vuln-reach.js';

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
  /** The caller's access scope: only containers inside it count (src/core/access.ts). */
  scope?: AccessScope | undefined;
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
  if (f.scope) parts.push(scopeSql(f.scope, 'c'));
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
  return groupsOver(
    db,
    kinds,
    sql`select ${sql.raw(inner)}, count(*) as n, ${liveGroupLastSeen()} as last_seen
      from containers c where ${containerWhere(filter)} ${keyFilter}
      group by ${sql.raw(Array.from({ length: groupCount }, (_, i) => String(i + 1)).join(', '))}`,
  );
}

/**
 * The same groups as groupRunningContainers (never per container), read from the maintained
 * posture_groups (migration 12) instead of the containers table: only the groups of these scopes
 * (a kind absent from `only`: none of its scopes; `only` undefined or the fleet in it: every group),
 * and of those only the groups inside `within` (a cluster, a namespace, an access scope).
 */
export async function readPostureGroups(
  { db }: Pick<Store, 'db'>,
  kinds: readonly ScopeKind[],
  only?: Map<ScopeKind, Set<string>> | undefined,
  within: Pick<PostureFilter, 'cluster' | 'namespace' | 'scope'> = {},
): Promise<ContainerGroup[]> {
  if (kinds.includes('container')) throw new Error('readPostureGroups: container groups are not maintained');
  const all = !only || (only.get('fleet')?.size ?? 0) > 0;
  const parts: RawBuilder<unknown>[] = [];
  if (!all) {
    for (const [kind, keys] of only) {
      if (!keys.size || kind === 'fleet' || kind === 'container') continue;
      parts.push(sql`${sql.raw(`g.k_${kind}`)} = any(${[...keys]}::text[])`);
    }
    if (!parts.length) return [];
  }
  const inside = [
    scopeSql(within.scope, 'g'),
    ...(within.cluster !== undefined ? [sql`g.cluster = ${within.cluster}`] : []),
    ...(within.namespace !== undefined ? [sql`g.namespace = ${within.namespace}`] : []),
  ];
  return groupsOver(
    db,
    kinds,
    sql`select g.cluster, g.namespace, g.workload_kind, g.workload_name, null::text as pod,
        null::text as container_name, g.environment, g.owner,
        case when g.image_digest is null then g.image end as image, g.image_digest, g.source_id,
        sum(g.containers) as n, min(g.last_seen) as last_seen
      from posture_groups g
      where ${sql.join(inside, sql` and `)} ${all ? sql`` : sql`and (${sql.join(parts, sql` or `)})`}
      group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11`,
  );
}

/** Keys and labels of every requested kind over grouped rows that stand in for containers (alias c). */
async function groupsOver(
  db: Store['db'],
  kinds: readonly ScopeKind[],
  inner: RawBuilder<unknown>,
): Promise<ContainerGroup[]> {
  const cols = [...new Set(kinds.flatMap((k) => LABELS[k]))];
  const r = await withWorkMem(db, (tx) =>
    sql<Record<string, unknown>>`
    select ${sql.join([
      ...kinds.map((k, i) => sql.raw(`${scopeKeySql(k)} as k${i}`)),
      ...cols.map((col) => sql.raw(`${labelColumnSql(col)} as l_${col}`)),
      sql.raw('c.image_digest as digest, c.source_id, c.n, c.last_seen'),
    ])}
    from (${inner}) c`.execute(tx),
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

/** The maintained kinds whose keys posture_groups stores (k_<kind>). */
const GROUP_KEY_KINDS = ['cluster', 'namespace', 'workload', 'environment', 'owner', 'image'] as const;

/**
 * posture_groups rows over the running containers `where` keeps (alias c): grouped by every
 * column a roll-up or report section reads, with their scope keys.
 */
function postureGroupsInsert(where: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`insert into posture_groups (${sql.raw(GROUP_KEY_KINDS.map((k) => `k_${k}`).join(', '))},
      cluster, namespace, workload_kind, workload_name, environment, owner, image, image_digest,
      source_id, match_method, confidence, containers, last_seen)
    select ${sql.raw(GROUP_KEY_KINDS.map((k) => scopeKeySql(k)).join(', '))},
      c.cluster, c.namespace, c.workload_kind, c.workload_name, c.environment, c.owner, c.image,
      c.image_digest, c.source_id, c.match_method, c.confidence, c.n, c.last_seen
    from (
      select c.cluster, c.namespace, c.workload_kind,
        coalesce(c.workload_name, c.pod, c.container_name) as workload_name,
        null::text as pod, null::text as container_name, c.environment, c.owner, c.image,
        c.image_digest, c.source_id, c.match_method, c.confidence,
        count(*) as n, ${liveGroupLastSeen()} as last_seen
      from containers c where c.removed_at is null and ${where}
      group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13
    ) c`;
}

/** Rebuilds posture_groups from every running container (a full pass). */
export async function rebuildPostureGroups({ db }: Pick<Store, 'db'>): Promise<void> {
  await withWorkMem(db, async (tx) => {
    await sql`delete from posture_groups`.execute(tx);
    await postureGroupsInsert(sql`true`).execute(tx);
    await rebuildVulnReach(tx);
    // Fresh statistics for the rebuilt tables, as refreshImages keeps for image_vulns: with those
    // of an emptier table the planner started the prioritised list from every running digest.
    await sql`analyze posture_groups, vuln_reach`.execute(tx);
  });
}

/** A posture_groups row as the scope delta reads it: its scope keys, digest, source and count. */
export interface PostureGroupRow {
  /** Scope key per maintained kind (`fleet` is always 'fleet'). */
  keys: Record<'cluster' | 'namespace' | 'workload' | 'environment' | 'owner' | 'image', string>;
  digest: string | null;
  sourceId: number;
  containers: number;
  /** Oldest last-seen in the group. */
  lastSeen: Date | null;
}

function toGroupRow(r: Record<string, unknown>): PostureGroupRow {
  return {
    keys: {
      cluster: String(r.k_cluster),
      namespace: String(r.k_namespace),
      workload: String(r.k_workload),
      environment: String(r.k_environment),
      owner: String(r.k_owner),
      image: String(r.k_image),
    },
    digest: (r.image_digest as string | null) ?? null,
    sourceId: Number(r.source_id),
    containers: Number(r.containers),
    lastSeen: (r.last_seen as Date | null) ?? null,
  };
}

const GROUP_ROW_COLUMNS = sql.raw(
  `${GROUP_KEY_KINDS.map((k) => `k_${k}`).join(', ')}, image_digest, source_id, containers, last_seen`,
);

/**
 * Recomputes the groups of these workloads (scope keys of kind `workload`) from their running
 * containers (the containers_workload_key index): what a change of some containers moves. Returns
 * the groups it replaced and the ones it wrote, so scope roll-ups can move by the difference.
 */
export async function refreshPostureGroups(
  { db }: Pick<Store, 'db'>,
  workloadKeys: string[],
): Promise<{ before: PostureGroupRow[]; after: PostureGroupRow[] }> {
  if (!workloadKeys.length) return { before: [], after: [] };
  return withWorkMem(db, async (tx) => {
    const before = await sql<Record<string, unknown>>`
      delete from posture_groups where k_workload = any(${workloadKeys}::text[])
      returning ${GROUP_ROW_COLUMNS}`.execute(tx);
    const after = await sql<Record<string, unknown>>`${postureGroupsInsert(
      sql`${sql.raw(scopeKeySql('workload'))} = any(${workloadKeys}::text[])`,
    )} returning ${GROUP_ROW_COLUMNS}`.execute(tx);
    const groups = { before: before.rows.map(toGroupRow), after: after.rows.map(toGroupRow) };
    // The fleet reach moves by each digest's net change of running containers (vuln-reach.ts).
    const moves = new Map<string, number>();
    for (const [list, sign] of [
      [groups.before, -1],
      [groups.after, 1],
    ] as const)
      for (const g of list)
        if (g.digest !== null) moves.set(g.digest, (moves.get(g.digest) ?? 0) + sign * g.containers);
    await shiftVulnReach(tx, moves);
    return groups;
  });
}

/** Per scope of one kind, over its maintained groups: containers, unresolved, oldest last-seen, sources. */
export async function aggregatePostureGroups(
  { db }: Pick<Store, 'db'>,
  kind: ScopeKind,
  keys: string[],
): Promise<
  Map<string, { containers: number; unresolved: number; lastSeen: Date | null; sourceIds: number[] }>
> {
  if (kind === 'container') throw new Error('aggregatePostureGroups: container scopes are not maintained');
  const key = kind === 'fleet' ? sql.raw(`'fleet'`) : sql.raw(`g.k_${kind}`);
  const r = await sql<Record<string, unknown>>`
    select ${key} as k, sum(g.containers) as n,
      coalesce(sum(g.containers) filter (where g.image_digest is null), 0) as unresolved,
      min(g.last_seen) as last_seen, array_agg(distinct g.source_id) as sources
    from posture_groups g
    ${kind === 'fleet' ? sql`` : sql`where ${key} = any(${keys}::text[])`}
    group by 1`.execute(db);
  return new Map(
    r.rows.map((x) => [
      String(x.k),
      {
        containers: Number(x.n),
        unresolved: Number(x.unresolved),
        lastSeen: (x.last_seen as Date | null) ?? null,
        sourceIds: ((x.sources as (number | string)[]) ?? []).map(Number).sort((a, b) => a - b),
      },
    ]),
  );
}

/** Which scopes (every maintained kind) still run each of these digests, from posture_groups. */
export async function scopesRunningDigests(
  { db }: Pick<Store, 'db'>,
  digests: string[],
): Promise<PostureGroupRow[]> {
  if (!digests.length) return [];
  const r = await sql<Record<string, unknown>>`
    select ${GROUP_ROW_COLUMNS} from posture_groups where image_digest = any(${digests}::text[])`.execute(db);
  return r.rows.map(toGroupRow);
}
