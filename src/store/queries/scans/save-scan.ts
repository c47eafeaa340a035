// Lands one scan (built-in or imported) atomically: the scan row, its SBOM, its findings, the
// per-image change record, and the swap of `current_scans`. Until the transaction commits, readers
// see the previous result. Images are content-addressed, so a complete scan of a digest is never
// replaced by a partial or failed one of the same digest (those are recorded, not made current).
// A record carrying a `reportDigest` (an imported report) lands once per (digest, source, report):
// landing it again adds no scan, package or finding; it only becomes current again if it would.
import { type Kysely, sql } from 'kysely';
import type { Finding, Package } from '../../../core/types.js';
import type { Store } from '../../open-store.js';
import type { Database, ScanStatus } from '../../schema.js';

export interface ScanError {
  code: string;
  message: string;
  path?: string | undefined;
}

export interface ScanRecord {
  imageDigest: string;
  source: string;
  scannerVersion?: string | undefined;
  reference?: string | undefined;
  status: Exclude<ScanStatus, 'running'>;
  errors: ScanError[];
  os?: { family: string; release?: string | undefined; ecosystem?: string | undefined } | undefined;
  stats?: Record<string, unknown> | undefined;
  startedAt?: Date | undefined;
  /** The content digest of an imported report: an identical one already stored is not stored again. */
  reportDigest?: string | undefined;
  packages: Package[];
  findings: Finding[];
}

export interface SavedScan {
  scanId: number;
  /** Whether this scan became the one posture reads for (digest, source). */
  current: boolean;
  newlyAffected: number;
  newlyFixed: number;
  /** Set when an identical report was already stored for (digest, source): nothing new was added. */
  alreadyStored?: { scanId: number; at: Date } | undefined;
}

const CHUNK = 1000;

export async function saveScan({ db }: Pick<Store, 'db'>, rec: ScanRecord): Promise<SavedScan> {
  return db.transaction().execute((tx) => saveScanIn({ db: tx }, rec));
}

export async function saveScanIn({ db: tx }: Pick<Store, 'db'>, rec: ScanRecord): Promise<SavedScan> {
  return landScan(tx, rec, () => insertScan(tx, rec));
}

/**
 * Lands a scan in `tx`: an identical report already stored for (digest, source) is not inserted
 * again (`insert` writes the scan, its packages and findings otherwise), then the scan becomes
 * current. Shared by saveScanIn and saveStreamedScansIn.
 */
export async function landScan(
  tx: Kysely<Database>,
  rec: Pick<ScanRecord, 'imageDigest' | 'source' | 'reportDigest' | 'status'>,
  insert: () => Promise<number>,
): Promise<SavedScan> {
  const stored = rec.reportDigest ? await findStoredReport(tx, rec) : undefined;
  const scanId = stored?.id ?? (await insert());
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
  return { ...(await makeCurrent(tx, rec, scanId, previous)), alreadyStored };
}

/** An identical report already stored for (digest, source), under a lock so two imports cannot both miss it. */
async function findStoredReport(
  tx: Kysely<Database>,
  rec: Pick<ScanRecord, 'imageDigest' | 'source' | 'reportDigest'>,
) {
  await sql`select pg_advisory_xact_lock(hashtext(${`${rec.imageDigest} ${rec.source}`}))`.execute(tx);
  return tx
    .selectFrom('scans')
    .select(['id', 'started_at', 'finished_at'])
    .where('image_digest', '=', rec.imageDigest)
    .where('source', '=', rec.source)
    .where(sql<string>`stats->>'reportDigest'`, '=', rec.reportDigest!)
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

async function insertScan(tx: Kysely<Database>, rec: ScanRecord): Promise<number> {
  const scanId = await insertScanRow(tx, rec);
  for (let i = 0; i < rec.packages.length; i += CHUNK)
    await insertPackages({ db: tx }, scanId, rec.packages.slice(i, i + CHUNK));
  await insertFindings({ db: tx }, scanId, rec.imageDigest, rec.source, rec.findings);
  return scanId;
}

/** The `scans` row of a record (its packages and findings are inserted apart). */
export async function insertScanRow(
  tx: Kysely<Database>,
  rec: Omit<ScanRecord, 'packages' | 'findings'>,
): Promise<number> {
  const stats = rec.reportDigest ? { ...rec.stats, reportDigest: rec.reportDigest } : (rec.stats ?? {});
  const { id: scanId } = await tx
    .insertInto('scans')
    .values({
      image_digest: rec.imageDigest,
      source: rec.source,
      scanner_version: rec.scannerVersion ?? null,
      reference: rec.reference ?? null,
      status: rec.status,
      errors: JSON.stringify(rec.errors),
      os: rec.os ? JSON.stringify(rec.os) : null,
      stats: JSON.stringify(stats),
      started_at: rec.startedAt ?? new Date(),
      finished_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return scanId;
}

/** Inserts one batch of a scan's packages (the caller bounds its size). */
export async function insertPackages(
  { db: tx }: Pick<Store, 'db'>,
  scanId: number,
  packages: Package[],
): Promise<void> {
  if (!packages.length) return;
  await tx
    .insertInto('packages')
    .values(
      packages.map((p) => ({
        scan_id: scanId,
        ecosystem: p.ecosystem,
        name: p.name,
        version: p.version,
        purl: p.purl ?? null,
        source_name: p.sourceName ?? null,
        source_version: p.sourceVersion ?? null,
        layer_diff_id: p.layer ?? null,
        path: p.path ?? null,
        evidence: p.evidence ?? null,
      })),
    )
    .execute();
}

/**
 * Makes the scan what posture reads for (digest, source) unless a complete one would be replaced by
 * a partial one, recording which (vulnerability, package) pairs became or stopped being affected:
 * an `except` between the two scans' stored rows, so no finding is held in memory.
 */
async function makeCurrent(
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

/** Inserts findings for a scan; also used when an advisory re-match replaces a scan's findings. */
export async function insertFindings(
  { db: tx }: Pick<Store, 'db'>,
  scanId: number,
  imageDigest: string,
  source: string,
  findings: Finding[],
): Promise<void> {
  for (let i = 0; i < findings.length; i += CHUNK) {
    await tx
      .insertInto('findings')
      .values(findings.slice(i, i + CHUNK).map((f) => findingRow(scanId, imageDigest, source, f)))
      .execute();
  }
}

/** The `findings` row of one finding: the one mapping every writer of findings uses. */
export function findingRow(scanId: number, imageDigest: string, source: string, f: Finding) {
  return {
    scan_id: scanId,
    image_digest: imageDigest,
    source,
    vulnerability_id: f.id,
    aliases: f.aliases,
    package_ecosystem: f.package.ecosystem,
    package_name: f.package.name,
    package_purl: f.package.purl ?? null,
    installed_version: f.installedVersion,
    fixed_version: f.fixedVersion ?? null,
    layer_diff_id: f.package.layer ?? null,
    severity: f.severity,
    severity_source: f.severitySource ?? null,
    cvss_version: f.cvss?.version ?? null,
    cvss_vector: f.cvss?.vector ?? null,
    cvss_score: f.cvss?.score ?? null,
    status: f.status,
    status_reason: f.statusReason ?? null,
  };
}
