// Scope posture and its history. After a sync, the scopes (fleet, cluster, namespace, workload,
// environment, owner, image) touched by the change are recomputed into scope_posture — the roll-ups
// views read — and each scope whose figures or digests moved gets a posture_snapshots row. Unchanged
// scopes are re-snapshotted from scope_posture at least every `interval`, so trends exist and a
// redeploy's improvement can be proven from history.
import { SCOPE_KINDS, type ScopeKind } from '../core/types.js';
import type { PostureGroupRow, RollupCells, SnapshotRow, Store } from '../store/index.js';
import {
  deleteScopePosture,
  insertSnapshots,
  markScopesSnapshotted,
  moveScopeDigests,
  queryTouchedScopes,
  readScopePosture,
  rebuildPostureGroups,
  refreshPostureGroups,
  upsertScopePosture,
} from '../store/index.js';
import { figuresFromCells, zeroFigures } from './cells.js';
import { computeRollups } from './rollups.js';
import { changedDigests, scopeDelta } from './scope-delta.js';

type GroupKind = keyof PostureGroupRow['keys'];

/** Every kind but `container` keeps a maintained roll-up and history. */
export const SNAPSHOT_KINDS: readonly ScopeKind[] = SCOPE_KINDS.filter((k) => k !== 'container');

export interface SnapshotOptions {
  /** Recompute every scope (else only scopes touched since `since`). */
  all?: boolean | undefined;
  since?: Date | undefined;
  /** Digests whose roll-up or containers changed: their image scopes are touched. */
  digests?: string[] | undefined;
  /**
   * Digests whose image roll-up was recomputed in this pass: every scope running them is touched
   * (and no scope moves by a difference).
   */
  refreshed?: string[] | undefined;
  /** Containers this pass re-resolved: their scopes are touched (found by id, not by digest). */
  ids?: string[] | undefined;
  /** Re-snapshot unchanged scopes when their last snapshot is older than this (ms). Default 1 h. */
  intervalMs?: number | undefined;
  now?: Date | undefined;
}

export interface ScopeUpdate {
  /** Scopes whose roll-up was recomputed. */
  scopes: number;
  snapshots: number;
}

