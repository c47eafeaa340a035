// CVE-first: every running container (and so every workload) whose image carries a vulnerability,
// found through image_vulns by id or, failing that, through the aliases recorded on findings.
//
// Three reads: the whole list (`vuln where` on the CLI), one page of it in the list's order
// (cluster, namespace, workload kind, workload name, container id; NULLs last — keyset: only the
// page's rows, plus one to know whether more follow, leave the database), and the document's
// summary (its workloads with their container counts, and its images) aggregated in SQL over every
// carrier, so that a page never needs the whole list. Each reads the carriers through
// containers_running_digest (image_digest, including every column the order and the summary use),
// one index range per image that carries the vulnerability; the page is a top-N sort of those.
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { AccessScope } from '../../../core/access.js';
import type { Store } from '../../open-store.js';
import { severityOfRankSql } from './cells-sql.js';
import { scopeSql } from './scope-sql.js';

export interface VulnWhereRow {
  containerId: string;
  cluster: string | null;
  namespace: string | null;
  workloadKind: string | null;
  workloadName: string | null;
  pod: string | null;
  container: string;
  image: string;
  imageDigest: string;
  matchMethod: string;
  confidence: string;
  severity: string;
  kev: boolean;
  fixable: boolean;
  packages: { name: string; installedVersion: string; fixedVersion: string | null }[];
}

/**
 * A row's place in the list's order: cluster, namespace, workload kind, the workload name as stored
 * (NULL for a bare pod: `workloadName` shows the pod or container name instead), container id.
 */
export type VulnWhereKey = [
  cluster: string | null,
  namespace: string | null,
  workloadKind: string | null,
  workloadName: string | null,
  id: string,
];

export interface VulnWherePageQuery {
  /** Rows per page (none: every row after `after`). */
  limit?: number | undefined;
  /** Only the rows after this key (the `next` of the previous page). */
  after?: VulnWhereKey | undefined;
}

export interface VulnWherePageRows {
  rows: VulnWhereRow[];
  /** The key of the page's last row when more rows follow it, else null. */
  next: VulnWhereKey | null;
}

/** The document's figures over every carrier in the scope, in the list's first-appearance order. */
export interface VulnWhereSummary {
  workloads: {
    cluster: string | null;
    namespace: string | null;
    kind: string | null;
    name: string | null;
    containers: number;
  }[];
  images: string[];
}

/** Whether `key` has the shape of a VulnWhereKey (four strings or nulls, then a string). */
export function isVulnWhereKey(key: unknown): key is VulnWhereKey {
  return (
    Array.isArray(key) &&
    key.length === 5 &&
    key.slice(0, 4).every((v) => v === null || typeof v === 'string') &&
    typeof key[4] === 'string'
  );
}

/** The canonical ids stored for `id`: itself when present, else the findings naming it as an alias. */
export async function canonicalVulnIds({ db }: Pick<Store, 'db'>, id: string): Promise<string[]> {
  const direct = await sql`select 1 from vulnerability_numbers n
    where n.id = ${id} and exists (select 1 from image_vulns iv where iv.num = n.num)`.execute(db);
  if (direct.rows.length) return [id];
  const r = await sql<{ id: string }>`select distinct f.vulnerability_id as id from findings f
      join image_posture p on p.scan_id = f.scan_id
      where f.aliases @> array[${id}]::text[]`.execute(db);
  return r.rows.map((x) => x.id);
}

/**
 * The images carrying one of `ids`, one row each (several ids on one image: its worst severity,
 * KEV or fixable if any is), with the scan their findings come from. Each image's digest is looked
 * up by its scan (a lateral subquery kept apart by `offset 0`): as a join, the planner — guessing
 * 10× the rows the number index gives — read all of image_posture (its rows carry the encoded
 * lists: 32 MB at 20k images) to hash it, 150 ms of a 270–1030 ms query at the 1M bench fleet.
 */
