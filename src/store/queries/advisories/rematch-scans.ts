// The queries of a re-match: which current built-in scans hold a package an advisory change
// touched (through the reverse indexes packages(ecosystem, name) and (ecosystem, source_name)),
// their stored SBOMs, and the swap of a scan's findings with the change record per image.
// An incremental re-match works on the touched packages only: the candidate join of the changed
// (ecosystem, name) keys against packages is done here, in SQL, and returns (scan, ecosystem,
// name) — the unit whose findings are re-evaluated and swapped. Every list travels as one array
// parameter (unnest / any), so no statement grows with the input (statement-size.ts).
import { type Kysely, type RawBuilder, sql } from 'kysely';
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

/** Every package ecosystem stored and every OS ecosystem of the current `sources` scans. */
export async function listStoredEcosystems(
  { db }: Pick<Store, 'db'>,
  sources: readonly string[] = MATCHED_SOURCES,
): Promise<{ packageEcosystems: string[]; osEcosystems: string[] }> {
  // A loose index scan over packages_reverse: one probe per distinct ecosystem, not a pass over the rows.
  const { rows: ecos } = await sql<{ ecosystem: string }>`
    with recursive e(ecosystem) as (
      (select ecosystem from packages order by ecosystem limit 1)
      union all
      select (select p.ecosystem from packages p where p.ecosystem > e.ecosystem order by p.ecosystem limit 1)
      from e where e.ecosystem is not null)
    select ecosystem from e where ecosystem is not null`.execute(db);
  const { rows: oses } = await sql<{ ecosystem: string }>`
    select distinct s.os->>'ecosystem' as ecosystem
    from current_scans c join scans s on s.id = c.scan_id
    where c.source = any(${[...sources]}::text[]) and s.os->>'ecosystem' is not null`.execute(db);
  return { packageEcosystems: ecos.map((r) => r.ecosystem), osEcosystems: oses.map((r) => r.ecosystem) };
}

/** How the candidate join keys a package (advisories/match/package-keys.ts candidateRules). */
export interface CandidateJoinRules {
  lookups: { effective: string; advisoryEcosystem: string; name: 'name' | 'source' | 'pep503' }[];
  overrides: { packageEcosystem: string; osEcosystem: string; effective: string }[];
}

/**
 * The candidate join's rules as common table expressions: `l` (effective ecosystem, advisory
 * ecosystem, name kind), `o` (the OS overrides), `k` (effective ecosystem × name kind) and `keys`
 * (every (effective ecosystem, name) the advisory_affected rows of those lookups can meet). A
 * package `p` joins them with ruleJoin and is a candidate when its (k.effective, KEY_NAME) is in
 * `keys` (a hash semi-join on two columns: no key text is built per package).
 */
export function candidateRules(rules: CandidateJoinRules): RawBuilder<unknown> {
  const l = rules.lookups;
  const o = rules.overrides;
  return sql`l(effective, advisory_ecosystem, kind) as (
      select * from unnest(${l.map((x) => x.effective)}::text[], ${l.map((x) => x.advisoryEcosystem)}::text[],
        ${l.map((x) => x.name)}::text[])),
    o(package_ecosystem, os_ecosystem, effective) as (
      select * from unnest(${o.map((x) => x.packageEcosystem)}::text[], ${o.map((x) => x.osEcosystem)}::text[],
        ${o.map((x) => x.effective)}::text[])),
    k(effective, kind) as (select distinct effective, kind from l),
    keys(effective, name) as materialized (
      select distinct l.effective, f.package_name
      from l join advisory_affected f on f.ecosystem = l.advisory_ecosystem)`;
}

/**
 * Joins a package `p` to its rule `k` (candidateRules): through its scan `s` and the OS override
 * `o` when some package ecosystem takes the OS's release, straight on its ecosystem otherwise.
 */
