// Migration 15: a full list that changed nothing writes nothing per container (issue 15; ADR 0010).
// inventory_sources.last_full_at is when the source's last unscoped full list was landed: every
// container of the source live then was in it, so a live container's last sighting is
// greatest(containers.last_seen, last_full_at), and an open exposure interval's likewise
// (store/queries/inventory/last-seen.ts). Rows seen unchanged keep their last_seen; closing a row
// (removed, or its identity changed) writes the exact value into it.
import { type Kysely, sql } from 'kysely';

export const version = 15;
export const name = 'source-seen-at';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table inventory_sources add column last_full_at timestamptz`.execute(db);
}