function hitSql(ids: string[]): RawBuilder<unknown> {
  return sql`hit as (
      select p.image_digest, ${sql.raw(severityOfRankSql('v.rank'))} as severity, v.kev, v.fixable, v.scan_id
      from (
        select iv.scan_id, max(iv.severity_rank) as rank, bool_or(iv.kev) as kev, bool_or(iv.fixable) as fixable
        from image_vulns iv
        where iv.num = any(array(select num from vulnerability_numbers where id = any(${ids}::text[])))
        group by iv.scan_id
      ) v
      cross join lateral (select p.image_digest from image_posture p where p.scan_id = v.scan_id offset 0) p
    )`;
}

/** The running carriers inside the scope (`c`, joined to `hit h`). */
function carriersSql(scope: AccessScope | undefined): RawBuilder<unknown> {
  return sql`hit h join containers c
      on c.image_digest = h.image_digest and c.removed_at is null and ${scopeSql(scope, 'c')}`;
}

const ORDER = sql`c.cluster, c.namespace, c.workload_kind, c.workload_name, c.id`;

/** Rows after `key` in ORDER: a nullable column compares as (is null, value), NULLs last. */
function afterSql(key: VulnWhereKey): RawBuilder<SqlBool> {
  const left: RawBuilder<unknown>[] = [];
  const right: RawBuilder<unknown>[] = [];
  (['cluster', 'namespace', 'workload_kind', 'workload_name'] as const).forEach((column, i) => {
    const value = key[i] ?? null;
    left.push(sql`${sql.ref(`c.${column}`)} is null`, sql`coalesce(${sql.ref(`c.${column}`)}, '')`);
    right.push(sql`${value === null}`, sql`${value ?? ''}`);
  });
  left.push(sql`c.id`);
  right.push(sql`${key[4]}`);
  return sql<SqlBool>`(${sql.join(left)}) > (${sql.join(right)})`;
}

/** The packages carrying `ids` per image of `from` (a relation with image_digest and scan_id). */
function packagesSql(ids: string[], from: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`pk as (
      select h.image_digest, jsonb_agg(distinct jsonb_build_object('name', f.package_name,
        'installedVersion', f.installed_version, 'fixedVersion', f.fixed_version)) as packages
      from ${from} h join findings f on f.scan_id = h.scan_id
      where f.vulnerability_id = any(${ids}::text[]) and f.status in ('affected', 'unknown')
      group by h.image_digest
    )`;
}

/** The running containers (inside `scope`) whose image carries one of `ids`, all of them. */
export async function queryVulnWhere(
  store: Pick<Store, 'db'>,
  ids: string[],
  scope?: AccessScope | undefined,
): Promise<VulnWhereRow[]>;
/** One page of them, in the list's order, after `page.after`. */
export async function queryVulnWhere(
  store: Pick<Store, 'db'>,
  ids: string[],
  scope: AccessScope | undefined,
  page: VulnWherePageQuery,
): Promise<VulnWherePageRows>;
export async function queryVulnWhere(
  { db }: Pick<Store, 'db'>,
  ids: string[],
  scope?: AccessScope | undefined,
  page?: VulnWherePageQuery,
): Promise<VulnWhereRow[] | VulnWherePageRows> {
  if (page) {
    const limit = page.limit;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
      throw new Error(`queryVulnWhere: limit must be a positive integer, got ${limit}`);
    if (page.after !== undefined && !isVulnWhereKey(page.after))
      throw new Error('queryVulnWhere: "after" is not a vuln where key');
    if (!ids.length) return { rows: [], next: null };
    // The page's rows first (limit + 1, by a top-N sort of the carriers), then only their packages.
    const r = await sql<Record<string, unknown>>`
      with ${hitSql(ids)},
      page as (
        select c.id, c.cluster, c.namespace, c.workload_kind, c.workload_name as stored_name,
          c.pod, c.container_name, c.image, c.image_digest, c.match_method, c.confidence,
          h.severity, h.kev, h.fixable, h.scan_id
        from ${carriersSql(scope)}
        where ${page.after ? afterSql(page.after) : sql`true`}
        order by ${ORDER}
        ${limit === undefined ? sql`` : sql`limit ${limit + 1}`}
      ),
      ${packagesSql(ids, sql`(select distinct image_digest, scan_id from page)`)}
      select c.*, coalesce(c.stored_name, c.pod, c.container_name) as workload_name, pk.packages
      from page c left join pk on pk.image_digest = c.image_digest
      order by c.cluster, c.namespace, c.workload_kind, c.stored_name, c.id`.execute(db);
    const more = limit !== undefined && r.rows.length > limit;
    const rows = more ? r.rows.slice(0, limit) : r.rows;
    const last = rows.at(-1);
    return {
      rows: rows.map(toRow),
      next:
        more && last
          ? [
              last.cluster as string | null,
              last.namespace as string | null,
              last.workload_kind as string | null,
              last.stored_name as string | null,
              String(last.id),
            ]
          : null,
    };
  }
  if (!ids.length) return [];
  const r = await sql<Record<string, unknown>>`
    with ${hitSql(ids)},
    ${packagesSql(ids, sql`hit`)}
    select c.id, c.cluster, c.namespace, c.workload_kind, coalesce(c.workload_name, c.pod, c.container_name) as workload_name,
      c.pod, c.container_name, c.image, c.image_digest, c.match_method, c.confidence,
      h.severity, h.kev, h.fixable, pk.packages
    from ${carriersSql(scope)}
    left join pk on pk.image_digest = h.image_digest
    order by ${ORDER}`.execute(db);
  return r.rows.map(toRow);
}

