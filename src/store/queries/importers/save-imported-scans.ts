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
