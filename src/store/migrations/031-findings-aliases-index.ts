// Migration 31: a GIN index on findings.aliases, so a vulnerability asked for by an alias (a CVE
// that an imported finding names only among its aliases) is found through the index rather than a
// scan of every finding. The queries use `aliases @> array[id]`, the form a GIN index serves
// (`id = any(aliases)` is not). At 1M containers / 5M findings the vulnerability page's images
// query took 1.28 s as a sequential scan and 29 ms with this index; building it took 1.6 s there.
import { type Kysely, sql } from 'kysely';

export const version = 31;
export const name = 'findings-aliases-index';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists findings_aliases on findings using gin (aliases)`.execute(db);
}
