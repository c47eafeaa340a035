// Lands every digest one imported image report maps to in ONE transaction (a report whose image ID
// is shared by several manifests lands on each), with the tag observations the report carries:
// all of it or none of it.
import type { Store } from '../../open-store.js';
import { type SavedScan, type ScanRecord, saveScanIn } from '../scans/save-scan.js';
import { recordTagObservations, type TagObservationRow } from './record-tag-observations.js';

export async function saveImportedScans(
  { db }: Pick<Store, 'db'>,
  records: ScanRecord[],
  tagObservations: TagObservationRow[] = [],
): Promise<SavedScan[]> {
  return db.transaction().execute(async (tx) => {
    const saved: SavedScan[] = [];
    for (const rec of records) saved.push(await saveScanIn({ db: tx }, rec));
    await recordTagObservations({ db: tx }, tagObservations);
    return saved;
  });
}
