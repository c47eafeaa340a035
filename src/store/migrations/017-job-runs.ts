// Migration 17: what the scheduler and workers remember beyond pg-boss's own schema (ADR 0012).
// job_runs: per job kind, when it last started, succeeded and failed (and why) — what `validate`
// reads for "operationalised" and what the scheduler reads to know a cadence is due.
// job_slots: leases on per-registry concurrency slots, shared by every worker process; a crashed
// worker's slot frees itself when its lease expires.
import { type Kysely, sql } from 'kysely';

export const version = 17;
export const name = 'job-runs';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table job_runs (
    kind text primary key,
    last_started_at timestamptz,
    last_success_at timestamptz,
    last_failure_at timestamptz,
    last_error text
  )`.execute(db);
  await sql`create table job_slots (
    scope text not null,
    slot integer not null,
    holder text not null,
    expires_at timestamptz not null,
    primary key (scope, slot)
  )`.execute(db);
}
