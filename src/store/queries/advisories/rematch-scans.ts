// The queries of a re-match: which current built-in scans hold a package an advisory change
// touched (through the reverse indexes packages(ecosystem, name) and (ecosystem, source_name)),
// their stored SBOMs, and the swap of a scan's findings with the change record per image.
// An incremental re-match works on the touched packages only: the candidate join of the changed
// (ecosystem, name) keys against packages is done here, in SQL, and returns (scan, ecosystem,
// name) — the unit whose findings are re-evaluated and swapped. Every list travels as one array
// parameter (unnest / any), so no statement grows with the input (statement-size.ts).
import { type Kysely, sql } from 'kysely';
import type { PackageEvidence } from '../../../core/package-evidence.js';
import { type Finding, MATCHED_SOURCES, type Package } from '../../../core/types.js';
import type { Store } from '../../open-store.js';
import type { Database } from '../../schema.js';
import { anyNumber, anyText, batches } from '../../statement-size.js';
import { findingRow } from '../scans/save-scan.js';

const CHUNK = 400;

export interface TouchedScan {
  scanId: number;
  imageDigest: string;
  /** The scan's findings source (re-matched findings keep it). */
  source: string;
  os: { family?: string; release?: string; ecosystem?: string } | null;
}

/** Current scans of `sources` whose packages match any (ecosystem, name-or-source-name) pair. */
export async function findScansForPackages(
  { db }: Pick<Store, 'db'>,
  pairs: { ecosystem: string; name: string }[],
  sources: readonly string[] = MATCHED_SOURCES,
): Promise<TouchedScan[]> {
  const ids = new Set<number>();
  for (let i = 0; i < pairs.length; i += CHUNK) {
    const values = sql`(values ${sql.join(pairs.slice(i, i + CHUNK).map((p) => sql`(${p.ecosystem}, ${p.name})`))})`;
    const rows = await db
      .selectFrom('packages as p')
      .innerJoin('current_scans as c', 'c.scan_id', 'p.scan_id')
      .select('p.scan_id')
      .distinct()
      .where('c.source', '=', anyText(sources))
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
      .where('c.source', '=', anyText(sources))
      .where('p.ecosystem', '=', 'PyPI')
      .where(sql`lower(regexp_replace(p.name, '[-_.]+', '-', 'g'))`, 'in', pypi.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) ids.add(r.scan_id);
  }
  return describeScans(db, [...ids]);
}

/** Every current scan of `sources` (a full re-match, e.g. after KEV, EPSS or VEX changed). */
export async function listCurrentScans(
  { db }: Pick<Store, 'db'>,
  sources: readonly string[] = MATCHED_SOURCES,
): Promise<TouchedScan[]> {
  const rows = await db
    .selectFrom('current_scans')
    .select('scan_id')
    .where('source', '=', anyText(sources))
    .execute();
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
      .select(['id', 'image_digest', 'source', 'os'])
      .where('id', '=', anyNumber(ids.slice(i, i + 1000)))
      .execute();
    for (const r of rows)
      out.push({
        scanId: r.id,
        imageDigest: r.image_digest,
        source: r.source,
        os: (r.os as TouchedScan['os']) ?? null,
      });
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
    // Each scan's packages in stored order; the re-matcher reads whole batches (500 scans) at once.
    .orderBy('scan_id')
    .orderBy('id')
    .execute();
  for (const r of rows) out.get(r.scan_id)!.push(packageOf(r));
  return out;
}

function packageOf(r: {
  ecosystem: string;
  name: string;
  version: string;
  purl: string | null;
  source_name: string | null;
  source_version: string | null;
  layer_diff_id: string | null;
  path: string | null;
  evidence: string | null;
}): Package {
  return {
    ecosystem: r.ecosystem,
    name: r.name,
    version: r.version,
    purl: r.purl ?? undefined,
    sourceName: r.source_name ?? undefined,
    sourceVersion: r.source_version ?? undefined,
    layer: r.layer_diff_id ?? undefined,
    path: r.path ?? undefined,
    evidence: (r.evidence ?? undefined) as PackageEvidence | undefined,
  };
}

/** The unit an incremental re-match re-evaluates: every package of one scan with one name. */
export interface TouchedPackage {
  scanId: number;
  ecosystem: string;
  name: string;
}

const KEYS_PER_STATEMENT = 5000;

/**
 * The (scan, ecosystem, name) of current `sources` scans whose packages an advisory change reaches:
 * `pairs` matched on (ecosystem, name) or (ecosystem, source_name) through the reverse indexes,
 * PyPI names also normalised (PEP 503), and `cves` through the findings that name them.
 */
