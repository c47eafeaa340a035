// Migration 10: finding counts beside vulnerability counts (docs/cli.md#counts-vulnerabilities-and-findings).
// A vulnerability hitting two packages is 1 vulnerability and 2 findings; posture kept only the first.
// - image_vulns.fixable_packages: of the findings (packages) carrying the vulnerability in the
//   image, how many have a fixed version — so findings split by fixable per finding, not per
//   vulnerability.
// - image_posture.finding_cells: the image's findings per cell, each at its vulnerability's cell in
//   the image (severity, KEV) with its own fixable bit.
// - scope_posture.finding_cells: Σ over the scope's distinct scanned images of their finding cells.
// Rows written before are null; the sync state key moved with this migration
// (src/propagation/sync.ts), so the first sync after it recomputes every roll-up.
import { type Kysely, sql } from 'kysely';

export const version = 10;
export const name = 'finding-counts';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table image_vulns add column fixable_packages int`.execute(db);
  await sql`alter table image_posture add column finding_cells int[]`.execute(db);
  await sql`alter table scope_posture add column finding_cells bigint[]`.execute(db);
}
