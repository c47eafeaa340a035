// Per job kind: when it last started, succeeded and failed (migration 017). The scheduler reads it
// to know which cadence is due; `validate` reads it for "operationalised" (what actually ran).
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

export interface JobRunRow {
  kind: string;
  lastStartedAt: Date | null;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
  lastError: string | null;
}

export async function recordJobStarted({ db }: Pick<Store, 'db'>, kind: string, at: Date): Promise<void> {
  await sql`insert into job_runs (kind, last_started_at) values (${kind}, ${at})
    on conflict (kind) do update set last_started_at = excluded.last_started_at`.execute(db);
}

/** A finished run: `error` undefined for a success, else the failure's message. */
export async function recordJobFinished(
  { db }: Pick<Store, 'db'>,
  kind: string,
  at: Date,
  error?: string,
): Promise<void> {
  if (error === undefined)
    await sql`insert into job_runs (kind, last_success_at) values (${kind}, ${at})
      on conflict (kind) do update set last_success_at = excluded.last_success_at`.execute(db);
  else
    await sql`insert into job_runs (kind, last_failure_at, last_error) values (${kind}, ${at}, ${error})
      on conflict (kind) do update set last_failure_at = excluded.last_failure_at,
        last_error = excluded.last_error`.execute(db);
}

export async function listJobRuns({ db }: Pick<Store, 'db'>): Promise<JobRunRow[]> {
  const r = await sql<JobRunRow>`select kind, last_started_at as "lastStartedAt",
      last_success_at as "lastSuccessAt", last_failure_at as "lastFailureAt", last_error as "lastError"
    from job_runs order by kind`.execute(db);
  return r.rows;
}