export async function findTouchedPackages(
  { db }: Pick<Store, 'db'>,
  touched: { pairs: { ecosystem: string; name: string }[]; cves?: readonly string[] | undefined },
  sources: readonly string[] = MATCHED_SOURCES,
): Promise<TouchedPackage[]> {
  const out = new Map<string, TouchedPackage>();
  const add = (rows: { scan_id: number | string; ecosystem: string; name: string }[]) => {
    for (const r of rows) {
      const scanId = Number(r.scan_id);
      out.set(`${scanId}\u0000${r.ecosystem}\u0000${r.name}`, {
        scanId,
        ecosystem: r.ecosystem,
        name: r.name,
      });
    }
  };
  for (const chunk of batches(touched.pairs, KEYS_PER_STATEMENT)) {
    const ecos = chunk.map((p) => p.ecosystem);
    const names = chunk.map((p) => p.name);
    for (const column of [sql.ref('p.name'), sql.ref('p.source_name')]) {
      const { rows } = await sql<{ scan_id: number; ecosystem: string; name: string }>`
        select distinct p.scan_id, p.ecosystem, p.name
        from unnest(${ecos}::text[], ${names}::text[]) as k(ecosystem, name)
        join packages p on p.ecosystem = k.ecosystem and ${column} = k.name
        join current_scans c on c.scan_id = p.scan_id and c.source = any(${[...sources]}::text[])`.execute(
        db,
      );
      add(rows);
    }
  }
  const pypi = [...new Set(touched.pairs.filter((p) => p.ecosystem === 'PyPI').map((p) => p.name))];
  for (const chunk of batches(pypi, KEYS_PER_STATEMENT)) {
    const rows = await db
      .selectFrom('packages as p')
      .innerJoin('current_scans as c', 'c.scan_id', 'p.scan_id')
      .select(['p.scan_id', 'p.ecosystem', 'p.name'])
      .distinct()
      .where('c.source', '=', anyText(sources))
      .where('p.ecosystem', '=', 'PyPI')
      .where(sql`lower(regexp_replace(p.name, '[-_.]+', '-', 'g'))`, '=', anyText(chunk))
      .execute();
    add(rows);
  }
  for (const chunk of batches([...new Set(touched.cves ?? [])], KEYS_PER_STATEMENT)) {
    const rows = await db
      .selectFrom('findings as f')
      .innerJoin('current_scans as c', 'c.scan_id', 'f.scan_id')
      .select(['f.scan_id', 'f.package_ecosystem as ecosystem', 'f.package_name as name'])
      .distinct()
      .where('c.source', '=', anyText(sources))
      .where('f.vulnerability_id', '=', anyText(chunk))
      .execute();
    add(rows);
  }
  return [...out.values()].sort((a, b) => a.scanId - b.scanId);
}