export async function updateScopePosture(store: Store, opts: SnapshotOptions = {}): Promise<ScopeUpdate> {
  const now = opts.now ?? new Date();
  const interval = opts.intervalMs ?? 3600e3;
  const touched =
    opts.all || !opts.since
      ? undefined
      : await queryTouchedScopes(store, SNAPSHOT_KINDS, opts.since, opts.refreshed ?? [], opts.ids ?? []);
  // An image scope whose digest no longer runs is found by its digest, not by a container.
  for (const d of opts.digests ?? []) touched?.get('image')?.add(d);
  // The maintained groups first: every group of a touched workload is recomputed from its
  // containers (a full pass: all of them); the roll-ups below read the groups, not the containers.
  // Every scope of a group replaced or written is touched too.
  const groups = touched ? await refreshPostureGroups(store, [...touched.get('workload')!]) : undefined;
  if (!touched) await rebuildPostureGroups(store);
  for (const g of [...(groups?.before ?? []), ...(groups?.after ?? [])]) {
    for (const kind of SNAPSHOT_KINDS)
      touched!.get(kind)!.add(kind === 'fleet' ? 'fleet' : g.keys[kind as GroupKind]);
  }
  let scopes = 0;
  const snaps: SnapshotRow[] = [];
  const writes: ((tx: Store) => Promise<void>)[] = [];
  const kinds = SNAPSHOT_KINDS.filter((k) => !touched || touched.get(k)?.size);
  // No image roll-up changed in this pass: stored scopes move by the difference of the groups
  // (scope-delta.ts); the rest — new scopes, a scanned image entering or leaving, or every scope
  // when image roll-ups changed — are computed from the groups of the scopes, in one pass.
  // A difference reads of each stored digest list only the digests the change moved (a fleet's
  // list is ~1.4 MB at 20k images); a workload's whole list, which its snapshot keeps.
  const byDifference = Boolean(touched && groups && !opts.refreshed?.length);
  const among = byDifference && groups ? changedDigests(groups) : undefined;
  const stored = new Map<ScopeKind, Map<string, RollupCells>>();
  const read = async (kind: ScopeKind, keys: string[] | undefined, partial: boolean) =>
    (await readScopePosture(store, kind, { keys, digestsAmong: partial ? among : undefined })).map(
      (r) => [r.key, r] as const,
    );
  for (const kind of kinds) {
    const keys = touched ? [...touched.get(kind)!] : undefined;
    stored.set(kind, new Map(await read(kind, keys, kind !== 'workload')));
  }
  const delta = byDifference ? await scopeDelta(store, kinds, touched!, stored, groups!) : undefined;
  // Scopes computed in full compare against (and may keep) their whole stored list.
  if (delta && among) {
    for (const kind of kinds) {
      const keys = [...(delta.full.get(kind) ?? [])].filter((k) => stored.get(kind)!.has(k));
      if (keys.length && kind !== 'workload')
        for (const [k, r] of await read(kind, keys, false)) stored.get(kind)!.set(k, r);
    }
  }
  const only = delta ? delta.full : touched;
  const computed =
    kinds.length && (!only || [...only.values()].some((keys) => keys.size))
      ? await computeRollups(store, kinds, {}, { only, stored, maintained: true })
      : new Map<ScopeKind, RollupCells[]>();
  for (const kind of kinds) {
    const fresh = [...(delta?.rows.get(kind) ?? []), ...(computed.get(kind) ?? [])];
    const current = stored.get(kind)!;
    // Figures, containers or digests moved: a new snapshot. Anything else (last seen, oldest
    // scan): only the stored roll-up is updated.
    const moved = fresh.filter((r) => {
      const prev = current.get(r.key);
      return !prev || figuresDiffer(prev, r);
    });
    const movedKeys = new Set(moved.map((r) => r.key));
    const changed = fresh.filter((r) => {
      const prev = current.get(r.key);
      return !prev || movedKeys.has(r.key) || detailsDiffer(prev, r);
    });
    const freshKeys = new Set(fresh.map((r) => r.key));
    const gone = [...current.keys()].filter((k) => !freshKeys.has(k));
    writes.push(async (tx) => {
      const rows = changed.map((r) => ({
        ...r,
        snapshotAt: movedKeys.has(r.key) ? now : (current.get(r.key)?.snapshotAt ?? null),
      }));
      // A scope whose digests did not move keeps its stored list (not rewritten); one moved by a
      // difference has its stored list moved in SQL.
      const moves = delta?.digestMoves.get(kind) ?? new Map();
      const same = (r: RollupCells) =>
        moves.has(r.key) || current.get(r.key)?.digests.join() === r.digests.join();
      await upsertScopePosture(
        tx,
        kind,
        rows.filter((r) => !same(r)),
        now,
      );
      await upsertScopePosture(tx, kind, rows.filter(same), now, true);
      await moveScopeDigests(
        tx,
        kind,
        [...moves].map(([key, m]) => ({ key, ...m })),
      );
      await deleteScopePosture(tx, kind, gone);
    });
    scopes += fresh.length + gone.length;
    for (const r of moved) snaps.push(toSnapshot(kind, r));
    // A scope that no longer runs anything gets one empty snapshot, so history shows it ended.
    for (const k of gone) if (current.get(k)!.containers > 0) snaps.push(emptySnapshot(kind, k));
  }
  // Every kind's roll-ups and the snapshots in one transaction (one commit, not one per kind).
  await store.transaction(async (tx) => {
    for (const write of writes) await write(tx);
    // Unchanged scopes: their stored roll-up is current, so it is the snapshot.
    const due = await markScopesSnapshotted(tx, new Date(now.getTime() - interval), now);
    const byKind = new Map<ScopeKind, string[]>();
    for (const d of due) byKind.set(d.kind, [...(byKind.get(d.kind) ?? []), d.key]);
    for (const [kind, keys] of byKind) {
      for (const r of await readScopePosture(tx, kind, { keys })) snaps.push(toSnapshot(kind, r));
    }
    await insertSnapshots(tx, snaps, now);
  });
  return { scopes, snapshots: snaps.length };
}

/**
 * History keeps digests for workloads only — what the rollout check reads. A fleet or cluster
 * snapshot listing every digest would cost megabytes per sync at 1M containers; the current
 * digests of every scope are in scope_posture.
 */
function toSnapshot(kind: ScopeKind, r: RollupCells): SnapshotRow {
  return {
    scopeKind: kind,
    scopeKey: r.key,
    containers: r.containers,
    distinctCounts: { ...figuresFromCells(r.distinctCells) },
    instanceCounts: { ...figuresFromCells(r.instanceCells) },
    digests: kind === 'workload' ? r.digests : [],
  };
}

function emptySnapshot(kind: ScopeKind, key: string): SnapshotRow {
  return {
    scopeKind: kind,
    scopeKey: key,
    containers: 0,
    distinctCounts: { ...zeroFigures() },
    instanceCounts: { ...zeroFigures() },
    digests: [],
  };
}

function figuresDiffer(a: RollupCells, b: RollupCells): boolean {
  return (
    a.containers !== b.containers ||
    a.distinctCells.join() !== b.distinctCells.join() ||
    a.instanceCells.join() !== b.instanceCells.join() ||
    a.digests.join() !== b.digests.join()
  );
}

function detailsDiffer(a: RollupCells, b: RollupCells): boolean {
  return (
    a.findingCells.join() !== b.findingCells.join() ||
    a.unresolved !== b.unresolved ||
    a.unscanned !== b.unscanned ||
    a.images !== b.images ||
    a.oldestScan?.getTime() !== b.oldestScan?.getTime() ||
    a.lastSeen?.getTime() !== b.lastSeen?.getTime() ||
    a.sourceIds.join() !== b.sourceIds.join() ||
    JSON.stringify(a.labels) !== JSON.stringify(b.labels)
  );
}
