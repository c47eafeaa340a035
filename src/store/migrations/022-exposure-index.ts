// Migration 22: the prioritised list's exposure time (container-seconds per image, from every
// container that ran it — src/store/queries/posture/query-priorities.ts) reads the containers of its
// candidates' images: ~170k rows for a fleet-wide report at 1M containers, each a random heap read
// through containers_image_digest (2.2 s cold on the bench's fleet). This index carries the columns
// that read needs, so it is an index-only scan; it replaces containers_image_digest (same key).
import { type Kysely, sql } from 'kysely';

export const version = 22;
export const name = 'exposure-index';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index containers_digest_exposure on containers (image_digest)
    include (id, removed_at, started_at, first_seen)`.execute(db);
  await sql`drop index if exists containers_image_digest`.execute(db);
}
