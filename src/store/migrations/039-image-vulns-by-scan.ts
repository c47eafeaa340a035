// Migration 39: image_vulns rows name their image by the scan posture reads (image_posture.scan_id,
// one per digest) instead of the digest text, and lose the `source` and `severity` text: the
// source is image_posture's, the severity follows from severity_rank.
// - A full recompute writes 1M rows at the 1/5 bench fleet. The rows were 156 MB and are 76 MB
//   now; the insert took 6.1 s and takes 4.4 s, and the index on the image took 1.7 s on the
//   digest text (each comparison a strcoll call) and takes 0.55 s on the scan id (PostgreSQL 15,
//   measured side by side in one transaction).
// - Readers reach an image's rows through image_posture (digest → scan id → rows); the new index
//   image_posture_scan answers the other way (rows → digest).
// Existing rows are copied with their posture's scan id; a row whose image has no posture scan
// (written before migration 6) is dropped — that roll-up is stale already and the next sync
// recomputes it (listStaleImagePosture).
import { type Kysely, sql } from 'kysely';

export const version = 39;
export const name = 'image-vulns-by-scan';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  // Fixed-width columns first, widest first: no alignment padding inside a row.
  await sql`create table image_vulns_by_scan (
    scan_id          bigint not null,             -- image_posture.scan_id of the image
    epss             double precision,
    cvss_score       double precision,
    num              int not null,                -- vulnerability_numbers.num of vulnerability_id
    packages         int not null,                -- findings (packages) carrying it in this image
    fixable_packages int,                         -- of those, how many have a fixed version
    severity_rank    smallint not null,           -- 4 critical … 0 unknown: the highest among them
    kev              boolean not null default false,
    fixable          boolean not null default false,
    vulnerability_id text not null
  )`.execute(db);
  await sql`insert into image_vulns_by_scan (scan_id, epss, cvss_score, num, packages, fixable_packages,
      severity_rank, kev, fixable, vulnerability_id)
    select p.scan_id, iv.epss, iv.cvss_score, iv.num, iv.packages, iv.fixable_packages,
      iv.severity_rank, iv.kev, iv.fixable, iv.vulnerability_id
    from image_vulns iv join image_posture p on p.image_digest = iv.image_digest
    where p.scan_id is not null`.execute(db);
  await sql`drop table image_vulns`.execute(db);
  await sql`alter table image_vulns_by_scan rename to image_vulns`.execute(db);
  await sql`create index image_vulns_scan on image_vulns (scan_id)`.execute(db);
  await sql`create index image_vulns_num on image_vulns (num)`.execute(db);
  await sql`create index image_posture_scan on image_posture (scan_id)`.execute(db);
}
