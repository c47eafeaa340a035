// The container listing behind `runsight containers`: live containers (or every row ever seen, with
// `includeRemoved`), filtered by source, cluster, namespace and the caller's access scope, in a
// stable order (source, cluster, namespace, pod, id; NULLs last) that keyset paging follows: `after`
// is the sort key of the last row of the previous page (`listOrderKey`), so paging never skips or
// repeats a row when others come and go. Rows carry the propagation columns too, so views that
// show resolution need no second query.
//
// `severity` orders by the maintained figures of each container's image (image_posture: KEV, then
// critical, high, medium, low, unknown distinct vulnerabilities, most first), then id; containers
// whose image has no posture (unresolved, unscanned) come last, by id. A page walks the distinct
// figure tuples in order (image_posture: one row per image) and, per tuple, that tuple's images'
// containers by id (containers_running_digest), so it reads the containers of the tuples it
// passes, never the whole fleet to sort it; the last pages (no posture) go by id.
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
  after?: ContainerOrderKey | Readonly<ContainerSortKey> | undefined;
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
type ColumnSort = keyof typeof SORT_COLUMNS;
export type ContainerSort = ColumnSort | 'severity';
export const CONTAINER_SORTS: readonly ContainerSort[] = [
  ...(Object.keys(SORT_COLUMNS) as ColumnSort[]),
  'severity',
];

/** The image figures `severity` orders by, most first (image_posture.kev, then its counts). */
export const SEVERITY_SORT_FIGURES = ['kev', 'critical', 'high', 'medium', 'low', 'unknown'] as const;
/** A row's figures in SEVERITY_SORT_FIGURES order; null when its image has no posture. */
export type SeverityFigures = [number, number, number, number, number, number];

/** A sort key: column values (`source`, `id`, `workload`) or figures then id (`severity`). */
export type ContainerSortKey = (string | number | null)[];

/** The key of a listed row in `sort`'s order (what `after` takes to continue after it). */
export function containerSortKey(r: ContainerRow, sort: ContainerSort = 'source'): ContainerSortKey {
  if (sort === 'severity') return [...(r.severityFigures ?? SEVERITY_SORT_FIGURES.map(() => null)), r.id];
  return SORT_COLUMNS[sort].map(([, field]) => r[field] as string | null);
}

