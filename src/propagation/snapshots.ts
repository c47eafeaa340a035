// Scope posture and its history. After a sync, the scopes (fleet, cluster, namespace, workload,
// environment, owner, image) touched by the change are recomputed into scope_posture — the roll-ups
// views read — and each scope whose figures or digests moved gets a posture_snapshots row. Unchanged
// scopes are re-snapshotted from scope_posture at least every `interval`, so trends exist and a
// redeploy's improvement can be proven from history.
import { SCOPE_KINDS, type ScopeKind } from '../core/types.js';
import type { RollupCells, SnapshotRow, Store } from '../store/index.js';
import {
  deleteScopePosture,
  insertSnapshots,
  markScopesSnapshotted,
  queryTouchedScopes,
  readScopePosture,
  upsertScopePosture,
} from '../store/index.js';
import { figuresFromCells, zeroFigures } from './cells.js';
import { computeRollups } from './rollups.js';

/** Every kind but `container` keeps a maintained roll-up and history. */
export const SNAPSHOT_KINDS: readonly ScopeKind[] = SCOPE_KINDS.filter((k) => k !== 'container');

export interface SnapshotOptions {
  /** Recompute every scope (else only scopes touched since `since`). */
  all?: boolean | undefined;
  since?: Date | undefined;
  /** Digests whose roll-up or containers changed: scopes running them, and their image scopes, are touched. */
  digests?: string[] | undefined;
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
      : await queryTouchedScopes(store, SNAPSHOT_KINDS, opts.since, opts.digests ?? []);
  // An image scope whose digest no longer runs is found by its digest, not by a container.
  for (const d of opts.digests ?? []) touched?.get('image')?.add(d);
  let scopes = 0;
  const snaps: SnapshotRow[] = [];
  // Every touched kind from one grouping of the running containers.
  const kinds = SNAPSHOT_KINDS.filter((k) => !touched || touched.get(k)?.size);
  const stored = new Map<ScopeKind, Map<string, RollupCells>>();
  for (const kind of kinds) {
    const keys = touched ? [...touched.get(kind)!] : undefined;
    stored.set(kind, new Map((await readScopePosture(store, kind, { keys })).map((r) => [r.key, r])));
  }
  const computed = kinds.length
    ? await computeRollups(store, kinds, {}, { only: touched, stored })
    : new Map<ScopeKind, RollupCells[]>();
  for (const kind of kinds) {
    const fresh = computed.get(kind) ?? [];
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
    await store.transaction(async (tx) => {
      await upsertScopePosture(
        tx,
        kind,
        changed.map((r) => ({
          ...r,
          snapshotAt: movedKeys.has(r.key) ? now : (current.get(r.key)?.snapshotAt ?? null),
        })),
        now,
      );
      await deleteScopePosture(tx, kind, gone);
    });
    scopes += fresh.length + gone.length;
    for (const r of moved) snaps.push(toSnapshot(kind, r));
    // A scope that no longer runs anything gets one empty snapshot, so history shows it ended.
    for (const k of gone) if (current.get(k)!.containers > 0) snaps.push(emptySnapshot(kind, k));
  }
  // Unchanged scopes: their stored roll-up is current, so it is the snapshot.
  const due = await markScopesSnapshotted(store, new Date(now.getTime() - interval), now);
  const byKind = new Map<ScopeKind, string[]>();
  for (const d of due) byKind.set(d.kind, [...(byKind.get(d.kind) ?? []), d.key]);
  for (const [kind, keys] of byKind) {
    for (const r of await readScopePosture(store, kind, { keys })) snaps.push(toSnapshot(kind, r));
  }
  await insertSnapshots(store, snaps, now);
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
