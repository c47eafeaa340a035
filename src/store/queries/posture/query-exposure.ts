// The exposure ledger seen from posture: how many containers ran in a window, how many of them are
// gone, and how many lived less than an hour — short-lived containers count.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';
import type { PostureFilter } from './group-containers.js';

export interface ExposureSummary {
  since: Date;
  containersSeen: number;
  gone: number;
  shortLived: number;
}

export async function queryExposureSummary(
  { db }: Pick<Store, 'db'>,
  since: Date,
  filter: Pick<PostureFilter, 'cluster' | 'namespace'> = {},
): Promise<ExposureSummary> {
  const r = await sql<{ seen: number; gone: number; short: number }>`
    with lived as (
      select c.id, c.removed_at,
        coalesce(min(e.first_seen), c.started_at, c.first_seen) as born,
        coalesce(max(coalesce(e.closed_at, e.last_seen)), c.removed_at, c.last_seen) as died
      from containers c left join exposures e on e.container_id = c.id
      where coalesce(c.removed_at, c.last_seen, now()) >= ${since}
        ${filter.cluster !== undefined ? sql`and c.cluster = ${filter.cluster}` : sql``}
        ${filter.namespace !== undefined ? sql`and c.namespace = ${filter.namespace}` : sql``}
      group by c.id, c.removed_at, c.started_at, c.first_seen, c.last_seen
    )
    select count(*) as seen, count(*) filter (where removed_at is not null) as gone,
      count(*) filter (where removed_at is not null and died - born < interval '1 hour') as short
    from lived`.execute(db);
  const row = r.rows[0];
  return {
    since,
    containersSeen: Number(row?.seen ?? 0),
    gone: Number(row?.gone ?? 0),
    shortLived: Number(row?.short ?? 0),
  };
}
