// Migration 16: the state of each advisory feed `db update` fetches by itself (docs/advisories.md
// "Default feeds"): the URL last fetched, the validators for a conditional request (ETag,
// Last-Modified), when it was last attempted and last succeeded, how that ended, and what it held.
// A feed's validators are written only after its data landed, so a failed load is fetched again.
import { type Kysely, sql } from 'kysely';

export const version = 16;
export const name = 'feeds';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table feeds (
    name             text primary key,            -- osv:<Ecosystem> | kev | epss | cve
    url              text not null,
    etag             text,
    last_modified    text,                        -- the Last-Modified header as sent
    last_attempt_at  timestamptz,
    last_success_at  timestamptz,
    last_outcome     text check (last_outcome in ('updated','unchanged','failed')),
    last_error       text,
    bytes            bigint,
    records          integer
  )`.execute(db);
}
