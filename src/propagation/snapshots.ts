// Posture snapshots per scope (fleet, cluster, namespace, workload, environment, owner, image):
// written whenever a scope's figures or digests change, and at least every `interval` otherwise, so
// trends exist and a redeploy's improvement can be proven from history.
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import {
  insertSnapshots,
  latestSnapshots,
  queryRollup,
  queryTouchedScopes,
  type RollupRow,
  type ScopeKind,
  type SnapshotRow,
  scopeDigests,
  scopeKeySql,
} from '../store/index.js';

export const SNAPSHOT_KINDS: readonly ScopeKind[] = [
  'fleet',
  'cluster',
  'namespace',
  'workload',
  'environment',
  'owner',
  'image',
];

export interface SnapshotOptions {
  /** Recompute every scope (else only scopes touched since `since`, plus those older than `interval`). */
  all?: boolean | undefined;
  since?: Date | undefined;
  /** Digests whose roll-up changed: scopes running them are touched. */
  digests?: string[] | undefined;
  /** Re-snapshot unchanged scopes when their last snapshot is older than this (ms). Default 1 h. */
  intervalMs?: number | undefined;
  now?: Date | undefined;
}

export async function takePostureSnapshots(
  db: Kysely<Database>,
  opts: SnapshotOptions = {},
): Promise<number> {
  const now = opts.now ?? new Date();
  const interval = opts.intervalMs ?? 3600e3;
  let written = 0;
  for (const kind of SNAPSHOT_KINDS) {
    const previous = await latestSnapshots(db, kind);
    let keys: string[] | undefined;
    if (!opts.all && opts.since) {
      const touched = new Set(await queryTouchedScopes(db, kind, opts.since, opts.digests ?? []));
      for (const [k, s] of previous) if (now.getTime() - s.takenAt.getTime() >= interval) touched.add(k);
      keys = [...touched];
      if (!keys.length) continue;
    }
    const rows = await queryRollup(db, kind, { scopeKeys: keys });
    const digests = await scopeDigests(db, scopeKeySql(kind));
    const fresh: SnapshotRow[] = [];
    const seen = new Set<string>();
    for (const r of rows) {
      seen.add(r.key);
      const snap = toSnapshot(kind, r, digests.get(r.key) ?? []);
      const prev = previous.get(r.key);
      if (!prev || differs(prev, snap) || now.getTime() - prev.takenAt.getTime() >= interval)
        fresh.push(snap);
    }
    // A scope that no longer runs anything gets one empty snapshot, so history shows it ended.
    for (const [k, prev] of previous) {
      if (seen.has(k) || prev.containers === 0 || (keys && !keys.includes(k))) continue;
      fresh.push({
        scopeKind: kind,
        scopeKey: k,
        containers: 0,
        distinctCounts: zero(),
        instanceCounts: zero(),
        digests: [],
      });
    }
    await insertSnapshots(db, fresh, now);
    written += fresh.length;
  }
  return written;
}

function toSnapshot(kind: ScopeKind, r: RollupRow, digests: string[]): SnapshotRow {
  return {
    scopeKind: kind,
    scopeKey: r.key,
    containers: r.containers,
    distinctCounts: { ...r.distinct },
    instanceCounts: { ...r.instances },
    digests,
  };
}

function differs(a: SnapshotRow, b: SnapshotRow): boolean {
  return (
    a.containers !== b.containers ||
    JSON.stringify(sorted(a.distinctCounts)) !== JSON.stringify(sorted(b.distinctCounts)) ||
    JSON.stringify(sorted(a.instanceCounts)) !== JSON.stringify(sorted(b.instanceCounts)) ||
    [...a.digests].sort().join() !== [...b.digests].sort().join()
  );
}

function sorted(o: Record<string, number>): [string, number][] {
  return Object.entries(o).sort(([x], [y]) => x.localeCompare(y));
}

function zero(): Record<string, number> {
  return { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, kev: 0, fixable: 0, total: 0 };
}
