// Posture roll-ups by scope. Per-image figures come first (image_posture cells); they are joined to
// the (scope, image, container count) groups of running containers — never a per-finding join of
// every container. Three figures per scope, each labelled (docs/cli.md#counts-vulnerabilities-and-findings):
//   distinct  = distinct vulnerabilities across the scope's images (highest severity wins); views
//               call it `vulnerabilities` (and, as before, `distinctVulnerabilities`)
//   instances = Σ over containers of the image's vulnerabilities (container × vulnerability)
//   findings  = Σ over the scope's distinct images of their findings (vulnerability × package)
// All are computed as cells (cells.ts), so any finding filter is a sum of cells and one stored
// roll-up per scope (scope_posture, maintained after writes) serves every filter.
// `computeRollups` computes from containers and image roll-ups; `readRollups` serves a view from
// the stored roll-up when one answers its filter.
import { cellsWeight, compareKeys } from '../core/posture-weight.js';
import { CELL_COUNT } from '../core/severity.js';
import type { ScopeKind } from '../core/types.js';
import type { PostureFilter, RollupAfter, RollupCells, RollupOrder, Store } from '../store/index.js';
import {
  groupRunningContainers,
  loadImageRollups,
  loadVulnLists,
  readPostureGroups,
  readRollupPage,
  readScopePosture,
  scopeRestricts,
} from '../store/index.js';
import { type Figures, type FindingFilter, figuresFromCells, passes, zeroCells } from './cells.js';
import { VulnUnion } from './vuln-union.js';

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
> & { instances: Figures; distinct: Figures; findings: Figures };

export interface ComputeOptions {
  /** Only these scopes of each kind (a kind absent from the map: none of it). */
  only?: Map<ScopeKind, Set<string>> | undefined;
  /**
   * Stored roll-ups by kind and key: a scope running the same digests as its stored row, none of
   * whose image roll-ups is newer, keeps its stored distinct figures instead of a new union.
   */
  stored?: Map<ScopeKind, Map<string, RollupCells>> | undefined;
  /**
   * Group the running containers from the maintained posture_groups (only the groups of the
   * `only` scopes) instead of the containers table — the sync's path, and a scoped view's;
   * `containers` may then filter by cluster, namespace and access scope only.
   */
  maintained?: boolean | undefined;
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

/** Roll-ups of one scope kind (`containers.scopeKeys` limits it to those scopes). */
export async function computeRollup(
  store: Store,
  kind: ScopeKind,
  containers: PostureFilter = {},
): Promise<RollupCells[]> {
  return (await computeRollups(store, [kind], containers)).get(kind) ?? [];
}

/**
 * Roll-ups of several scope kinds in one pass: running containers are grouped once (the store's
 * grouping); the per-image roll-ups are read once; then each scope's figures are summed here.
 * Instances are Σ containers × the image's cells. Distinct vulnerabilities of a scope running one
 * image are that image's cells; of a scope running several, the union of the images' vulnerability
 * lists (highest severity, KEV or fixable in any image).
 */
export async function computeRollups(
  store: Store,
  kinds: readonly ScopeKind[],
  containers: PostureFilter = {},
  opts: ComputeOptions = {},
): Promise<Map<ScopeKind, RollupCells[]>> {
  const groups = opts.maintained
    ? await readPostureGroups(store, kinds, opts.only, containers)
    : await groupRunningContainers(store, kinds, containers);
  const digests = [...new Set(groups.map((g) => g.digest).filter((d) => d !== null))];
  const images = await loadImageRollups(store, digests);

  const accs = new Map<ScopeKind, Map<string, ScopeAcc>>();
  for (const [i, kind] of kinds.entries()) {
    const only = opts.only ? (opts.only.get(kind) ?? new Set<string>()) : undefined;
    const scopes = new Map<string, ScopeAcc>();
    for (const g of groups) {
      const key = g.keys[i]!;
      if (only && !only.has(key)) continue;
      let acc = scopes.get(key);
      if (!acc) {
        acc = {
          labels: g.labels[i]!,
          containers: 0,
          unresolved: 0,
          unscanned: 0,
          digests: new Set(),
          sources: new Set(),
          oldestScan: null,
          lastSeen: null,
          instances: zeroCells(),
        };
        scopes.set(key, acc);
      }
      const n = g.containers;
      acc.containers += n;
      acc.sources.add(g.sourceId);
      if (g.lastSeen && (!acc.lastSeen || g.lastSeen < acc.lastSeen)) acc.lastSeen = g.lastSeen;
      if (g.digest === null) {
        acc.unresolved += n;
        continue;
      }
      acc.digests.add(g.digest);
      const img = images.get(g.digest);
      if (!img) {
        acc.unscanned += n;
        continue;
      }
      if (img.scannedAt && (!acc.oldestScan || img.scannedAt < acc.oldestScan))
        acc.oldestScan = img.scannedAt;
      for (let c = 0; c < img.cells.length; c++) acc.instances[c]! += n * img.cells[c]!;
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
        distinct.set(acc, { cells: scanned.length ? [...images.get(scanned[0]!)!.cells] : zeroCells() });
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
  const lists = await loadVulnLists(store, [...needLists]);
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
        findingCells: findingCellsOf(acc.digests, images),
      });
    }
    out.set(
      kind,
      rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    );
  }
  return out;
}

