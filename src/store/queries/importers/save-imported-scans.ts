// Lands every digest one imported image report maps to in ONE transaction (a report whose image ID
// is shared by several manifests lands on each): all of it or none of it.
import type { Kysely } from 'kysely';
import type { Database } from '../../schema.js';
import { type SavedScan, type ScanRecord, saveScanIn } from '../scans/save-scan.js';

export async function saveImportedScans(db: Kysely<Database>, records: ScanRecord[]): Promise<SavedScan[]> {
  return db.transaction().execute(async (tx) => {
    const saved: SavedScan[] = [];
    for (const rec of records) saved.push(await saveScanIn(tx, rec));
    return saved;
  });
}
