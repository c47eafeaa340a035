// Scope roll-ups moved by the difference of a change instead of recomputed over the scope: after a
// sync recomputed the running-container groups of the workloads it touched (posture_groups), each
// touched scope with a stored roll-up gets the stored figures plus what the new groups add minus
// what the replaced groups took away. Exact because the stored roll-ups are, at all times, the
// roll-ups of the stored groups, and no image roll-up changed in this pass (the caller checks).
//   containers, unresolved, oldest last-seen, sources: an aggregate of the scope's groups (SQL);
//   unscanned, instances: stored ± the changed groups' containers × their image's cells;
//   digests, images: stored, with each changed digest kept when a group of the scope still runs it;
//   findings: stored ± the finding cells of digests entering or leaving;
//   distinct vulnerabilities, oldest scan: stored while no scanned digest entered or left.
// A scope where a scanned digest entered or left (its distinct figures need a union), or whose
// oldest scan may have left, is returned for a full computation instead.
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
}

type GroupKind = keyof PostureGroupRow['keys'];

function keyOf(g: PostureGroupRow, kind: ScopeKind): string {
  return kind === 'fleet' ? 'fleet' : g.keys[kind as GroupKind];
}

export async function scopeDelta(
  store: Store,
  kinds: readonly ScopeKind[],
  keys: Map<ScopeKind, Set<string>>,
  stored: Map<ScopeKind, Map<string, RollupCells>>,
  groups: { before: PostureGroupRow[]; after: PostureGroupRow[] },
): Promise<ScopeDelta> {
  const out: ScopeDelta = { rows: new Map(), gone: new Map(), full: new Map() };
  const changed = [
    ...new Set([...groups.before, ...groups.after].map((g) => g.digest).filter((d) => d !== null)),
  ];
  const [images, running] = await Promise.all([
    loadImageRollups(store, changed),
    scopesRunningDigests(store, changed),
  ]);
  for (const kind of kinds) {
    const wanted = [...(keys.get(kind) ?? [])];
    const rows: RollupCells[] = [];
    const gone: string[] = [];
    const full = new Set<string>();
    const withRow = wanted.filter((k) => stored.get(kind)?.has(k));
    for (const k of wanted) if (!stored.get(kind)?.has(k)) full.add(k);
    const agg = withRow.length ? await aggregatePostureGroups(store, kind, withRow) : new Map();
    const still = new Set(running.map((g) => `${keyOf(g, kind)}\0${g.digest}`));
    for (const key of withRow) {
      const prev = stored.get(kind)!.get(key)!;
      const a = agg.get(key);
      if (!a) {
        gone.push(key);
        continue;
      }
      const next = applyGroups(prev, key, kind, groups, images, still);
      if (!next) {
        full.add(key);
        continue;
      }
      rows.push({ ...next, ...a });
    }
    out.rows.set(kind, rows);
    out.gone.set(kind, gone);
    out.full.set(kind, full);
  }
  return out;
}

/** The stored roll-up moved by the changed groups; undefined when the difference cannot say. */
function applyGroups(
  prev: RollupCells,
  key: string,
  kind: ScopeKind,
  groups: { before: PostureGroupRow[]; after: PostureGroupRow[] },
  images: Map<string, ImageRollup>,
  still: Set<string>,
): RollupCells | undefined {
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
  const digests = new Set(prev.digests);
  const findingCells = [...prev.findingCells];
  for (const d of touchedDigests) {
    const runs = still.has(`${key}\0${d}`);
    const had = digests.has(d);
    if (runs === had) continue;
    const img = images.get(d);
    // A scanned image entering or leaving moves the distinct figures (a union) and maybe the
    // oldest scan: computed in full.
    if (img) return undefined;
    if (runs) digests.add(d);
    else digests.delete(d);
  }
  return {
    ...prev,
    unscanned,
    images: digests.size,
    digests: [...digests].sort(),
    instanceCells: instances,
    findingCells,
  };
}