/** Findings of a scope: Σ over its distinct scanned images of their finding cells (not × containers). */
function findingCellsOf(digests: Set<string>, images: Map<string, { findingCells: number[] }>): number[] {
  const out = zeroCells();
  for (const d of digests) {
    const img = images.get(d);
    if (!img) continue;
    for (let c = 0; c < img.findingCells.length; c++) out[c]! += img.findingCells[c]!;
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
    findings: figuresFromCells(r.findingCells, findings),
    oldestScan: r.oldestScan,
    sourceIds: r.sourceIds,
    lastSeen: r.lastSeen,
  };
}

/**
 * The maintained roll-up that answers a view, when one does: kinds other than `container`,
 * filtered at most by cluster and namespace where the scope key implies them. A fleet view filtered
 * by cluster (and namespace) is that cluster's (namespace's) row.
 */
function summaryTarget(
  kind: ScopeKind,
  f: PostureFilter,
): { kind: ScopeKind; cluster?: string | undefined; namespace?: string | undefined } | undefined {
  // A restricting access scope is computed over the containers inside it (a stored roll-up
  // covers its whole scope, and a union of several is not a sum); an empty scope restricts nothing.
  const other = Object.entries(f).some(
    ([k, v]) =>
      v !== undefined && k !== 'cluster' && k !== 'namespace' && (k !== 'scope' || scopeRestricts(f.scope)),
  );
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

/**
 * Whether a roll-up no stored row answers can be computed from the maintained groups
 * (posture_groups) rather than the containers table: a kind they keep, filtered at most by
 * cluster, namespace and access scope (what a scoped caller's posture asks).
 */
function fromGroups(kind: ScopeKind, f: PostureFilter): boolean {
  return (
    kind !== 'container' &&
    Object.entries(f).every(
      ([k, v]) => v === undefined || k === 'cluster' || k === 'namespace' || k === 'scope',
    )
  );
}

/** A page of roll-ups: the order, where it starts (after a row's order value and key), how many. */
export interface RollupPage {
  sort?: RollupOrder | undefined;
  after?: RollupAfter | undefined;
  limit?: number | undefined;
}

/**
 * Roll-ups for a view — a read: the maintained roll-up when it answers the filter, else computed
 * from the maintained groups (a scoped caller's view: its scope alone, distinct as a union over
 * its images) or the containers, with the maintained per-image roll-ups. Without `page`, every row
 * in key order; with it, the rows in the page's order (each with its order value), after `after`,
 * at most `limit` — sorted, filtered and limited in SQL when stored rows answer (storedPage).
 */
export async function readRollups(
  store: Store,
  kind: ScopeKind,
  containers?: PostureFilter,
  findings?: FindingFilter,
): Promise<RollupRow[]>;
export async function readRollups(
  store: Store,
  kind: ScopeKind,
  containers: PostureFilter,
  findings: FindingFilter,
  page: RollupPage,
): Promise<(RollupRow & { orderValue: number })[]>;
export async function readRollups(
  store: Store,
  kind: ScopeKind,
  containers: PostureFilter = {},
  findings: FindingFilter = {},
  page?: RollupPage,
): Promise<RollupRow[]> {
  if (page) {
    const sort = page.sort ?? 'instances';
    const stored = storedPage(kind, containers);
    if (stored) {
      const counted = countedCells(findings);
      const rows = await readRollupPage(store, kind, {
        ...stored,
        order: sort,
        counted: counted.length === CELL_COUNT ? undefined : counted,
        after: page.after,
        limit: page.limit,
      });
      return rows.map((r) => ({ ...toRollupRow(r, findings), orderValue: r.orderValue }));
    }
    return pageOf(await rollupCells(store, kind, containers), findings, sort, page).map((r) => ({
      ...toRollupRow(r, findings),
      orderValue: r.orderValue,
    }));
  }
  return (await rollupCells(store, kind, containers)).map((r) => toRollupRow(r, findings));
}

/** Every roll-up of a kind for a filter, in key order: stored when a row answers, else computed. */
async function rollupCells(store: Store, kind: ScopeKind, containers: PostureFilter): Promise<RollupCells[]> {
  const target = summaryTarget(kind, containers);
  return target
    ? (await readScopePosture(store, target.kind, { ...target, digests: false })).map((r) =>
        kind === 'fleet' ? { ...r, key: 'fleet', labels: {} } : r,
      )
    : fromGroups(kind, containers)
      ? ((await computeRollups(store, [kind], containers, { maintained: true })).get(kind) ?? [])
      : await computeRollup(store, kind, containers);
}

/** The cells a finding filter counts. */
function countedCells(f: FindingFilter): number[] {
  return Array.from({ length: CELL_COUNT }, (_, c) => c).filter((c) => passes(c, f));
}

/**
 * The stored rows of a kind that answer a page, as a store filter: what summaryTarget answers
 * (a kind of its own, not the fleet), and also an access scope restricting clusters and
 * namespaces only, for kinds whose every row lies inside one cluster and namespace (workload,
 * namespace) or one cluster (cluster, when the scope names no namespace): such a row is wholly
 * inside the scope or wholly outside it, so its stored figures are the scope's.
 */
function storedPage(
  kind: ScopeKind,
  f: PostureFilter,
):
  | {
      cluster?: string | undefined;
      namespace?: string | undefined;
      clusters?: string[] | undefined;
      namespaces?: string[] | undefined;
    }
  | undefined {
  if (kind === 'fleet') return undefined;
  const { scope, ...rest } = f;
  if (!scopeRestricts(scope)) {
    const target = summaryTarget(kind, rest);
    return target && target.kind === kind
      ? { cluster: target.cluster, namespace: target.namespace }
      : undefined;
  }
  if (scope!.environments?.length || scope!.owners?.length) return undefined;
  const fits =
    kind === 'workload' || kind === 'namespace' || (kind === 'cluster' && !scope!.namespaces?.length);
  const target = fits ? summaryTarget(kind, rest) : undefined;
  if (!target || target.kind !== kind) return undefined;
  return {
    cluster: target.cluster,
    namespace: target.namespace,
    clusters: scope!.clusters,
    namespaces: scope!.namespaces,
  };
}

/** A page of computed rows, in the order the store's SQL gives stored ones (core/posture-weight.ts). */
function pageOf(
  rows: RollupCells[],
  f: FindingFilter,
  sort: RollupOrder,
  page: RollupPage,
): (RollupCells & { orderValue: number })[] {
  const counted = (c: number) => passes(c, f);
  const valued = rows.map((r) => ({
    ...r,
    orderValue:
      sort === 'instances'
        ? cellsWeight(r.instanceCells, counted)
        : sort === 'distinct'
          ? cellsWeight(r.distinctCells, counted)
          : sort === 'containers'
            ? r.containers
            : 0,
  }));
  const cmp = (a: { orderValue: number; key: string }, b: { orderValue: number; key: string }) =>
    b.orderValue - a.orderValue || compareKeys(a.key, b.key);
  valued.sort(cmp);
  const after = page.after;
  const from = after ? valued.filter((r) => cmp(r, { orderValue: after.value, key: after.key }) > 0) : valued;
  return page.limit === undefined ? from : from.slice(0, page.limit);
}
