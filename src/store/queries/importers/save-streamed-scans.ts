// Lands an imported report whose packages and findings are never all in memory (ADR 0029): they come
// as batches from the caller (read back from the import's staging tables), inside the caller's one
// transaction, once per digest the report maps to. The same rows, skips of a stored report and
// `finding_changes` as saveImportedScans (both land through landScan, whose change sets are an
// `except` in SQL between the previous scan's rows and the new one's).
import type { Kysely } from 'kysely';
import type { Finding, Package } from '../../../core/types.js';
import type { Store } from '../../open-store.js';
import type { Database } from '../../schema.js';
import {
  insertFindings,
  insertPackages,
  insertScanRow,
  landScan,
  type SavedScan,
  type ScanRecord,
} from '../scans/save-scan.js';
import { recordTagObservations, type TagObservationRow } from './record-tag-observations.js';

export interface StreamedScanRecord extends Omit<ScanRecord, 'packages' | 'findings'> {
  /** The scan's packages in order, in batches of bounded size (read afresh for each call). */
  packages: () => AsyncIterable<Package[]>;
  findings: () => AsyncIterable<Finding[]>;
}

/** Saves each record in the transaction `tx` already is (the caller's import transaction). */
export async function saveStreamedScansIn(
  { db: tx }: Pick<Store, 'db'>,
  records: StreamedScanRecord[],
  tagObservations: TagObservationRow[] = [],
): Promise<SavedScan[]> {
  const saved: SavedScan[] = [];
  for (const rec of records) saved.push(await saveOne(tx, rec));
  await recordTagObservations({ db: tx }, tagObservations);
  return saved;
}

function saveOne(tx: Kysely<Database>, rec: StreamedScanRecord): Promise<SavedScan> {
  return landScan(tx, rec, async () => {
    const scanId = await insertScanRow(tx, rec);
    for await (const batch of rec.packages()) await insertPackages({ db: tx }, scanId, batch);
    for await (const batch of rec.findings())
      await insertFindings({ db: tx }, scanId, rec.imageDigest, rec.source, batch);
    return scanId;
  });
}