/**
 * The workloads (with their running carriers) and images of the whole list inside `scope`, each in
 * the order it first appears in the list — what `vuln where` shows beside its containers, aggregated
 * in SQL (the carriers never leave the database).
 */
export async function queryVulnWhereSummary(
  { db }: Pick<Store, 'db'>,
  ids: string[],
  scope?: AccessScope | undefined,
): Promise<VulnWhereSummary> {
  if (!ids.length) return { workloads: [], images: [] };
  // A workload is (cluster, namespace, kind, name shown). Each workload and image follows its first
  // row in the list, the least of its rows' keys: a text array compares element by element, NULL
  // after any value, as the list's ORDER BY does. Hash aggregates: no sort of the carriers.
  const r = await sql<{ workloads: VulnWhereSummary['workloads']; images: string[] }>`
    with ${hitSql(ids)},
    car as (
      select c.image_digest, c.cluster, c.namespace, c.workload_kind,
        coalesce(c.workload_name, c.pod, c.container_name) as name,
        array[c.cluster, c.namespace, c.workload_kind, c.workload_name, c.id] as k
      from ${carriersSql(scope)}
    ),
    w as (select cluster, namespace, workload_kind, name, count(*) as n, min(k) as k from car group by 1, 2, 3, 4),
    i as (select image_digest, min(k) as k from car group by 1)
    select
      (select coalesce(jsonb_agg(jsonb_build_object('cluster', cluster, 'namespace', namespace,
          'kind', workload_kind, 'name', name, 'containers', n) order by k), '[]'::jsonb) from w) as workloads,
      (select coalesce(jsonb_agg(image_digest order by k), '[]'::jsonb) from i) as images`.execute(db);
  const row = r.rows[0]!;
  return {
    // jsonb_build_object keeps no key order: put them in the document's.
    workloads: row.workloads.map((w) => ({
      cluster: w.cluster,
      namespace: w.namespace,
      kind: w.kind,
      name: w.name,
      containers: Number(w.containers),
    })),
    images: row.images,
  };
}

function toRow(row: Record<string, unknown>): VulnWhereRow {
  return {
    containerId: String(row.id),
    cluster: row.cluster as string | null,
    namespace: row.namespace as string | null,
    workloadKind: row.workload_kind as string | null,
    workloadName: row.workload_name as string | null,
    pod: row.pod as string | null,
    container: String(row.container_name),
    image: String(row.image),
    imageDigest: String(row.image_digest),
    matchMethod: String(row.match_method),
    confidence: String(row.confidence),
    severity: String(row.severity),
    kev: Boolean(row.kev),
    fixable: Boolean(row.fixable),
    packages: (row.packages as VulnWhereRow['packages'] | null) ?? [],
  };
}
