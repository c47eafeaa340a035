// Migration 8: what each package's identity rests on (core/package-evidence.ts), so that an SBOM
// read back from the store says it too. Null for rows stored before.
import { type Kysely, sql } from 'kysely';

export const version = 8;
export const name = 'package-evidence';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table packages add column evidence text`.execute(db);
}
