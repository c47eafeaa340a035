// The container listing behind `runsight containers`: live containers (or every row ever seen, with
// `includeRemoved`), filtered by source, cluster, namespace and the caller's access scope, in a
// stable order (source, cluster, namespace, pod, id; NULLs last) that keyset paging follows: `after`
// is the sort key of the last row of the previous page (`listOrderKey`), so paging never skips or
// repeats a row when others come and go. Rows carry the propagation columns too, so views that
// show resolution need no second query.
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { AccessScope } from '../../../core/access.js';
import type { Store } from '../../open-store.js';
import { anyText } from '../../statement-size.js';
import { scopeSql } from '../posture/scope-sql.js';
import { containerLastSeen } from './last-seen.js';

export interface ContainerFilter {
  source?: string | undefined;
  cluster?: string | undefined;
  namespaces?: string[] | undefined;
  /** Also list containers that have gone (removed_at set). */
  includeRemoved?: boolean | undefined;
  /** Only these ids (e.g. the ids an inventory mutation touched). */
  ids?: string[] | undefined;
  /** The caller's access scope: only containers inside it (src/core/access.ts). */
  scope?: AccessScope | undefined;
  /** The order (default `source`); `after` is a key of the same order (`containerSortKey`). */
  sort?: ContainerSort | undefined;
  /** Only rows after this sort key (the `listOrderKey` of the previous page's last row). */
  after?: ContainerOrderKey | readonly (string | null)[] | undefined;
  limit?: number | undefined;
}

/**
 * The orders the listing offers, each a list of columns ending with the id (a total order, so
 * keyset paging is stable) and each served by an index: `source` (source, cluster, namespace, pod,
 * id: the default), `id` (the primary key), `workload` (cluster, namespace, workload kind and
 * name, id: containers_scope).
 */
const SORT_COLUMNS = {
  source: [
    ['s.name', 'source', false],
    ['c.cluster', 'cluster', true],
    ['c.namespace', 'namespace', true],
    ['c.pod', 'pod', true],
    ['c.id', 'id', false],
  ],
  id: [['c.id', 'id', false]],
  workload: [
    ['c.cluster', 'cluster', true],
    ['c.namespace', 'namespace', true],
    ['c.workload_kind', 'workloadKind', true],
    ['c.workload_name', 'workloadName', true],
    ['c.id', 'id', false],
  ],
} as const satisfies Record<string, readonly (readonly [string, keyof ContainerRow, boolean])[]>;
export type ContainerSort = keyof typeof SORT_COLUMNS;
export const CONTAINER_SORTS = Object.keys(SORT_COLUMNS) as ContainerSort[];

/** The key of a listed row in `sort`'s order (what `after` takes to continue after it). */
export function containerSortKey(r: ContainerRow, sort: ContainerSort = 'source'): (string | null)[] {
  return SORT_COLUMNS[sort].map(([, field]) => r[field] as string | null);
}

/** Whether `key` has the shape of a `sort` key (strings; nulls only where the column is nullable). */
export function isContainerSortKey(key: unknown, sort: ContainerSort = 'source'): boolean {
  const cols = SORT_COLUMNS[sort];
  return (
    Array.isArray(key) &&
    key.length === cols.length &&
    cols.every(([, , nullable], i) => typeof key[i] === 'string' || (nullable && key[i] === null))
  );
}

/** Where a row sits in the listing's order: source name, cluster, namespace, pod, id. */
export type ContainerOrderKey = [
  source: string,
  cluster: string | null,
  namespace: string | null,
  pod: string | null,
  id: string,
];

/** The order key of a listed row (what `after` takes to continue after it). */
export function listOrderKey(
  r: Pick<ContainerRow, 'source' | 'cluster' | 'namespace' | 'pod' | 'id'>,
): ContainerOrderKey {
  return [r.source, r.cluster, r.namespace, r.pod, r.id];
}

export interface ContainerRow {
  id: string;
  source: string;
  sourceKind: string;
  cluster: string | null;
  namespace: string | null;
  workloadKind: string | null;
  workloadName: string | null;
  pod: string | null;
  container: string;
  containerKind: string;
  node: string | null;
  platform: string | null;
  image: string;
  imageId: string | null;
  digest: string | null;
  digestKind: string | null;
  state: string;
  startedAt: Date | null;
  finishedAt: Date | null;
  restarts: number | null;
  firstSeen: Date;
  lastSeen: Date;
  removedAt: Date | null;
  owner: string | null;
  environment: string | null;
  labels: Record<string, string>;
  imageDigest: string | null;
  matchMethod: string;
  confidence: string;
  resolvedAt: Date | null;
}

export async function listContainers(
  { db }: Pick<Store, 'db'>,
  filter: ContainerFilter = {},
): Promise<ContainerRow[]> {
  let q = db
    .selectFrom('containers as c')
    .innerJoin('inventory_sources as s', 's.id', 'c.source_id')
    .select([
      'c.id',
      's.name as source',
      's.kind as sourceKind',
      'c.cluster',
      'c.namespace',
      'c.workload_kind as workloadKind',
      'c.workload_name as workloadName',
      'c.pod',
      'c.container_name as container',
      'c.container_kind as containerKind',
      'c.node',
      'c.platform',
      'c.image',
      'c.image_id as imageId',
      'c.digest',
      'c.digest_kind as digestKind',
      'c.state',
      'c.started_at as startedAt',
      'c.finished_at as finishedAt',
      'c.restarts',
      'c.first_seen as firstSeen',
      containerLastSeen('c').as('lastSeen'),
      'c.removed_at as removedAt',
      'c.owner',
      'c.environment',
      'c.labels',
      'c.image_digest as imageDigest',
      'c.match_method as matchMethod',
      'c.confidence',
      'c.resolved_at as resolvedAt',
    ]);
  if (!filter.includeRemoved) q = q.where('c.removed_at', 'is', null);
  if (filter.source) q = q.where('s.name', '=', filter.source);
  if (filter.cluster) q = q.where('c.cluster', '=', filter.cluster);
  if (filter.namespaces?.length) q = q.where('c.namespace', '=', anyText(filter.namespaces));
  if (filter.ids) {
    if (!filter.ids.length) return [];
    q = q.where('c.id', '=', anyText(filter.ids));
  }
  if (filter.scope) q = q.where(scopeSql(filter.scope, 'c'));
  const columns = SORT_COLUMNS[filter.sort ?? 'source'];
  if (filter.after) {
    if (!isContainerSortKey(filter.after, filter.sort))
      throw new Error(`listContainers: "after" is not a ${filter.sort ?? 'source'} sort key`);
    // The order below as one row comparison: a nullable column sorts as (is null, value), which
    // is how PostgreSQL orders NULLs last, so the comparison needs no NULL.
    const left: RawBuilder<unknown>[] = [];
    const right: RawBuilder<unknown>[] = [];
    columns.forEach(([column, , nullable], i) => {
      const value = filter.after![i] ?? null;
      if (nullable) {
        left.push(sql`${sql.ref(column)} is null`, sql`coalesce(${sql.ref(column)}, '')`);
        right.push(sql`${value === null}`, sql`${value ?? ''}`);
      } else {
        left.push(sql`${sql.ref(column)}`);
        right.push(sql`${value}`);
      }
    });
    q = q.where(sql<SqlBool>`(${sql.join(left)}) > (${sql.join(right)})`);
  }
  for (const [column] of columns) q = q.orderBy(sql.ref(column));
  if (filter.limit) q = q.limit(filter.limit);
  return q.execute();
}