/** Whether `key` has the shape of a `sort` key (strings; nulls only where the column is nullable). */
export function isContainerSortKey(key: unknown, sort: ContainerSort = 'source'): boolean {
  if (!Array.isArray(key)) return false;
  if (sort === 'severity') {
    const figures = key.slice(0, SEVERITY_SORT_FIGURES.length);
    return (
      key.length === SEVERITY_SORT_FIGURES.length + 1 &&
      typeof key.at(-1) === 'string' &&
      (figures.every((n) => n === null) || figures.every((n) => Number.isSafeInteger(n) && n >= 0))
    );
  }
  const cols = SORT_COLUMNS[sort];
  return (
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
  /** Only under sort `severity`: its image's figures (SEVERITY_SORT_FIGURES), null when none. */
  severityFigures?: SeverityFigures | null;
}

export async function listContainers(
  { db }: Pick<Store, 'db'>,
  filter: ContainerFilter = {},
): Promise<ContainerRow[]> {
  if (filter.ids && !filter.ids.length) return [];
  const sort = filter.sort ?? 'source';
  if (filter.after && !isContainerSortKey(filter.after, sort))
    throw new Error(`listContainers: "after" is not a ${sort} sort key`);
  if (sort === 'severity') return bySeverity(db, filter);
  let q = selectContainers(db, filter);
  const columns = SORT_COLUMNS[sort];
  if (filter.after) {
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

/** The containers the filter keeps (every column a row carries), in no order. */
function selectContainers(db: Store['db'], filter: ContainerFilter) {
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
  if (filter.ids) q = q.where('c.id', '=', anyText(filter.ids));
  if (filter.scope) q = q.where(scopeSql(filter.scope, 'c'));
  return q;
}

/** One of image_posture's figures (SEVERITY_SORT_FIGURES) of the row `p`. */
function figureSql(p: string, figure: (typeof SEVERITY_SORT_FIGURES)[number]): RawBuilder<number> {
  return figure === 'kev'
    ? sql<number>`${sql.ref(`${p}.kev`)}`
    : sql<number>`coalesce((${sql.ref(`${p}.counts`)}->>${figure})::int, 0)`;
}

/** The filter's conditions on `containers c` alone (the source by name through a subquery). */
function conditionsOnC(filter: ContainerFilter): RawBuilder<SqlBool>[] {
  const on: RawBuilder<SqlBool>[] = [];
  if (!filter.includeRemoved) on.push(sql<SqlBool>`c.removed_at is null`);
  if (filter.source)
    on.push(sql<SqlBool>`c.source_id in (select id from inventory_sources where name = ${filter.source})`);
  if (filter.cluster) on.push(sql<SqlBool>`c.cluster = ${filter.cluster}`);
  if (filter.namespaces?.length) on.push(sql<SqlBool>`c.namespace = ${anyText(filter.namespaces)}`);
  if (filter.ids) on.push(sql<SqlBool>`c.id = ${anyText(filter.ids)}`);
  if (filter.scope) on.push(scopeSql(filter.scope, 'c'));
  return on;
}

/**
 * Sort `severity`: first the containers of images with posture, figure tuple by tuple (most
 * first) and by id within a tuple; then, when the page is not full, those without posture by id.
 * The tuples are taken a few at a time (1, 2, 4 … 256 per step), each step one query over only
 * those tuples' images' containers, so a page reads the tuples it passes, never the fleet. The
 * page's ids are chosen first (containers alone), then their rows read by id.
 */
async function bySeverity(db: Store['db'], filter: ContainerFilter): Promise<ContainerRow[]> {
  const after = filter.after as ContainerSortKey | undefined;
  const afterFigures = after?.slice(0, SEVERITY_SORT_FIGURES.length) as (number | null)[] | undefined;
  const afterId = after?.at(-1) as string | undefined;
  const limit = filter.limit;
  const on = conditionsOnC(filter);
  const picked: { id: string; figures: SeverityFigures | null }[] = [];
  const fs = SEVERITY_SORT_FIGURES.map((_, i) => sql.raw(`f${i}`));
  const row = (t: readonly (number | null)[]) => sql.join(t.map((n) => sql`${n}::int`));
  // The tuples still to walk start at the cursor's (inclusive: its ids after the cursor's) or at the top.
  let from: { figures: readonly number[]; inclusive: boolean } | undefined =
    afterFigures?.[0] === null
      ? undefined
      : afterFigures
        ? { figures: afterFigures as number[], inclusive: true }
        : undefined;
  let walking = afterFigures?.[0] !== null;
  for (let step = 1; walking && (!limit || picked.length < limit); step = Math.min(step * 2, 256)) {
    const tuples = await sql<Record<string, unknown> & { digests: string[] }>`
      select ${sql.join(fs)}, array_agg(t.image_digest) as digests
      from (select p.image_digest, ${sql.join(SEVERITY_SORT_FIGURES.map((f, i) => sql`${figureSql('p', f)} as ${fs[i]}`))}
        from image_posture p) t
      ${from ? sql`where (${sql.join(fs)}) ${sql.raw(from.inclusive ? '<=' : '<')} (${row(from.figures)})` : sql``}
      group by ${sql.join(fs)}
      order by ${sql.join(fs.map((f) => sql`${f} desc`))}
      limit ${step}`.execute(db);
    if (tuples.rows.length < step) walking = false;
    if (!tuples.rows.length) break;
    const figuresOf = (t: Record<string, unknown>) =>
      SEVERITY_SORT_FIGURES.map((_, i) => Number(t[`f${i}`])) as SeverityFigures;
    const k = tuples.rows.map(
      (t, ord) =>
        sql`(${ord}::int, ${t.digests}::text[], ${from?.inclusive && ord === 0 ? afterId! : null}::text)`,
    );
    const need = limit ? limit - picked.length : undefined;
    // Per tuple (lateral): its images' containers by id; in the cursor's tuple, the ids after it.
    const r = await sql<{ ord: number; id: string }>`
      select k.ord, x.id from (values ${sql.join(k)}) k(ord, digests, after_id)
      cross join lateral (
        select c.id from containers c
        where ${sql.join([...on, sql<SqlBool>`c.image_digest = any(k.digests)`, sql<SqlBool>`(k.after_id is null or c.id > k.after_id)`], sql` and `)}
        order by c.id ${need ? sql`limit ${need}` : sql``}) x
      order by k.ord, x.id ${need ? sql`limit ${need}` : sql``}`.execute(db);
    for (const x of r.rows) picked.push({ id: x.id, figures: figuresOf(tuples.rows[Number(x.ord)]!) });
    from = { figures: figuresOf(tuples.rows.at(-1)!), inclusive: false };
  }
  if (!limit || picked.length < limit) {
    // The containers whose image has no posture (unresolved, unscanned), by id, after any cursor's.
    const rest = [
      ...on,
      sql<SqlBool>`not exists (select 1 from image_posture p where p.image_digest = c.image_digest)`,
    ];
    if (afterFigures?.[0] === null) rest.push(sql<SqlBool>`c.id > ${afterId!}`);
    const r = await sql<{ id: string }>`select c.id from containers c where ${sql.join(rest, sql` and `)}
      order by c.id ${limit ? sql`limit ${limit - picked.length}` : sql``}`.execute(db);
    for (const x of r.rows) picked.push({ id: x.id, figures: null });
  }
  if (!picked.length) return [];
  const rows = new Map(
    (await selectContainers(db, { ids: picked.map((p) => p.id), includeRemoved: true }).execute()).map(
      (r) => [r.id, r],
    ),
  );
  // A container deleted between the two reads is left out.
  return picked.flatMap((p) => {
    const r = rows.get(p.id);
    return r ? [{ ...r, severityFigures: p.figures }] : [];
  });
}