export function ruleJoin(rules: CandidateJoinRules): RawBuilder<unknown> {
  return rules.overrides.length
    ? sql`join scans s on s.id = p.scan_id
      left join o on o.package_ecosystem = p.ecosystem and o.os_ecosystem = s.os->>'ecosystem'
      join k on k.effective = coalesce(o.effective, p.ecosystem)`
    : sql`join k on k.effective = p.ecosystem`;
}

/** The scan's OS ecosystem where it decides a package's effective ecosystem (ruleJoin), else ''. */
export function overridingOs(rules: CandidateJoinRules): RawBuilder<unknown> {
  return rules.overrides.length
    ? sql`case when o.effective is null then '' else coalesce(s.os->>'ecosystem', '') end`
    : sql`''::text`;
}

/** The name a package is looked up by under the rule `k` it joined (see candidateRules). */
export const KEY_NAME = sql`case k.kind
               when 'source' then coalesce(nullif(p.source_name, ''), p.name)
               when 'pep503' then lower(regexp_replace(p.name, '[-_.]+', '-', 'g'))
               else p.name end`;

/**
 * The stored packages of some scans that an advisory_affected row names, per scan in stored order:
 * the candidate join of a full re-match, done where the data is. Each package's lookup key —
 * effective ecosystem (the OS's for a package stored without its release, `overrides`) and name
 * (as stored, the source package, or PEP 503 normalised, per `lookups`) — is joined against the
 * advisory_affected keys of the advisory ecosystems it is looked up under (a hash semi-join). A
 * package that joins no key has no finding, whatever its version; the rest go to the matcher, which
 * compares versions and leaves out withdrawn advisories and packages whose identity is guessed.
 */
