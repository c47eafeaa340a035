// Migration 20: what each scheduled report said when it last ran (docs/reports.md "Scheduled
// reports"). report_runs: one row per scheduled run, per report name and scope key — its summary
// (totals by severity, KEV, fixable, containers) and the vulnerability ids in scope, so the next
// report (scheduled, or an ad-hoc one of the same scope) shows what changed since. Ad-hoc reports
// only read it; the scheduler reads each report's last run to know whether it is due.
import { type Kysely, sql } from 'kysely';

export const version = 20;
export const name = 'report-runs';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table report_runs (
    id bigserial primary key,
    name text not null,
    scope_key text not null,
    ran_at timestamptz not null,
    format text not null,
    outcome text not null,
    error text,
    summary jsonb not null,
    vulnerability_ids text[] not null
  )`.execute(db);
  await sql`create index report_runs_name_at on report_runs (name, ran_at desc)`.execute(db);
  await sql`create index report_runs_scope_at on report_runs (scope_key, ran_at desc)`.execute(db);
}
