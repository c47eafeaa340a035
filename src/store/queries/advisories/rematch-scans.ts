// The queries of a re-match: which current built-in scans hold a package an advisory change
// touched (through the reverse indexes packages(ecosystem, name) and (ecosystem, source_name)),
// their stored SBOMs, and the swap of a scan's findings with the change record per image.
import { type Kysely, sql } from 'kysely';
import type { PackageEvidence } from '../../../core/package-evidence.js';
import type { Finding, Package } from '../../../core/types.js';
import type { Store } from '../../open-store.js';
import type { Database } from '../../schema.js';
import { anyNumber } from '../../statement-size.js';
import { findingRow } from '../scans/save-scan.js';

const CHUNK = 400;

export interface TouchedScan {
  scanId: number;
  imageDigest: string;
  os: { family?: string; release?: string; ecosystem?: string } | null;
}

/** Current scans of `source` whose packages match any (ecosystem, name-or-source-name) pair. */
export async function findScansForPackages(
  { db }: Pick<Store, 'db'>,
  pairs: { ecosystem: string; name: string }[],
  source = 'runsight',
): Promise<TouchedScan[]> {
  const ids = new Set<number>();
  for (let i = 0; i < pairs.length; i += CHUNK) {
    const values = sql`(values ${sql.join(pairs.slice(i, i + CHUNK).map((p) => sql`(${p.ecosystem}, ${p.name})`))})`;
    const rows = await db
      .selectFrom('packages as p')
      .innerJoin('current_scans as c', 'c.scan_id', 'p.scan_id')
      .select('p.scan_id')
      .distinct()
      .where('c.source', '=', source)
      .where((eb) =>
        eb.or([
          eb(sql`(p.ecosystem, p.name)`, 'in', values),
          eb(sql`(p.ecosystem, p.source_name)`, 'in', values),
        ]),
      )
      .execute();
    for (const r of rows) ids.add(r.scan_id);
  }
  // PyPI names are matched normalised (PEP 503) while SBOMs keep the spelling they found.
  const pypi = [...new Set(pairs.filter((p) => p.ecosystem === 'PyPI').map((p) => p.name))];
  for (let i = 0; i < pypi.length; i += CHUNK) {
    const rows = await db
      .selectFrom('packages as p')
      .innerJoin('current_scans as c', 'c.scan_id', 'p.scan_id')
      .select('p.scan_id')
      .distinct()
      .where('c.source', '=', source)
      .where('p.ecosystem', '=', 'PyPI')
      .where(sql`lower(regexp_replace(p.name, '[-_.]+', '-', 'g'))`, 'in', pypi.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) ids.add(r.scan_id);
  }
  return describeScans(db, [...ids]);
}

/** Every current scan of `source` (a full re-match, e.g. after KEV, EPSS or VEX changed). */
export async function listCurrentScans(
  { db }: Pick<Store, 'db'>,
  source = 'runsight',
): Promise<TouchedScan[]> {
  const rows = await db.selectFrom('current_scans').select('scan_id').where('source', '=', source).execute();
  return describeScans(
    db,
    rows.map((r) => r.scan_id),
  );
}

/** Scan ids → TouchedScan (digest and OS), in id order. */
export async function describeScans(db: Kysely<Database>, ids: number[]): Promise<TouchedScan[]> {
  const out: TouchedScan[] = [];
  ids.sort((a, b) => a - b);
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await db
      .selectFrom('scans')
      .select(['id', 'image_digest', 'os'])
      .where('id', '=', anyNumber(ids.slice(i, i + 1000)))
      .execute();
    for (const r of rows)
      out.push({ scanId: r.id, imageDigest: r.image_digest, os: (r.os as TouchedScan['os']) ?? null });
  }
  return out.sort((a, b) => a.scanId - b.scanId);
}

/** The stored SBOMs of some scans — no layer is read. */
export async function loadScanPackages(
  { db }: Pick<Store, 'db'>,
  scanIds: number[],
): Promise<Map<number, Package[]>> {
  const out = new Map<number, Package[]>(scanIds.map((id) => [id, []]));
  if (!scanIds.length) return out;
  const rows = await db
    .selectFrom('packages')
    .select([
      'scan_id',
      'ecosystem',
      'name',
      'version',
      'purl',
      'source_name',
      'source_version',
      'layer_diff_id',
      'path',
      'evidence',
    ])
    .where('scan_id', '=', anyNumber(scanIds))
    .orderBy('id')
    .execute();
  for (const r of rows) {
    out.get(r.scan_id)!.push({
      ecosystem: r.ecosystem,
      name: r.name,
      version: r.version,
      purl: r.purl ?? undefined,
      sourceName: r.source_name ?? undefined,
      sourceVersion: r.source_version ?? undefined,
      layer: r.layer_diff_id ?? undefined,
      path: r.path ?? undefined,
      evidence: (r.evidence ?? undefined) as PackageEvidence | undefined,
    });
  }
  return out;
}

