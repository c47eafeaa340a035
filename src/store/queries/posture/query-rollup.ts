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
import type { Store } from '../../open-store.js';
import type { Database } from '../../schema.js';
import { withWorkMem } from '../../work-mem.js';
import { CELL_COUNT, type Figures, type FindingFilter, figuresFromCells, toCells } from './cells.js';
import { loadVulnLists, VulnUnion } from './vuln-lists.js';

export type ScopeKind =
  | 'fleet'
  | 'cluster'
  | 'namespace'
  | 'workload'
  | 'environment'
  | 'owner'
  | 'image'
  | 'container';

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

/** A roll-up as views show it: the cells of RollupCells with a finding filter applied. */
export type RollupRow = Pick<
  RollupCells,
  | 'key'
  | 'labels'
  | 'containers'
  | 'unresolved'
  | 'unscanned'
  | 'images'
  | 'oldestScan'
  | 'sourceIds'
  | 'lastSeen'
> & { instances: Figures; distinct: Figures };

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
  /** Stored roll-ups only: when it was computed, and when its last snapshot was written. */
  computedAt?: Date | undefined;
  snapshotAt?: Date | null | undefined;
}

export interface ComputeOptions {
  /** Only these scopes of each kind (a kind absent from the map: none of it). */
  only?: Map<ScopeKind, Set<string>> | undefined;
  /**
   * Stored roll-ups by kind and key: a scope running the same digests as its stored row, none of
   * whose image roll-ups is newer, keeps its stored distinct figures instead of a new union.
   */
  stored?: Map<ScopeKind, Map<string, RollupCells>> | undefined;
}

/**
 * Computes roll-ups of one scope kind from the containers table and the per-image roll-ups.
 * `containers.scopeKeys` limits it to those scopes.
 */
export async function computeRollup(
  { db }: Pick<Store, 'db'>,
  kind: ScopeKind,
  containers: PostureFilter = {},
): Promise<RollupCells[]> {
  return (await computeRollups({ db }, [kind], containers)).get(kind) ?? [];
}

/**
 * Computes roll-ups of several scope kinds in one pass: running containers are grouped once in SQL
 * by every column the kinds' keys and labels need (one row per group, not per container); the
 * per-image roll-ups (image_posture: cells, and the encoded vulnerability list) are read once; then
 * each scope's figures are summed here. Instances are Σ containers × the image's cells. Distinct
 * vulnerabilities of a scope running one image are that image's cells; of a scope running several,
 * the union of the images' vulnerability lists (highest severity, KEV or fixable in any image).
 * `containers.scopeKeys` applies to a single kind.
 */
