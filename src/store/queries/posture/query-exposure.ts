// The exposure ledger seen from posture: how many containers ran in a window, how many of them are
// gone, and how many lived less than an hour — short-lived containers count.
// Running containers are counted from the maintained groups (posture_groups: a group whose oldest
// last-seen is in the window counts whole — last-seen only grows — and the workloads of older groups
// are counted from their containers); gone ones come from the containers_removed_at index
// with their ledger rows. Neither scans the fleet.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';
import { containerLastSeen } from '../inventory/last-seen.js';
import { type PostureFilter, scopeKeySql } from './group-containers.js';
import { withinSql } from './scope-sql.js';

export interface ExposureSummary {
  since: Date;
  containersSeen: number;
  gone: number;
  shortLived: number;
}

export async function queryExposureSummary(
  { db }: Pick<Store, 'db'>,
  since: Date,
  filter: Pick<PostureFilter, 'cluster' | 'namespace' | 'scope'> = {},
): Promise<ExposureSummary> {
  // The running side and the gone side are independent reads: concurrent.
  const [seen, r] = await Promise.all([runningSeen(db, since, filter), goneSince(db, since, filter)]);
  const gone = Number(r.rows[0]?.gone ?? 0);
  return {
    since,
    containersSeen: seen + gone,
    gone,
    shortLived: Number(r.rows[0]?.short ?? 0),
  };
}

/**
 * Running containers last seen in the window. Workloads with a container last seen before it are
 * counted container by container; every other workload's groups count whole.
 */
async function runningSeen(
  db: Store['db'],
  since: Date,
  filter: Pick<PostureFilter, 'cluster' | 'namespace' | 'scope'>,
): Promise<number> {
  const running = await sql<{ n: number; older: string[] | null }>`
    with older as (
      select distinct g.k_workload from posture_groups g
      where ${withinSql(filter, 'g', true)} and (g.last_seen < ${since} or g.last_seen is null)
    )
    select (select coalesce(sum(g.containers), 0) from posture_groups g
            where ${withinSql(filter, 'g', true)} and g.k_workload not in (select k_workload from older)) as n,
      (select array_agg(k_workload) from older) as older`.execute(db);
  let seen = Number(running.rows[0]?.n ?? 0);
  const older = running.rows[0]?.older ?? [];
  if (older.length) {
    const r = await sql<{ n: number }>`
      select count(*) as n from containers c
      where c.removed_at is null and ${containerLastSeen('c')} >= ${since} and ${withinSql(filter, 'c')}
        and ${sql.raw(scopeKeySql('workload'))} = any(${older}::text[])`.execute(db);
    seen += Number(r.rows[0]?.n ?? 0);
  }
  return seen;
}

/** Containers removed in the window (containers_removed_at), and how many of them lived under an hour. */
function goneSince(
  db: Store['db'],
  since: Date,
  filter: Pick<PostureFilter, 'cluster' | 'namespace' | 'scope'>,
) {
  return sql<{ gone: number; short: number }>`
    with lived as (
      select c.id,
        coalesce(min(e.first_seen), c.started_at, c.first_seen) as born,
        coalesce(max(coalesce(e.closed_at, e.last_seen)), c.removed_at, c.last_seen) as died
      from containers c left join exposures e on e.container_id = c.id
      where c.removed_at >= ${since} and ${withinSql(filter, 'c')}
      group by c.id, c.removed_at, c.started_at, c.first_seen, c.last_seen
    )
    select count(*) as gone, count(*) filter (where died - born < interval '1 hour') as short
    from lived`.execute(db);
}