/** The stored packages of some (scan, ecosystem, name) units, per scan in stored order. */
export async function loadTouchedPackages(
  { db }: Pick<Store, 'db'>,
  touched: readonly TouchedPackage[],
): Promise<Map<number, Package[]>> {
  const out = new Map<number, Package[]>(touched.map((t) => [t.scanId, []]));
  for (const chunk of batches(touched, KEYS_PER_STATEMENT)) {
    const { rows } = await sql<Parameters<typeof packageOf>[0] & { scan_id: number | string }>`
      select p.scan_id, p.ecosystem, p.name, p.version, p.purl, p.source_name, p.source_version,
             p.layer_diff_id, p.path, p.evidence
      from unnest(${chunk.map((t) => t.scanId)}::bigint[], ${chunk.map((t) => t.ecosystem)}::text[],
                  ${chunk.map((t) => t.name)}::text[]) as t(scan_id, ecosystem, name)
      join packages p on p.scan_id = t.scan_id and p.ecosystem = t.ecosystem and p.name = t.name
      order by p.scan_id, p.id`.execute(db);
    for (const r of rows) out.get(Number(r.scan_id))!.push(packageOf(r));
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

/** What one scan's swap replaces: all its findings, or those of some packages (by ecosystem, name). */
export interface SwapItem {
  scan: { scanId: number; imageDigest: string; source?: string };
  findings: Finding[];
  /** Only the findings of these packages are replaced (an incremental re-match); all when absent. */
  packages?: { ecosystem: string; name: string }[] | undefined;
}

const ROWS_PER_STATEMENT = 5000;
/** Joins a finding's aliases into one text for unnest (string_to_array splits it back). */
const ALIAS_SEPARATOR = '\u001f';

/**
 * Replaces the findings of several scans in one go (one read, one delete, bulk inserts): the
 * re-matcher's batch write. Same change rules as replaceScanFindings. An item with `packages`
 * replaces only those packages' findings; its other findings are neither read nor touched.
 */
export async function replaceFindingsOfScans(
  { db: tx }: Pick<Store, 'db'>,
  items: SwapItem[],
  cause: string,
): Promise<FindingSwap[]> {
  const whole = items.filter((i) => !i.packages).map((i) => i.scan.scanId);
  const scoped = items.flatMap((i) =>
    i.packages
      ? i.packages.map((p) => ({ scanId: i.scan.scanId, ecosystem: p.ecosystem, name: p.name }))
      : [],
  );
  type Before = {
    scan_id: number | string;
    vulnerability_id: string;
    package_name: string;
    status: string;
    severity: string;
    severity_source: string | null;
    cvss_score: number | null;
  };
  const before: Before[] = [];
  if (whole.length)
    before.push(
      ...(await tx
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
        .where('scan_id', '=', anyNumber(whole))
        .execute()),
    );
  for (const chunk of batches(scoped, ROWS_PER_STATEMENT)) {
    const { rows } = await sql<Before>`
      select f.scan_id, f.vulnerability_id, f.package_name, f.status, f.severity, f.severity_source, f.cvss_score
      from ${scopeTable(chunk)}
      join findings f on f.scan_id = t.scan_id and f.package_ecosystem = t.ecosystem and f.package_name = t.name`.execute(
      tx,
    );
    before.push(...rows);
  }
  const ids = items.map((i) => i.scan.scanId);
  // A finding's rating: severity and CVSS score, and who decided — compared only when the stored
  // row says (rows written before migration 9 have no source; filling it in is no change).
  const rating = (severity: string, score: number | null | undefined) => `${severity}|${score ?? ''}`;
  const byScan = new Map<number, Map<string, { status: string; rating: string; source: string | null }>>(
    ids.map((id) => [id, new Map()]),
  );
  for (const r of before)
    byScan.get(Number(r.scan_id))!.set(`${r.vulnerability_id}\u0000${r.package_name}`, {
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
  if (whole.length) await tx.deleteFrom('findings').where('scan_id', '=', anyNumber(whole)).execute();
  for (const chunk of batches(scoped, ROWS_PER_STATEMENT))
    await sql`delete from findings f using ${scopeTable(chunk)}
      where f.scan_id = t.scan_id and f.package_ecosystem = t.ecosystem and f.package_name = t.name`.execute(
      tx,
    );
  const rows = items.flatMap(({ scan, findings }) =>
    findings.map((f) => findingRow(scan.scanId, scan.imageDigest, scan.source ?? 'runsight', f)),
  );
  for (const chunk of batches(rows, ROWS_PER_STATEMENT)) await insertFindingRows(tx, chunk);
  for (const chunk of batches(changes, ROWS_PER_STATEMENT)) {
    const col = <K extends keyof (typeof changes)[number]>(k: K) => chunk.map((c) => c[k]);
    await sql`insert into finding_changes (image_digest, vulnerability_id, package_name, change, cause)
      select * from unnest(${col('image_digest')}::text[], ${col('vulnerability_id')}::text[],
        ${col('package_name')}::text[], ${col('change')}::text[], ${col('cause')}::text[])`.execute(tx);
  }
  return swaps;
}

/** `unnest(…) as t(scan_id, ecosystem, name)`: a list of package units as three array parameters. */
function scopeTable(units: readonly { scanId: number; ecosystem: string; name: string }[]) {
  return sql`unnest(${units.map((u) => u.scanId)}::bigint[], ${units.map((u) => u.ecosystem)}::text[],
    ${units.map((u) => u.name)}::text[]) as t(scan_id, ecosystem, name)`;
}

/** Inserts finding rows column-wise: one array parameter per column, whatever the row count. */
async function insertFindingRows(tx: Kysely<Database>, rows: ReturnType<typeof findingRow>[]): Promise<void> {
  if (!rows.length) return;
  const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
  await sql`insert into findings (scan_id, image_digest, source, vulnerability_id, aliases, package_ecosystem,
      package_name, package_purl, installed_version, fixed_version, layer_diff_id, severity, severity_source,
      cvss_version, cvss_vector, cvss_score, status, status_reason)
    select scan_id, image_digest, source, vulnerability_id,
      case when aliases = '' then '{}'::text[] else string_to_array(aliases, ${ALIAS_SEPARATOR}) end,
      package_ecosystem, package_name, package_purl, installed_version, fixed_version, layer_diff_id,
      severity, severity_source, cvss_version, cvss_vector, cvss_score, status, status_reason
    from unnest(${col('scan_id')}::bigint[], ${col('image_digest')}::text[], ${col('source')}::text[],
      ${col('vulnerability_id')}::text[], ${rows.map((r) => r.aliases.join(ALIAS_SEPARATOR))}::text[],
      ${col('package_ecosystem')}::text[], ${col('package_name')}::text[], ${col('package_purl')}::text[],
      ${col('installed_version')}::text[], ${col('fixed_version')}::text[], ${col('layer_diff_id')}::text[],
      ${col('severity')}::text[], ${col('severity_source')}::text[], ${col('cvss_version')}::text[],
      ${col('cvss_vector')}::text[], ${col('cvss_score')}::float8[], ${col('status')}::text[],
      ${col('status_reason')}::text[])
      as t(scan_id, image_digest, source, vulnerability_id, aliases, package_ecosystem, package_name,
        package_purl, installed_version, fixed_version, layer_diff_id, severity, severity_source,
        cvss_version, cvss_vector, cvss_score, status, status_reason)`.execute(tx);
}
