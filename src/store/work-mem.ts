// Large roll-ups (millions of image × vulnerability rows) sort and hash far more than PostgreSQL's
// default 4 MB work_mem holds, and spill to disk. They run with a larger work_mem, set for their
// own transaction only (`set local`), so the server's setting is left alone.
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from './schema.js';

export const ROLLUP_WORK_MEM = '256MB';

export async function withWorkMem<T>(
  db: Kysely<Database>,
  fn: (tx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  const run = async (tx: Kysely<Database>) => {
    await sql`select set_config('work_mem', ${ROLLUP_WORK_MEM}, true)`.execute(tx);
    return fn(tx);
  };
  return db.isTransaction ? run(db) : db.transaction().execute((tx: Transaction<Database>) => run(tx));
}

/** Sets `name` for the rest of the transaction (`set local`) and returns its value before. */
export async function setLocal(db: Kysely<Database>, name: string, value: string): Promise<string> {
  const r = await sql<{ v: string }>`select current_setting(${name}) as v`.execute(db);
  await sql`select set_config(${name}, ${value}, true)`.execute(db);
  return r.rows[0]!.v;
}
