// The queue's jobs as `runsight jobs` shows them, read from pg-boss's tables (schema `pgboss`: the
// live `job` table and the `archive` it moves finished jobs to). pg-boss's states map onto the
// contract's: created → queued, retry → retry, active, completed, failed; cancelled → failed.
// Attempts: pg-boss counts a retry when a job is fetched again, so a job that has started has had
// retry_count + 1 attempts. A store where no worker ever ran has no `pgboss` schema: no jobs.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

export type JobState = 'queued' | 'active' | 'completed' | 'failed' | 'retry';

export interface JobRow {
  id: string;
  kind: string;
  key: string | null;
  state: JobState;
  attempts: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
}

export interface ListJobsOptions {
  /** Only jobs whose last attempt failed: `failed`, and `retry` (waiting out its back-off). */
  failed?: boolean;
  /** Newest first, at most this many (default 200). */
  limit?: number;
  /** Only these kinds (default: every queue but pg-boss's internal ones). */
  kinds?: string[];
}

export async function listJobs({ db }: Pick<Store, 'db'>, opts: ListJobsOptions = {}): Promise<JobRow[]> {
  const present = await sql<{ ok: boolean }>`select to_regclass('pgboss.archive') is not null as ok`.execute(
    db,
  );
  if (!present.rows[0]?.ok) return [];
  const failedOnly = opts.failed ?? false;
  const kinds = opts.kinds ?? null;
  const r = await sql<JobRow>`
    select id, kind, key, state, attempts, "createdAt", "startedAt", "finishedAt", error from (
      select id::text as id, name as kind, coalesce(singleton_key, data->>'key') as key,
        case state::text when 'created' then 'queued' when 'cancelled' then 'failed' else state::text end as state,
        retry_count + case when started_on is null then 0 else 1 end as attempts,
        created_on as "createdAt", started_on as "startedAt",
        case when state::text in ('completed', 'failed', 'cancelled') then completed_on end as "finishedAt",
        case when state::text = 'cancelled' then 'cancelled'
             when state::text in ('failed', 'retry') then coalesce(output->>'message', output::text) end as error
      from (select name, id, singleton_key, data, state, retry_count, started_on, created_on, completed_on, output
              from pgboss.job
            union all
            select name, id, singleton_key, data, state, retry_count, started_on, created_on, completed_on, output
              from pgboss.archive) j
      where name not like '\_\_pgboss%'
        and (${kinds}::text[] is null or name = any(${kinds}::text[]))
        and (not ${failedOnly}::boolean or state::text in ('failed', 'retry', 'cancelled'))
    ) x
    order by "createdAt" desc, id
    limit ${opts.limit ?? 200}`.execute(db);
  return r.rows.map((row) => ({ ...row, attempts: Number(row.attempts) }));
}
