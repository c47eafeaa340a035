// Migration 34: exposure time per image, maintained by the store (ADR 0026, part 1). The
// prioritised list breaks its last tie by the container-seconds its images have run (the exposure
// ledger, so short-lived containers count). It summed the ledger at read time: 1.1–1.5 s of a
// 2.0–2.6 s fleet-wide list at 1M containers with one interval each. Now image_exposure holds, per
// digest, what that sum needs at any time t:
//   exposure(t) = closed_seconds + open_count × t − open_first_seen_sum   (t and sums in epoch seconds)
// — closed intervals count closed_at − first_seen, open ones count to t (the read's now()).
// - Each interval counts to its own image_digest (the digest the container ran during it: the
//   inventory writer closes an interval when the identity changes, the resolver points open ones at
//   the resolved digest); an interval with no digest yet counts nowhere.
// - Statement-level triggers with transition tables keep it true for every writer (the inventory
//   writer, the resolver, retention, a test or an operator's SQL): one aggregate per statement, so a
//   1M-row import pays one GROUP BY, not a million row triggers. An update that moves nothing (a
//   last_seen refresh) nets to zero per digest and writes no row; a truncate empties the table.
//   Rows are written in digest order (one lock order for concurrent writers); a row that nets to
//   nothing is deleted.
// - Whole seconds (each timestamp floored) in double precision: integers below 2^53 add and
//   subtract exactly, so sums moved up and down for years never drift and an emptied image's row is
//   exactly zero (exact up to ~5 million open intervals per image); numeric was as exact but its
//   arithmetic made the aggregate over a 1M-row statement 2–3 times slower.
// Containers with no interval (written before the ledger, or seeded around the inventory writer)
// get one here — their lifetime, which the read counted for them — so the read needs no fallback.
import { type Kysely, sql } from 'kysely';

export const version = 34;
export const name = 'image-exposure';

/** Whole epoch seconds of the timestamp `col` (double precision). */
function secs(col: string): string {
  return `floor(date_part('epoch', ${col}))`;
}

/** Per digest, what the intervals of `rows` add (sign 1) or remove (sign −1). */
function moved(rows: string, sign: 1 | -1): string {
  return `select image_digest,
      ${sign} * coalesce(sum(${secs('closed_at')} - ${secs('first_seen')}) filter (where closed_at is not null), 0) as closed_seconds,
      ${sign} * count(*) filter (where closed_at is null) as open_count,
      ${sign} * coalesce(sum(${secs('first_seen')}) filter (where closed_at is null), 0) as open_first_seen_sum
    from ${rows} where image_digest is not null group by image_digest`;
}

/** Adds the per-digest differences `diff` to image_exposure, then deletes the rows left empty. */
function apply(diff: string): string {
  return `with up as (
      insert into image_exposure as x (image_digest, closed_seconds, open_count, open_first_seen_sum)
      select image_digest, closed_seconds, open_count, open_first_seen_sum from (${diff}) d
      where closed_seconds <> 0 or open_count <> 0 or open_first_seen_sum <> 0
      order by image_digest
      on conflict (image_digest) do update set
        closed_seconds = x.closed_seconds + excluded.closed_seconds,
        open_count = x.open_count + excluded.open_count,
        open_first_seen_sum = x.open_first_seen_sum + excluded.open_first_seen_sum
      returning x.image_digest, x.open_count = 0 and x.closed_seconds = 0 as empty
    )
    select array_agg(image_digest) filter (where empty) into emptied from up;
    if emptied is not null then
      delete from image_exposure where image_digest = any(emptied) and open_count = 0 and closed_seconds = 0;
    end if;`;
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table image_exposure (
    image_digest        text primary key,
    closed_seconds      double precision not null,  -- sum of closed_at − first_seen over closed intervals
    open_count          bigint not null,            -- open intervals
    open_first_seen_sum double precision not null   -- sum of first_seen (epoch seconds) over open intervals
  )`.execute(db);
  await sql`insert into exposures (container_id, image_digest, first_seen, last_seen, closed_at)
    select c.id, c.image_digest, coalesce(c.started_at, c.first_seen), c.last_seen, c.removed_at
    from containers c where not exists (select 1 from exposures e where e.container_id = c.id)`.execute(db);
  await sql`insert into image_exposure (image_digest, closed_seconds, open_count, open_first_seen_sum)
    ${sql.raw(moved('exposures', 1))}`.execute(db);
  const diff = `select image_digest, sum(closed_seconds) as closed_seconds, sum(open_count) as open_count,
      sum(open_first_seen_sum) as open_first_seen_sum
    from (${moved('new_rows', 1)} union all ${moved('old_rows', -1)}) m group by image_digest`;
  await sql`create function image_exposure_moved() returns trigger language plpgsql as $$
    declare emptied text[];
    begin
      if tg_op = 'TRUNCATE' then
        truncate image_exposure;
      elsif tg_op = 'INSERT' then
        ${sql.raw(apply(moved('new_rows', 1)))}
      elsif tg_op = 'DELETE' then
        ${sql.raw(apply(moved('old_rows', -1)))}
      else
        ${sql.raw(apply(diff))}
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger exposures_inserted after insert on exposures
    referencing new table as new_rows for each statement execute function image_exposure_moved()`.execute(db);
  await sql`create trigger exposures_updated after update on exposures
    referencing old table as old_rows new table as new_rows for each statement execute function image_exposure_moved()`.execute(
    db,
  );
  await sql`create trigger exposures_deleted after delete on exposures
    referencing old table as old_rows for each statement execute function image_exposure_moved()`.execute(db);
  await sql`create trigger exposures_truncated after truncate on exposures
    for each statement execute function image_exposure_moved()`.execute(db);
}