export async function loadCandidatePackages(
  { db }: Pick<Store, 'db'>,
  scanIds: number[],
  rules: CandidateJoinRules,
): Promise<Map<number, Package[]>> {
  const out = new Map<number, Package[]>(scanIds.map((id) => [id, []]));
  if (!scanIds.length || !rules.lookups.length) return out;
  const { rows } = await sql<Parameters<typeof packageOf>[0] & { scan_id: number | string }>`
    with ${candidateRules(rules)}
    select c.scan_id, c.ecosystem, c.name, c.version, c.purl, c.source_name, c.source_version,
           c.layer_diff_id, c.path, c.evidence
    from (
      select p.id, p.scan_id, p.ecosystem, p.name, p.version, p.purl, p.source_name, p.source_version,
             p.layer_diff_id, p.path, p.evidence,
             k.effective, ${KEY_NAME} as key_name
      from packages p
      ${ruleJoin(rules)}
      where p.scan_id = any(${scanIds}::bigint[])
      -- A fence: the key name is computed per package first, so the semi-join below hashes on it
      -- (flattened, the planner may join k to keys first and compare every key per package).
      offset 0) c
    where (c.effective, c.key_name) in (select effective, name from keys)
    order by c.scan_id, c.id`.execute(db);
  for (const r of rows) out.get(Number(r.scan_id))!.push(packageOf(r));
  return out;
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

/** The columns of a stored finding a swap compares (findingRow's, plus advisory_ids it leaves empty). */
const FINDING_COLUMNS = sql`f.id, f.scan_id, f.image_digest, f.source, f.vulnerability_id, f.aliases,
  f.package_ecosystem, f.package_name, f.package_purl, f.installed_version, f.fixed_version, f.layer_diff_id,
  f.severity, f.severity_source, f.cvss_version, f.cvss_vector, f.cvss_score, f.status, f.status_reason,
  f.advisory_ids`;

type StoredFinding = ReturnType<typeof findingRow> & {
  id: number | string;
  scan_id: number | string;
  advisory_ids: string[];
};

/** One text per finding row, equal exactly when every stored column is (the set difference's key). */
function rowSignature(
  r: Omit<ReturnType<typeof findingRow>, 'scan_id'>,
  advisoryIds: readonly string[],
): string {
  return JSON.stringify([
    r.image_digest,
    r.source,
    r.vulnerability_id,
    r.aliases,
    r.package_ecosystem,
    r.package_name,
    r.package_purl,
    r.installed_version,
    r.fixed_version,
    r.layer_diff_id,
    r.severity,
    r.severity_source,
    r.cvss_version,
    r.cvss_vector,
    r.cvss_score,
    r.status,
    r.status_reason,
    advisoryIds,
  ]);
}

/**
 * Replaces the findings of several scans in one go: the re-matcher's batch write. The swap is a set
 * difference: the stored rows in scope (whole scans, or with `packages` only those packages'
 * findings) are read once, and only the rows that vanished or changed are deleted and only the new
 * or changed ones inserted — an unchanged finding is not rewritten (a re-match that changes
 * nothing writes nothing). Deletes go by id and inserts column-wise, in batches of
 * ROWS_PER_STATEMENT, so no statement grows with the input. Same change rules as replaceScanFindings.
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
  const before: StoredFinding[] = [];
  for (const chunk of batches(whole, 500)) {
    const { rows } = await sql<StoredFinding>`select ${FINDING_COLUMNS} from findings f
      where f.scan_id = any(${chunk}::bigint[])`.execute(tx);
    for (const r of rows) before.push(r);
  }
  for (const chunk of batches(scoped, ROWS_PER_STATEMENT)) {
    const { rows } = await sql<StoredFinding>`
      select ${FINDING_COLUMNS}
      from ${scopeTable(chunk)}
      join findings f on f.scan_id = t.scan_id and f.package_ecosystem = t.ecosystem and f.package_name = t.name`.execute(
      tx,
    );
    for (const r of rows) before.push(r);
  }
  const ids = items.map((i) => i.scan.scanId);
  // A finding's rating: severity and CVSS score, and who decided — compared only when the stored
  // row says (rows written before migration 9 have no source; filling it in is no change).
  const rating = (severity: string, score: number | null | undefined) => `${severity}|${score ?? ''}`;
  const byScan = new Map<number, Map<string, { status: string; rating: string; source: string | null }>>(
    ids.map((id) => [id, new Map()]),
  );
  // Stored rows by signature (several equal rows are possible: a package stored twice at one layer).
  const stored = new Map<number, Map<string, (number | string)[]>>(ids.map((id) => [id, new Map()]));
  for (const r of before) {
    const scanId = Number(r.scan_id);
    byScan.get(scanId)!.set(`${r.vulnerability_id}\u0000${r.package_name}`, {
      status: r.status,
      rating: rating(r.severity, r.cvss_score),
      source: r.severity_source,
    });
    const sig = rowSignature(r, r.advisory_ids ?? []);
    const same = stored.get(scanId)!;
    const list = same.get(sig);
    if (list) list.push(r.id);
    else same.set(sig, [r.id]);
  }
  type Change = 'newly_affected' | 'newly_fixed' | 'status_changed' | 'severity_changed';
  const changes: {
    image_digest: string;
    vulnerability_id: string;
    package_name: string;
    change: Change;
    cause: string;
  }[] = [];
  const swaps: FindingSwap[] = [];
  const inserts: ReturnType<typeof findingRow>[] = [];
  const deletes: (number | string)[] = [];
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
    // The set difference: a computed row equal to a stored one keeps it; the rest are written.
    const same = stored.get(scan.scanId)!;
    for (const f of findings) {
      const r = findingRow(scan.scanId, scan.imageDigest, scan.source ?? 'runsight', f);
      const list = same.get(rowSignature(r, []));
      if (list?.length) list.pop();
      else inserts.push(r);
    }
    for (const list of same.values()) for (const id of list) deletes.push(id);
  }
  for (const chunk of batches(deletes, ROWS_PER_STATEMENT))
    await sql`delete from findings where id = any(${chunk}::bigint[])`.execute(tx);
  for (const chunk of batches(inserts, ROWS_PER_STATEMENT)) await insertFindingRows(tx, chunk);
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
