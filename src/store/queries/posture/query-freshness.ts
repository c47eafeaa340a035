// Ages every view reports: advisory sources (last update), inventory sources (last successful run,
// else the newest container observation), and the oldest and newest scan among images in use (the
// scans of image_posture by age, image_posture_scanned_at, each probed against the maintained
// running-container groups, posture_groups).
import { type RawBuilder, sql } from 'kysely';
import type { Store } from '../../open-store.js';
import { type Within, withinSql } from './scope-sql.js';

export interface FreshnessRows {
  advisories: { name: string; kind: string; updatedAt: Date }[];
  inventory: { id: number; name: string; kind: string; lastRun: Date | null; lastSeen: Date | null }[];
  oldestScanInUse: Date | null;
  newestScanInUse: Date | null;
}

/**
 * `within`: the scans in use are those of the containers inside it — the report's cluster and
 * namespace and the caller's access scope (sources and advisories are global).
 */
export async function queryFreshness({ db }: Pick<Store, 'db'>, within: Within = {}): Promise<FreshnessRows> {
  // Three independent reads, concurrent (each its own pooled connection on PostgreSQL).
  const [advisories, inventory, scans] = await Promise.all([
    db.selectFrom('advisory_sources').select(['name', 'kind', 'updated_at']).orderBy('name').execute(),
    sql<{ id: number; name: string; kind: string; last_run: Date | null }>`
    select s.id, s.name, s.kind,
      -- An agent's heartbeat (docs/agent.md) advances last_full_at with no run: the source is alive and unchanged.
      greatest((select max(coalesce(r.finished_at, r.started_at)) from inventory_runs r where r.source_id = s.id and r.status in ('ok', 'partial')), s.last_full_at) as last_run
    from inventory_sources s order by s.name`.execute(db),
    // The first in-use entry each way of image_posture_scanned_at (migration 32): a few index probes
    // where a join of every digest in use with image_posture's wide rows took 0.2–0.8 s at 1M.
    sql<{ oldest: Date | null; newest: Date | null }>`
    select (${scanInUse(within, 'asc')}) as oldest, (${scanInUse(within, 'desc')}) as newest`.execute(db),
  ]);
  // The newest observation is only needed for a source without a successful run; it reads every
  // row of that source, so it is asked for those sources alone, in a statement of its own. As a
  // subquery of the one above (never executed when every source has a run) its estimate of a
  // fleet-wide scan had PostgreSQL JIT-compile the statement: ~85 ms of every report at 1M.
  const unrun = inventory.rows.filter((r) => r.last_run === null).map((r) => Number(r.id));
  const seen = new Map<number, Date | null>();
  if (unrun.length) {
    const r = await sql<{ source_id: number; last_seen: Date | null }>`
      select c.source_id, max(c.last_seen) as last_seen from containers c
      where c.source_id = any(${unrun}::bigint[]) group by c.source_id`.execute(db);
    for (const row of r.rows) seen.set(Number(row.source_id), row.last_seen);
  }
  return {
    advisories: advisories.map((a) => ({ name: a.name, kind: a.kind, updatedAt: a.updated_at })),
    inventory: inventory.rows.map((r) => ({
      id: Number(r.id),
      name: r.name,
      kind: r.kind,
      lastRun: r.last_run,
      lastSeen: seen.get(Number(r.id)) ?? null,
    })),
    oldestScanInUse: scans.rows[0]?.oldest ?? null,
    newestScanInUse: scans.rows[0]?.newest ?? null,
  };
}

/** The oldest (`asc`) or newest (`desc`) scan of an image running inside `within`. */
function scanInUse(within: Within, order: 'asc' | 'desc'): RawBuilder<Date | null> {
  return sql<Date | null>`select p.scanned_at from image_posture p
    where p.scanned_at is not null
      and exists (select 1 from posture_groups g where g.image_digest = p.image_digest and ${withinSql(within, 'g', true)})
    order by p.scanned_at ${sql.raw(order)} limit 1`;
}