export async function computeRollups(
  { db }: Pick<Store, 'db'>,
  kinds: readonly ScopeKind[],
  containers: PostureFilter = {},
  opts: ComputeOptions = {},
): Promise<Map<ScopeKind, RollupCells[]>> {
  const cols = [...new Set(kinds.flatMap((k) => LABELS[k]))];
  const keyFilter =
    containers.scopeKeys && kinds.length === 1
      ? sql`and ${sql.raw(scopeKeySql(kinds[0]!))} = any(${containers.scopeKeys}::text[])`
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
  const groups = await withWorkMem(db, (tx) =>
    sql<Record<string, unknown>>`
    select ${sql.join([
      ...kinds.map((k, i) => sql.raw(`${scopeKeySql(k)} as k${i}`)),
      ...cols.map((col) => sql.raw(`${labelColumnSql(col)} as l_${col}`)),
      sql.raw('c.image_digest as digest, c.source_id, c.n, c.last_seen'),
    ])}
    from (
      select ${sql.raw(inner)}, count(*) as n, min(c.last_seen) as last_seen
      from containers c where ${containerWhere(containers)} ${keyFilter}
      group by ${sql.raw(Array.from({ length: groupCount }, (_, i) => String(i + 1)).join(', '))}
    ) c`.execute(tx),
  );
  const digests = [...new Set(groups.rows.map((g) => g.digest as string | null).filter((d) => d !== null))];
  const images = await loadImageRollups(db, digests);

  const accs = new Map<ScopeKind, Map<string, ScopeAcc>>();
  for (const [i, kind] of kinds.entries()) {
    const only = opts.only ? (opts.only.get(kind) ?? new Set<string>()) : undefined;
    const scopes = new Map<string, ScopeAcc>();
    for (const g of groups.rows) {
      const key = String(g[`k${i}`]);
      if (only && !only.has(key)) continue;
      let acc = scopes.get(key);
      if (!acc) {
        const labels: Record<string, string | null> = {};
        for (const col of LABELS[kind]) labels[col] = (g[`l_${col}`] as string | null) ?? null;
        acc = {
          labels,
          containers: 0,
          unresolved: 0,
          unscanned: 0,
          digests: new Set(),
          sources: new Set(),
          oldestScan: null,
          lastSeen: null,
          instances: new Array(CELL_COUNT).fill(0),
        };
        scopes.set(key, acc);
      }
      const n = Number(g.n);
      const digest = g.digest as string | null;
      acc.containers += n;
      acc.sources.add(Number(g.source_id));
      const seen = g.last_seen as Date | null;
      if (seen && (!acc.lastSeen || seen < acc.lastSeen)) acc.lastSeen = seen;
      if (digest === null) {
        acc.unresolved += n;
        continue;
      }
      acc.digests.add(digest);
      const img = images.get(digest);
      if (!img) {
        acc.unscanned += n;
        continue;
      }
      if (img.scannedAt && (!acc.oldestScan || img.scannedAt < acc.oldestScan))
        acc.oldestScan = img.scannedAt;
      for (let c = 0; c < CELL_COUNT; c++) acc.instances[c]! += n * img.cells[c]!;
    }
    accs.set(kind, scopes);
  }

  // Distinct figures: one image's cells, a stored figure still valid, or a union of lists —
  // whose lists are loaded once, for the digests that need them.
  const distinct = new Map<ScopeAcc, { cells: number[] } | { union: string[] }>();
  const needLists = new Set<string>();
  for (const [kind, scopes] of accs) {
    for (const [key, acc] of scopes) {
      const scanned = [...acc.digests].filter((d) => images.has(d)).sort();
      if (scanned.length <= 1) {
        distinct.set(acc, {
          cells: scanned.length ? [...images.get(scanned[0]!)!.cells] : new Array(CELL_COUNT).fill(0),
        });
        continue;
      }
      const prev = opts.stored?.get(kind)?.get(key);
      const digestList = [...acc.digests].sort();
      if (
        prev?.computedAt &&
        prev.digests.join() === digestList.join() &&
        scanned.every((d) => images.get(d)!.computedAt <= prev.computedAt!)
      ) {
        distinct.set(acc, { cells: [...prev.distinctCells] });
        continue;
      }
      distinct.set(acc, { union: scanned });
      for (const d of scanned) needLists.add(d);
    }
  }
  const lists = await loadVulnLists({ db }, [...needLists]);
  const union = new VulnUnion();
  const out = new Map<ScopeKind, RollupCells[]>();
  for (const [kind, scopes] of accs) {
    const rows: RollupCells[] = [];
    for (const [key, acc] of scopes) {
      const d = distinct.get(acc)!;
      rows.push({
        key,
        labels: acc.labels,
        containers: acc.containers,
        unresolved: acc.unresolved,
        unscanned: acc.unscanned,
        images: acc.digests.size,
        digests: [...acc.digests].sort(),
        oldestScan: acc.oldestScan,
        lastSeen: acc.lastSeen,
        sourceIds: [...acc.sources].sort((a, b) => a - b),
        instanceCells: acc.instances,
        distinctCells: 'cells' in d ? d.cells : union.cells(d.union.map((x) => lists.get(x)!)),
      });
    }
    out.set(
      kind,
      rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    );
  }
  return out;
}

interface ScopeAcc {
  labels: Record<string, string | null>;
  containers: number;
  unresolved: number;
  unscanned: number;
  digests: Set<string>;
  sources: Set<number>;
  oldestScan: Date | null;
  lastSeen: Date | null;
  instances: number[];
}

interface ImageRollup {
  scannedAt: Date | null;
  computedAt: Date;
  cells: number[];
}

/** The per-image roll-ups of these digests, in pages. */
async function loadImageRollups(db: Kysely<Database>, digests: string[]): Promise<Map<string, ImageRollup>> {
  const out = new Map<string, ImageRollup>();
  for (let i = 0; i < digests.length; i += 5000) {
    const rows = await db
      .selectFrom('image_posture')
      .select(['image_digest', 'scanned_at', 'computed_at', 'cells'])
      .where('image_digest', 'in', digests.slice(i, i + 5000))
      .execute();
    for (const r of rows) {
      out.set(r.image_digest, {
        scannedAt: r.scanned_at,
        computedAt: r.computed_at,
        cells: toCells(r.cells),
      });
    }
  }
  return out;
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
    if (namespace !== undefined)
      return cluster !== undefined ? { kind: 'namespace', cluster, namespace } : undefined;
    return cluster !== undefined ? { kind: 'cluster', cluster } : { kind: 'fleet' };
  }
  if (namespace !== undefined && kind !== 'namespace' && kind !== 'workload') return undefined;
  if (cluster !== undefined && kind !== 'cluster' && kind !== 'namespace' && kind !== 'workload')
    return undefined;
  return { kind, cluster, namespace };
}

/** Reads maintained roll-ups (scope_posture). */
export async function readScopePosture(
  { db }: Pick<Store, 'db'>,
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
    computedAt: row.computed_at,
    snapshotAt: row.snapshot_at,
  }));
}

/**
 * Roll-ups for a view: from the maintained summary when it answers the filter (callers bring it up
 * to date with the sync first), else computed.
 */
export async function queryRollup(
  { db }: Pick<Store, 'db'>,
  kind: ScopeKind,
  containers: PostureFilter = {},
  findings: FindingFilter = {},
): Promise<RollupRow[]> {
  const target = summaryTarget(kind, containers);
  const rows = target
    ? (await readScopePosture({ db }, target.kind, target)).map((r) =>
        kind === 'fleet' ? { ...r, key: 'fleet', labels: {} } : r,
      )
    : await computeRollup({ db }, kind, containers);
  return rows.map((r) => toRollupRow(r, findings));
}
