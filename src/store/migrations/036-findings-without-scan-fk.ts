// Migration 36: findings.scan_id keeps no foreign key to scans (docs/adr/0030). The check cost
// ~6 µs a row — a quarter to a third of writing a finding with its five indexes (a full re-match of
// 20k images writes ~1M) — and guarded nothing the writers do not already hold: every writer
// takes the scan id from the scan row it wrote or from current_scans in the same transaction,
// and no scan is ever deleted (a retention of scans would delete their findings first).
import { type Kysely, sql } from 'kysely';

export const version = 36;
export const name = 'findings-without-scan-fk';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table findings drop constraint if exists findings_scan_id_fkey`.execute(db);
}
