// Which of these vulnerability ids the KEV catalog lists — the same test the per-image roll-ups
// apply (kev.cve_id = the finding's vulnerability id), for views that count a source's own rows.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

export async function queryKevIds({ db }: Pick<Store, 'db'>, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await db
    .selectFrom('kev')
    .select('cve_id')
    .where('cve_id', '=', sql<string>`any(${[...new Set(ids)]}::text[])`)
    .execute();
  return new Set(rows.map((r) => r.cve_id));
}