export interface FindingSwap {
  newlyAffected: number;
  newlyFixed: number;
  statusChanged: number;
  /** Same status, another rating: severity, its source or the CVSS score moved (migration 9). */
  severityChanged: number;
}

/** Replaces one scan's findings and records the change per image (see replaceFindingsOfScans). */
export async function replaceScanFindings(
  { db: tx }: Pick<Store, 'db'>,
  scan: { scanId: number; imageDigest: string; source?: string },
  findings: Finding[],
  cause: string,
): Promise<FindingSwap> {
  return (await replaceFindingsOfScans({ db: tx }, [{ scan, findings }], cause))[0]!;
}

/**
 * Replaces the findings of several scans in one go (one read, one delete, chunked inserts): the
 * re-matcher's batch write. Same change rules as replaceScanFindings.
 */
export async function replaceFindingsOfScans(
  { db: tx }: Pick<Store, 'db'>,
  items: { scan: { scanId: number; imageDigest: string; source?: string }; findings: Finding[] }[],
  cause: string,
): Promise<FindingSwap[]> {
  const ids = items.map((i) => i.scan.scanId);
  const before = ids.length
    ? await tx
        .selectFrom('findings')
        .select([
          'scan_id',
          'vulnerability_id',
          'package_name',
          'status',
          'severity',
          'severity_source',
          'cvss_score',
        ])
        .where('scan_id', '=', anyNumber(ids))
        .execute()
    : [];
  // A finding's rating: severity and CVSS score, and who decided — compared only when the stored
  // row says (rows written before migration 9 have no source; filling it in is no change).
  const rating = (severity: string, score: number | null | undefined) => `${severity}|${score ?? ''}`;
  const byScan = new Map<number, Map<string, { status: string; rating: string; source: string | null }>>(
    ids.map((id) => [id, new Map()]),
  );
  for (const r of before)
    byScan.get(r.scan_id)!.set(`${r.vulnerability_id}\u0000${r.package_name}`, {
      status: r.status,
      rating: rating(r.severity, r.cvss_score),
      source: r.severity_source,
    });
  type Change = 'newly_affected' | 'newly_fixed' | 'status_changed' | 'severity_changed';
  const changes: {
    image_digest: string;
    vulnerability_id: string;
    package_name: string;
    change: Change;
    cause: string;
  }[] = [];
  const swaps: FindingSwap[] = [];
  for (const { scan, findings } of items) {
    const beforeStatus = byScan.get(scan.scanId)!;
    const after = new Map(
      findings.map((f) => [
        `${f.id}\u0000${f.package.name}`,
        {
          status: f.status as string,
          rating: rating(f.severity, f.cvss?.score),
          source: f.severitySource ?? null,
        },
      ]),
    );
    const swap: FindingSwap = { newlyAffected: 0, newlyFixed: 0, statusChanged: 0, severityChanged: 0 };
    const row = (k: string, change: Change) => {
      const [vulnerability_id = '', package_name = ''] = k.split('\u0000');
      changes.push({ image_digest: scan.imageDigest, vulnerability_id, package_name, change, cause });
      if (change === 'newly_affected') swap.newlyAffected++;
      else if (change === 'newly_fixed') swap.newlyFixed++;
      else if (change === 'status_changed') swap.statusChanged++;
      else swap.severityChanged++;
    };
    for (const [k, { status: st, rating: r, source }] of after) {
      const was = beforeStatus.get(k);
      if (st === 'affected' && was === undefined) row(k, 'newly_affected');
      else if (was !== undefined && was.status !== st && (st === 'affected' || was.status === 'affected'))
        row(k, 'status_changed');
      // A re-rated finding that posture counts (affected or unknown) makes its image stale.
      else if (
        was !== undefined &&
        was.status === st &&
        (was.rating !== r || (was.source !== null && was.source !== source)) &&
        st !== 'not_affected' &&
        st !== 'fixed'
      )
        row(k, 'severity_changed');
    }
    for (const [k, was] of beforeStatus)
      if (was.status === 'affected' && !after.has(k)) row(k, 'newly_fixed');
    swaps.push(swap);
  }
  if (ids.length) await tx.deleteFrom('findings').where('scan_id', '=', anyNumber(ids)).execute();
  const rows = items.flatMap(({ scan, findings }) =>
    findings.map((f) => findingRow(scan.scanId, scan.imageDigest, scan.source ?? 'runsight', f)),
  );
  for (let i = 0; i < rows.length; i += 1000)
    await tx
      .insertInto('findings')
      .values(rows.slice(i, i + 1000))
      .execute();
  for (let i = 0; i < changes.length; i += 1000) {
    await tx
      .insertInto('finding_changes')
      .values(changes.slice(i, i + 1000))
      .execute();
  }
  return swaps;
}
