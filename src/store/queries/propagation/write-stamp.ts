// A cheap fingerprint of the writes posture's identity and enrichment inputs last received: the
// newest tag observation, scan, VEX statement and advisory-source update (KEV, EPSS and feeds go
// through advisory_sources), each an index lookup or a small table — never a count over a table.
// The inventory path of maintainPosture compares it with the stamp the last sync recorded: a
// writer that did not bring posture up to date itself is caught there without scanning the
// identity and enrichment tables (their exact watermarks stay with the sync; docs/adr/0022).
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

export async function postureWriteStamp({ db }: Pick<Store, 'db'>): Promise<string> {
  const r = await sql<{ w: string }>`select concat_ws(':',
      (select coalesce(max(id), 0) from tag_history),
      (select coalesce(max(id), 0) from scans),
      (select coalesce(max(id), 0) from vex_statements),
      (select max(updated_at)::text from advisory_sources)) as w`.execute(db);
  return r.rows[0]?.w ?? '';
}
