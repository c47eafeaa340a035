// Migration 33: containers waiting for resolution are found through an index, not by comparing
// every row's identity with the input its resolution was computed from. Before it, every sync
// looked for changed containers with `resolution_input is distinct from <the row's identity>`:
// a sequential scan of the containers table even when nothing had changed (0.7 s at 1M containers
// on a quiet machine, 3–6 s under load). Now a container waits for resolution exactly when its
// resolved_at is null:
// - a trigger clears resolved_at whenever an update changes an identity field a resolution reads
//   (image, image ID, digest, digest kind, platform, start time), whoever writes it — the inventory
//   writer already did so itself; the trigger keeps it true for every other writer (a library
//   caller, a test seeding rows, an operator's SQL);
// - new rows start with resolved_at null (the column has no default; a row inserted with one is
//   cleared by the same function, so a copied row is resolved again rather than trusted);
// - containers_unresolved indexes the waiting rows in id order (the keyset pages of the resolver);
//   it is empty when everything is resolved, so a sync that finds nothing reads one index page.
// Rows whose stored resolution_input already differs (written around the old check) are cleared
// once here, so nothing the old check would have re-resolved is lost.
import { type Kysely, sql } from 'kysely';

export const version = 33;
export const name = 'resolution-pending';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create function containers_identity_changed() returns trigger language plpgsql as $$
    begin
      new.resolved_at := null;
      return new;
    end $$`.execute(db);
  await sql`create trigger containers_identity_changed
    before update of image, image_id, digest, digest_kind, platform, started_at on containers
    for each row when (
      (old.image, old.image_id, old.digest, old.digest_kind, old.platform, old.started_at)
        is distinct from (new.image, new.image_id, new.digest, new.digest_kind, new.platform, new.started_at))
    execute function containers_identity_changed()`.execute(db);
  await sql`create trigger containers_inserted_resolved
    before insert on containers
    for each row when (new.resolved_at is not null)
    execute function containers_identity_changed()`.execute(db);
  await sql`update containers set resolved_at = null
    where resolved_at is not null and resolution_input is distinct from concat_ws('|', image,
      coalesce(image_id, ''), coalesce(digest, ''), coalesce(digest_kind, ''), coalesce(platform, ''),
      coalesce(extract(epoch from started_at)::text, ''))`.execute(db);
  await sql`create index containers_unresolved on containers (id) where resolved_at is null`.execute(db);
}
