// Scope roll-ups moved by the difference of a change instead of recomputed over the scope: after a
// sync recomputed the running-container groups of the workloads it touched (posture_groups), each
// touched scope with a stored roll-up gets the stored figures plus what the new groups add minus
// what the replaced groups took away. Exact because the stored roll-ups are, at all times, the
// roll-ups of the stored groups, and no image roll-up changed in this pass (the caller checks).
//   containers, unresolved, oldest last-seen, sources: stored ± the changed groups (below);
//   unscanned, instances: stored ± the changed groups' containers × their image's cells;
//   digests, images: stored, with each changed digest kept when a group of the scope still runs it;
//   findings: stored ± the finding cells of digests entering or leaving;
//   distinct vulnerabilities, oldest scan: stored while no scanned digest entered or left.
// A scope where a scanned digest entered or left (its distinct figures need a union), or whose
// oldest scan may have left, is returned for a full computation instead. A scope whose oldest
// last-seen or one of whose sources may have left is aggregated over its groups (SQL). The stored
// digest lists are read restricted to the changed digests and moved in SQL (docs/adr/0022).
import type { ScopeKind } from '../core/types.js';
import type { ImageRollup, PostureGroupRow, RollupCells, Store } from '../store/index.js';
import { aggregatePostureGroups, loadImageRollups, scopesRunningDigests } from '../store/index.js';

export interface ScopeDelta {
  /** Recomputed roll-ups by kind. */
  rows: Map<ScopeKind, RollupCells[]>;
  /** Keys of scopes that no longer run anything, by kind. */
  gone: Map<ScopeKind, string[]>;
  /** Keys the difference cannot answer (computed in full by the caller), by kind. */
  full: Map<ScopeKind, Set<string>>;
  /** Digests each moved row's stored list gains and loses, by kind and key. */
  digestMoves: Map<ScopeKind, Map<string, { add: string[]; remove: string[] }>>;
}

type GroupKind = keyof PostureGroupRow['keys'];

function keyOf(g: PostureGroupRow, kind: ScopeKind): string {
  return kind === 'fleet' ? 'fleet' : g.keys[kind as GroupKind];
}

/** The digests a change of these groups can move in a scope's list. */
export function changedDigests(groups: { before: PostureGroupRow[]; after: PostureGroupRow[] }): string[] {
  return [...new Set([...groups.before, ...groups.after].map((g) => g.digest).filter((d) => d !== null))];
}

/**
 * `stored` rows may carry only the changed digests of their lists (readScopePosture's
 * digestsAmong): the rows returned then carry the same partial lists, and `digestMoves` says how
 * the stored lists move.
 */
export async function scopeDelta(
  store: Store,
  kinds: readonly ScopeKind[],
  keys: Map<ScopeKind, Set<string>>,
  stored: Map<ScopeKind, Map<string, RollupCells>>,
  groups: { before: PostureGroupRow[]; after: PostureGroupRow[] },
): Promise<ScopeDelta> {
  const out: ScopeDelta = { rows: new Map(), gone: new Map(), full: new Map(), digestMoves: new Map() };
  const changed = changedDigests(groups);
  const [images, running] = await Promise.all([
    loadImageRollups(store, changed),
    scopesRunningDigests(store, changed),
  ]);
  for (const kind of kinds) {
    const wanted = [...(keys.get(kind) ?? [])];
    const rows: RollupCells[] = [];
    const gone: string[] = [];
    const full = new Set<string>();
    const moves = new Map<string, { add: string[]; remove: string[] }>();
    const withRow = wanted.filter((k) => stored.get(kind)?.has(k));
    for (const k of wanted) if (!stored.get(kind)?.has(k)) full.add(k);
    // Containers, unresolved, oldest last-seen and sources move by the difference too; a scope
    // whose oldest last-seen or one of whose sources may have left is aggregated over its groups.
    const moved = new Map<string, Counts | undefined>();
    for (const key of withRow)
      moved.set(key, countsByDifference(stored.get(kind)!.get(key)!, key, kind, groups));
    const unknown = [...moved].filter(([, c]) => !c).map(([k]) => k);
    const agg = unknown.length ? await aggregatePostureGroups(store, kind, unknown) : new Map();
    const still = new Set(running.map((g) => `${keyOf(g, kind)}\0${g.digest}`));
    for (const key of withRow) {
      const prev = stored.get(kind)!.get(key)!;
      const a = moved.get(key) ?? agg.get(key);
      if (!a || a.containers === 0) {
        gone.push(key);
        continue;
      }
      const next = applyGroups(prev, key, kind, groups, images, still);
      if (!next) {
        full.add(key);
        continue;
      }
      rows.push({ ...next.row, ...a });
      if (next.add.length || next.remove.length) moves.set(key, { add: next.add, remove: next.remove });
    }
    out.rows.set(kind, rows);
    out.gone.set(kind, gone);
    out.full.set(kind, full);
    out.digestMoves.set(kind, moves);
  }
  return out;
}

