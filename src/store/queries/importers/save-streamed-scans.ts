// Lands an imported report whose packages and findings are never all in memory (ADR 0029): they come
// as batches from the caller (read back from the import's staging tables), inside the caller's one
// transaction, once per digest the report maps to. The same rows, skips of a stored report and
// `finding_changes` as saveImportedScans; what appeared and went is computed in SQL (an `except`
// between the previous scan's rows and the new one's), not from the findings in memory.
import { type Kysely, sql } from 'kysely';
import type { Finding, Package } from '../../../core/types.js';
import type { Store } from '../../open-store.js';
import type { Database, ScanStatus } from '../../schema.js';
import {
  findStoredReport,
  insertFindings,
  insertPackages,
  insertScanRow,
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

async function saveOne(tx: Kysely<Database>, rec: StreamedScanRecord): Promise<SavedScan> {
  const stored = rec.reportDigest ? await findStoredReport(tx, rec) : undefined;
  let scanId = stored?.id;
  if (scanId === undefined) {
    scanId = await insertScanRow(tx, rec);
    for await (const batch of rec.packages()) await insertPackages({ db: tx }, scanId, batch);
    for await (const batch of rec.findings())
      await insertFindings({ db: tx }, scanId, rec.imageDigest, rec.source, batch);
  }
  const previous = await tx
    .selectFrom('current_scans')
    .innerJoin('scans', 'scans.id', 'current_scans.scan_id')
    .select(['scans.id', 'scans.status'])
    .where('current_scans.image_digest', '=', rec.imageDigest)
    .where('current_scans.source', '=', rec.source)
    .executeTakeFirst();
  const alreadyStored = stored && { scanId: stored.id, at: stored.finished_at ?? stored.started_at };
  if (stored && previous?.id === stored.id)
    return { scanId, current: true, newlyAffected: 0, newlyFixed: 0, alreadyStored };
  return { ...(await makeCurrentInStore(tx, rec, scanId, previous)), alreadyStored };
}

/** saveScanIn's makeCurrent with the change sets taken in SQL from the two scans' stored rows. */
async function makeCurrentInStore(
  tx: Kysely<Database>,
  rec: Pick<ScanRecord, 'status' | 'source' | 'imageDigest'>,
  scanId: number,
  previous: { id: number; status: ScanStatus } | undefined,
): Promise<SavedScan> {
  const becomesCurrent =
    rec.status === 'complete' || (rec.status === 'partial' && previous?.status !== 'complete');
  if (!becomesCurrent) return { scanId, current: false, newlyAffected: 0, newlyFixed: 0 };
  let newlyAffected = 0;
  let newlyFixed = 0;
  if (previous) {
    const cause = rec.source === 'runsight' ? 'rescan' : 'import';
    const changes = async (from: number, minus: number, change: 'newly_affected' | 'newly_fixed') => {
      const { rows } = await sql<{ n: string }>`with ins as (
          insert into finding_changes (image_digest, vulnerability_id, package_name, change, cause)
          select ${rec.imageDigest}, k.vulnerability_id, k.package_name, ${change}, ${cause}
          from (select vulnerability_id, package_name from findings where scan_id = ${from} and status = 'affected'
                except
                select vulnerability_id, package_name from findings where scan_id = ${minus} and status = 'affected') k
          returning 1)
        select count(*) as n from ins`.execute(tx);
      return Number(rows[0]?.n ?? 0);
    };
    newlyAffected = await changes(scanId, previous.id, 'newly_affected');
    newlyFixed = await changes(previous.id, scanId, 'newly_fixed');
  }
  await tx
    .insertInto('current_scans')
    .values({ image_digest: rec.imageDigest, source: rec.source, scan_id: scanId })
    .onConflict((oc) => oc.columns(['image_digest', 'source']).doUpdateSet({ scan_id: scanId }))
    .execute();
  return { scanId, current: true, newlyAffected, newlyFixed };
}
