// Migration 38: image_vulns carries its vulnerability's number (vulnerability_numbers.num), and
// its index by vulnerability is on that number instead of the id text.
// - A full recompute rebuilds the indexes of image_vulns; under a libc collation (C.UTF-8, en_US…)
//   each text comparison of the sort is a strcoll call, and the index on the id took 1.2–1.7 s at
//   1M rows where the same index on an int takes 0.3 s (bench fleet 1/5, PostgreSQL 15).
// - The fleet reach (vuln_reach) and the image roll-up (image_posture.vulns) are keyed by the
//   number: with it in the row they no longer join 1M rows to vulnerability_numbers.
// Existing rows are numbered here (the ids they carry get numbers first), so posture stays valid.
// - The numbers' sequence restarts after the highest number given. Until now every refresh offered
//   all its ids again (`on conflict do nothing`), and an insert takes a number for every row it
//   offers, so each full recompute spent as many numbers as the fleet has vulnerabilities (a
//   kept bench fleet: 30k ids, next number 392,601). image_posture.vulns packs number × 32 + cell
//   into an int4, so numbers must stay below 2^26; refreshes now offer only new ids.
import { type Kysely, sql } from 'kysely';

export const version = 38;
export const name = 'image-vulns-number';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`select setval(pg_get_serial_sequence('vulnerability_numbers', 'num'),
    coalesce((select max(num) from vulnerability_numbers), 0) + 1, false)`.execute(db);
  await sql`insert into vulnerability_numbers (id)
    select distinct vulnerability_id from image_vulns iv
    where not exists (select 1 from vulnerability_numbers n where n.id = iv.vulnerability_id)`.execute(db);
  // The rows are rewritten with the indexes dropped and built again after (1M rows: 22 s with
  // them maintained row by row).
  await sql`drop index if exists image_vulns_vuln`.execute(db);
  await sql`drop index if exists image_vulns_image`.execute(db);
  await sql`alter table image_vulns add column num int`.execute(db);
  await sql`update image_vulns iv set num = n.num from vulnerability_numbers n where n.id = iv.vulnerability_id`.execute(
    db,
  );
  await sql`alter table image_vulns alter column num set not null`.execute(db);
  await sql`create index image_vulns_image on image_vulns (image_digest)`.execute(db);
  await sql`create index image_vulns_num on image_vulns (num)`.execute(db);
}
