// The `modified` time of every stored advisory of the given sources: what an incremental update
// compares against (a record is written only when it is new or its `modified` moved forward).
import type { Store } from '../../open-store.js';
import { anyText } from '../../statement-size.js';

export async function getAdvisoryModified(
  { db }: Pick<Store, 'db'>,
  sources: string[],
): Promise<Map<string, Date | null>> {
  const out = new Map<string, Date | null>();
  if (!sources.length) return out;
  const rows = await db
    .selectFrom('advisories')
    .select(['source', 'id', 'modified'])
    .where('source', '=', anyText(sources))
    .execute();
  for (const r of rows) out.set(`${r.source}\u0000${r.id}`, r.modified);
  return out;
}
