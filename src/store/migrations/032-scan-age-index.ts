// Migration 32: the scans in use by age. Every view's freshness reports the oldest and newest scan
// among the images running in its scope (src/store/queries/posture/query-freshness.ts), and the
// posture report's coverage gaps list the scans older than the scan SLA. Both joined every digest
// in use with image_posture, whose rows carry the image's vulnerability list (31 MB for 20k
// images at 1M containers: 0.2–0.8 s per page under load). With this index the oldest and newest
// are the first in-use entries of an ordered walk (a few index probes), and the stale scans a
// range of it. The index is its own backfill: it is built over the existing rows.
import { type Kysely, sql } from 'kysely';

export const version = 32;
export const name = 'scan-age-index';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index image_posture_scanned_at on image_posture (scanned_at)`.execute(db);
}
