// Migration 18: what the notification rules remember between evaluations (docs/notifications.md).
// notification_rules: per rule, the fingerprint of its definition (a changed scope or threshold
// starts a new baseline), when it was baselined and last evaluated, and the posture time its
// validation checklist last ran against.
// notification_state: per rule, the open facts — a vulnerability in its set, a stale source, a
// failing check — compared with the current posture on every evaluation (a set difference).
// notification_log: one row per notification and destination: its body, delivery status, attempts
// and last error. Failed rows are the dead letter, beside the failed deliver job in `jobs --failed`.
import { type Kysely, sql } from 'kysely';

export const version = 18;
export const name = 'notifications';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table notification_rules (
    rule text primary key,
    fingerprint text not null,
    baseline_at timestamptz not null,
    evaluated_at timestamptz not null,
    validated_posture_at text,
    validated_at timestamptz
  )`.execute(db);
  await sql`create table notification_state (
    rule text not null,
    kind text not null,
    key text not null,
    severity text,
    kev boolean not null default false,
    detail jsonb,
    opened_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (rule, kind, key)
  )`.execute(db);
  await sql`create table notification_log (
    id bigint generated always as identity primary key,
    rule text not null,
    event text not null,
    key text not null,
    destination text not null,
    host text not null,
    payload jsonb not null,
    status text not null default 'pending',
    attempts integer not null default 0,
    last_error text,
    created_at timestamptz not null default now(),
    delivered_at timestamptz
  )`.execute(db);
  await sql`create index notification_log_rule_created on notification_log (rule, created_at)`.execute(db);
}
