// Migration 19: in-cluster agents (issue 20; docs/agent.md).
// agents: per cluster, the agent's last contact (heartbeat), its version, the inventory source it
// pushes to, how many pods it watches, and the principal that spoke for it.
// agent_batches: the batch ids (Idempotency-Key) landed per inventory source, with the answer given
// the first time, so a retried batch is applied once and answered the same. Rows older than a day
// are pruned when a batch lands (an agent retries for minutes, never days).
import { type Kysely, sql } from 'kysely';

export const version = 19;
export const name = 'agents';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table agents (
    cluster text primary key,
    source text not null,
    version text not null,
    subject text,
    pods_watched integer,
    first_contact_at timestamptz not null,
    last_contact_at timestamptz not null
  )`.execute(db);
  await sql`create table agent_batches (
    source text not null,
    batch_id text not null,
    applied_at timestamptz not null,
    response jsonb,
    primary key (source, batch_id)
  )`.execute(db);
  await sql`create index agent_batches_applied_at on agent_batches (applied_at)`.execute(db);
}