interface Counts {
  containers: number;
  unresolved: number;
  lastSeen: Date | null;
  sourceIds: number[];
}

/**
 * A scope's containers, unresolved, oldest last-seen and sources moved by the replaced and the
 * written groups; undefined when the difference cannot say (a group holding the oldest last-seen,
 * or the last group of a source in the changed set, left): then the caller aggregates.
 */
function countsByDifference(
  prev: RollupCells,
  key: string,
  kind: ScopeKind,
  groups: { before: PostureGroupRow[]; after: PostureGroupRow[] },
): Counts | undefined {
  let containers = prev.containers;
  let unresolved = prev.unresolved;
  // Net count of groups per last-seen (ms; null apart) and per source, replaced −1, written +1.
  const seen = new Map<number | null, number>();
  const sources = new Map<number, number>();
  const afterSources = new Set<number>();
  for (const [list, sign] of [
    [groups.before, -1],
    [groups.after, 1],
  ] as const) {
    for (const g of list) {
      if (keyOf(g, kind) !== key) continue;
      containers += sign * g.containers;
      if (g.digest === null) unresolved += sign * g.containers;
      const t = g.lastSeen?.getTime() ?? null;
      seen.set(t, (seen.get(t) ?? 0) + sign);
      sources.set(g.sourceId, (sources.get(g.sourceId) ?? 0) + sign);
      if (sign > 0) afterSources.add(g.sourceId);
    }
  }
  let lastSeen = prev.lastSeen;
  for (const [t, n] of seen) {
    if (t === null || n === 0) continue;
    // A group at (or below) the stored oldest left: another group may or may not hold it.
    if (n < 0 && (lastSeen === null || t <= lastSeen.getTime())) return undefined;
    if (n > 0 && (lastSeen === null || t < lastSeen.getTime())) lastSeen = new Date(t);
  }
  const ids = new Set(prev.sourceIds);
  for (const [id, n] of sources) {
    if (n < 0 && !afterSources.has(id)) return undefined;
    ids.add(id);
  }
  return { containers, unresolved, lastSeen, sourceIds: [...ids].sort((a, b) => a - b) };
}

/**
 * The stored roll-up moved by the changed groups, and the digests its list gains and loses;
 * undefined when the difference cannot say.
 */
function applyGroups(
  prev: RollupCells,
  key: string,
  kind: ScopeKind,
  groups: { before: PostureGroupRow[]; after: PostureGroupRow[] },
  images: Map<string, ImageRollup>,
  still: Set<string>,
): { row: RollupCells; add: string[]; remove: string[] } | undefined {
  let unscanned = prev.unscanned;
  const instances = [...prev.instanceCells];
  const touchedDigests = new Set<string>();
  for (const [list, sign] of [
    [groups.before, -1],
    [groups.after, 1],
  ] as const) {
    for (const g of list) {
      if (keyOf(g, kind) !== key || g.digest === null) continue;
      touchedDigests.add(g.digest);
      const img = images.get(g.digest);
      if (!img) {
        unscanned += sign * g.containers;
        continue;
      }
      for (let c = 0; c < img.cells.length; c++) instances[c]! += sign * g.containers * img.cells[c]!;
    }
  }
  // prev.digests holds at least every changed digest the scope runs (maybe only those).
  const digests = new Set(prev.digests);
  const add: string[] = [];
  const remove: string[] = [];
  const findingCells = [...prev.findingCells];
  for (const d of touchedDigests) {
    const runs = still.has(`${key}\0${d}`);
    const had = digests.has(d);
    if (runs === had) continue;
    const img = images.get(d);
    // A scanned image entering or leaving moves the distinct figures (a union) and maybe the
    // oldest scan: computed in full.
    if (img) return undefined;
    if (runs) {
      digests.add(d);
      add.push(d);
    } else {
      digests.delete(d);
      remove.push(d);
    }
  }
  return {
    row: {
      ...prev,
      unscanned,
      images: prev.images + add.length - remove.length,
      digests: [...digests].sort(),
      instanceCells: instances,
      findingCells,
    },
    add,
    remove,
  };
}
