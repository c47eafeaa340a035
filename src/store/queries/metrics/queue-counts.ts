// The job queue's size for GET /metrics: pg-boss's live jobs (schema `pgboss`, table `job`) counted
// per kind and state — one grouped count, not a list. A store where no worker ever ran (PGlite,
// or PostgreSQL before the first `runsight worker`) has no queue: no rows.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

export interface QueueCountRow {
  kind: string;
  state: string;
  jobs: number;
}

export async function queryQueueCounts({ db }: Pick<Store, 'db'>): Promise<QueueCountRow[]> {
  const present = await sql<{ ok: boolean }>`select to_regclass('pgboss.job') is not null as ok`.execute(db);
  if (!present.rows[0]?.ok) return [];
  const r = await sql<{ kind: string; state: string; jobs: number | string }>`
    select name as kind, state::text as state, count(*) as jobs from pgboss.job
    where name not like '\\_\\_pgboss%' group by 1, 2 order by 1, 2`.execute(db);
  return r.rows.map((row) => ({ kind: row.kind, state: row.state, jobs: Number(row.jobs) }));
}
