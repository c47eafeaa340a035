// The queries of a re-match done where the data is (ADR 0027, ADR 0031): inside one transaction, the
// candidate packages in scope (every current scan, or some (scan, ecosystem, name) units) are staged
// in a temporary table by the same candidate join as loadCandidatePackages, each with its group
// (effective ecosystem, key name, evidence) and key version. The process reads the distinct groups
// and versions, and sends back version lines: per ecosystem the versions ranked, per group the rank
// where each position on its line starts and each position's findings (templates); SQL finds each
// package's position by its version's rank. The packages no line covers become keys named by two
// 64-bit hashes, which the process reads in pages (a cursor) and evaluates once each, sending back
// (key, template) pairs in bounded batches. SQL then builds the findings as a join of the staged
// packages with positions and pairs, and writes the set difference against the stored findings and
// the change records per image — no package row or finding row travels to the process. Same
// results as replaceFindingsOfScans.
import { type RawBuilder, sql } from 'kysely';
import { MATCHED_SOURCES } from '../../../core/types.js';
import type { Store } from '../../open-store.js';
import { batches } from '../../statement-size.js';
import {
  type CandidateJoinRules,
  candidateRules,
  type FindingSwap,
  KEY_NAME,
  overridingOs,
  ruleJoin,
  type TouchedPackage,
} from './rematch-scans.js';

/** What a re-match in the store covers: every current scan of `sources`, or some package units. */
export type RematchScope =
  | { kind: 'all'; sources?: readonly string[] }
  | { kind: 'units'; units: readonly TouchedPackage[] }
  /** The units findTouchedPackages would return for these pairs, found and staged in SQL. */
  | { kind: 'pairs'; pairs: readonly { ecosystem: string; name: string }[]; sources?: readonly string[] };

/** The inputs of a package's lookup key, as stored ('' for a missing value). */
export interface RematchKey {
  /** The key's two hashes, as text (the store reads int8 as numbers): how the process names the key. */
  k1: string;
  k2: string;
  ecosystem: string;
  name: string;
  version: string;
  sourceName: string;
  sourceVersion: string;
  evidence: string;
  /** The scan's OS ecosystem when it changes the package's effective ecosystem, else ''. */
  osEcosystem: string;
}

/** The package-independent columns of a finding, as the matcher rates them for a key. */
export interface FindingTemplate {
  vulnerabilityId: string;
  aliases: readonly string[];
  fixedVersion: string | null;
  severity: string;
  severitySource: string | null;
  cvssVersion: string | null;
  cvssVector: string | null;
  cvssScore: number | null;
  status: string;
  statusReason: string | null;
}

const ROWS_PER_STATEMENT = 5000;
const PAIRS_PER_STATEMENT = 50_000;
/** Joins a finding's aliases into one text for unnest (string_to_array splits it back). */
const ALIAS_SEPARATOR = '\u001f';

/**
 * A staged package's key: two 64-bit hashes of its lookup inputs (hash_record_extended with two
 * seeds, about a third of the cost of an MD5 of their text), which its key's findings are joined on.
 * Two keys with the same pair (2^-128 by chance, as with a digest) would share findings.
 */
const KEY_HASHES = twoHashes(
  sql`row(c.ecosystem, c.name, c.version, c.source_name, c.source_version, c.evidence, c.os_ecosystem)`,
  'k1',
  'k2',
);

/**
 * Rows `a` and `b` name the same key (KEY_HASHES' k1 and k2 equal). The second hash is compared
 * through an expression (k2 xor k2 = 0, which cannot overflow): compared as two columns, the
 * planner takes the hashes for independent, multiplies their selectivities and expects one row
 * where the hits join a million packages — and with one row expected it may loop over the
 * templates for each row (at 20k SBOMs: cancelled after 10 minutes, against 4 s). An expression
 * has no statistics, so it costs only a default selectivity and the plan stays on hash joins
 * (exported for its test).
 */
export function sameKey(a: RawBuilder<unknown>, b: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`${a}.k1 = ${b}.k1 and (${a}.k2 # ${b}.k2) = 0`;
}

/** Two 64-bit hashes of a row value (two seeds of hash_record_extended), as the columns `a` and `b`. */
function twoHashes(row: RawBuilder<unknown>, a: string, b: string): RawBuilder<unknown> {
  return sql`hash_record_extended(${row}, 0) as ${sql.ref(a)},
    hash_record_extended(${row}, 7046029254386353131) as ${sql.ref(b)}`;
}

/**
 * PostgreSQL only: memory for the re-match transaction's sorts and hashes (numbering millions of
 * keys, joining them back, the multiset difference), which spill to disk at the default 4 MB.
 * Reverts at commit or rollback.
 */
export async function tuneRematchTransaction({ db: tx }: Pick<Store, 'db'>): Promise<void> {
  await sql`set local work_mem = '256MB'`.execute(tx);
}

/**
 * Stages the candidate packages of `scope` (rm_cand, each with its group and key version), the scans
 * in scope (rm_scans) and the empty tables the version lines, the keys left and their findings go
 * to (writeRematchLines, writeRematchHits). Call inside a transaction: the tables are dropped at its
 * commit.
 */
export async function stageRematch(
  { db: tx }: Pick<Store, 'db'>,
  scope: RematchScope,
  rules: CandidateJoinRules,
): Promise<void> {
  await sql`create temp table rm_scans (scan_id bigint primary key, image_digest text not null) on commit drop`.execute(
    tx,
  );
  if (scope.kind === 'all') {
    await sql`insert into rm_scans select c.scan_id, s.image_digest from current_scans c join scans s on s.id = c.scan_id
      where c.source = any(${[...(scope.sources ?? MATCHED_SOURCES)]}::text[])`.execute(tx);
  } else {
    if (scope.kind === 'units') {
      await sql`create temp table rm_units (scan_id bigint, ecosystem text, name text) on commit drop`.execute(
        tx,
      );
      for (const chunk of batches(scope.units, ROWS_PER_STATEMENT)) {
        await sql`insert into rm_units select * from unnest(${chunk.map((u) => u.scanId)}::bigint[],
          ${chunk.map((u) => u.ecosystem)}::text[], ${chunk.map((u) => u.name)}::text[])`.execute(tx);
      }
    } else await stageTouchedUnits(tx, scope.pairs, scope.sources ?? MATCHED_SOURCES);
    await sql`insert into rm_scans select distinct u.scan_id, s.image_digest from rm_units u join scans s on s.id = u.scan_id`.execute(
      tx,
    );
    await sql`analyze rm_units`.execute(tx);
  }
  await sql`analyze rm_scans`.execute(tx);
  // A unit scope probes the reverse index once per distinct (ecosystem, name), then keeps the
  // packages of the units' scans (a hash semi-join; not an index probe per unit and scan). Changed
  // pairs staged their units' packages as they found them (rm_found).
  const inScope =
    scope.kind === 'all'
      ? sql`packages p join rm_scans r on r.scan_id = p.scan_id`
      : scope.kind === 'pairs'
        ? sql`rm_found p`
        : sql`(${packagesOfUnits(sql`rm_units`)}) p`;
  await sql`create temp table rm_cand on commit drop as
    with ${candidateRules(rules)}
    select c.id, c.scan_id, c.ecosystem, c.name, c.version, c.purl, c.layer_diff_id, c.source_name,
      c.source_version, c.evidence, c.os_ecosystem, c.effective, c.key_name, c.key_version
    from (
      select p.id, p.scan_id, p.ecosystem, p.name, p.version, p.purl, p.layer_diff_id,
             coalesce(p.source_name, '') as source_name, coalesce(p.source_version, '') as source_version,
             coalesce(p.evidence, '') as evidence, ${overridingOs(rules)} as os_ecosystem,
             k.effective, ${KEY_NAME} as key_name, ${KEY_VERSION} as key_version
      from ${inScope}
      ${ruleJoin(rules)}
      -- A fence, as in loadCandidatePackages: the key name is computed per package, then hash semi-joined.
      offset 0) c
    where (c.effective, c.key_name) in (select effective, name from keys)`.execute(tx);
  await sql`analyze rm_cand`.execute(tx);
  await sql`create temp table rm_tpl (tid int primary key, vulnerability_id text, aliases text[], fixed_version text,
      severity text, severity_source text, cvss_version text, cvss_vector text, cvss_score float8, status text,
      status_reason text) on commit drop`.execute(tx);
  await sql`create temp table rm_hit (k1 bigint, k2 bigint, tid int) on commit drop`.execute(tx);
  await sql`create temp table rm_grp (effective text, key_name text, evidence text, domain int, base int,
      starts int[]) on commit drop`.execute(tx);
  await sql`create temp table rm_rank (domain int, key_version text, rank int) on commit drop`.execute(tx);
  await sql`create temp table rm_iv (pos int, tid int) on commit drop`.execute(tx);
  await sql`create temp table rm_left on commit drop as select *, 0::bigint as k1, 0::bigint as k2 from rm_cand limit 0`.execute(
    tx,
  );
}

/** The version a staged package is compared at: the source version for a source-keyed ecosystem (lookupKeyOf). */
const KEY_VERSION = sql`case when k.kind = 'source' and coalesce(p.source_name, '') <> ''
               and coalesce(p.source_version, '') <> '' then p.source_version else p.version end`;

/** Staged packages sampled for their distinct keys (sampleRematchKeys). */
export interface RematchKeySample {
  /** The staged packages (the table's row estimate after its analysis; exact when small). */
  rows: number;
  /** The packages sampled (all of them when `sampled` equals `rows`). */
  sampled: number;
  /** The distinct keys among them, and how many of those were seen once and twice. */
  keys: number;
  once: number;
  twice: number;
}

/** Packages a key sample reads (about; SYSTEM sampling takes whole pages). */
const KEY_SAMPLE_ROWS = 30_000;

/**
 * A sample of the staged packages' keys (KEY_HASHES' inputs), enough to estimate how many distinct
 * keys a re-match would read one by one: whole pages (TABLESAMPLE SYSTEM, repeatable) of about
 * 30,000 packages; every package when there are no more.
 */
export async function sampleRematchKeys({ db: tx }: Pick<Store, 'db'>): Promise<RematchKeySample> {
  const { rows: est } = await sql<{ rows: number }>`
    select greatest(reltuples, 0)::float8 as rows from pg_class where oid = 'rm_cand'::regclass`.execute(tx);
  const rows = Number(est[0]?.rows ?? 0);
  const from =
    rows > KEY_SAMPLE_ROWS
      ? sql`rm_cand tablesample system (${(100 * KEY_SAMPLE_ROWS) / rows}::float4) repeatable (0)`
      : sql`rm_cand`;
  const { rows: got } = await sql<{ sampled: number; keys: number; once: number; twice: number }>`
    select coalesce(sum(n), 0)::float8 as sampled, count(*)::float8 as keys,
      count(*) filter (where n = 1)::float8 as once, count(*) filter (where n = 2)::float8 as twice
    from (select count(*) as n from ${from}
      group by ecosystem, name, version, source_name, source_version, evidence, os_ecosystem) k`.execute(tx);
  const g = got[0]!;
  const sampled = Number(g.sampled);
  return {
    rows: rows > KEY_SAMPLE_ROWS ? Math.max(rows, sampled) : sampled,
    sampled,
    keys: Number(g.keys),
    once: Number(g.once),
    twice: Number(g.twice),
  };
}

/** The staged packages' distinct groups (effective ecosystem, key name, evidence): versionLines' groups. */
export async function readRematchGroups({
  db: tx,
}: Pick<Store, 'db'>): Promise<{ effective: string; keyName: string; evidence: string }[]> {
  const { rows } = await sql<{ effective: string; keyName: string; evidence: string }>`
    select effective, key_name as "keyName", evidence from rm_cand group by effective, key_name, evidence`.execute(
    tx,
  );
  return rows;
}

/** The staged packages' distinct key versions per effective ecosystem: versionLines' versions. */
export async function readRematchVersions({
  db: tx,
}: Pick<Store, 'db'>): Promise<{ effective: string; keyVersion: string }[]> {
  const { rows } = await sql<{ effective: string; keyVersion: string }>`
    select effective, key_version as "keyVersion" from rm_cand group by effective, key_version`.execute(tx);
  return rows;
}

/**
 * Version lines as the store takes them (versionLines): the groups with a domain, each with the
 * first rank of each of its positions and the number its first position takes less one (`base`:
 * positions are numbered across groups); the ranked versions; the template of each finding per
 * position number, column-wise.
 */
export interface RematchLines {
  groups: {
    effective: string;
    keyName: string;
    evidence: string;
    domain: number;
    base: number;
    starts: number[];
  }[];
  ranks: { domain: number; keyVersion: string; rank: number }[];
  intervals: { pos: number[]; tid: number[] };
  /** Every staged package is on a line with a ranked version: no key is left to read one by one. */
  complete: boolean;
}

/**
 * Which staged packages' keys are read one by one (readRematchKeys) and join their findings by
 * their hashes: none (every package is on a line with a ranked version), those no line covers
 * (rm_left: a group without a domain, or a version its domain does not rank), or all (no lines).
 */
export type LeftKeys = 'none' | 'uncovered' | 'all';

/**
 * Writes the version lines (rm_grp, rm_rank, rm_iv), then opens the cursor over the keys they
 * leave (readRematchKeys). Returns which packages those are (applyRematch's `left`).
 */
export async function writeRematchLines(
  { db: tx }: Pick<Store, 'db'>,
  lines: RematchLines,
): Promise<LeftKeys> {
  for (const chunk of batches(lines.groups, ROWS_PER_STATEMENT)) {
    await sql`insert into rm_grp select effective, key_name, evidence, domain, base, string_to_array(starts, ',')::int[]
      from unnest(${chunk.map((g) => g.effective)}::text[], ${chunk.map((g) => g.keyName)}::text[],
        ${chunk.map((g) => g.evidence)}::text[], ${chunk.map((g) => g.domain)}::int[], ${chunk.map((g) => g.base)}::int[],
        ${chunk.map((g) => g.starts.join(','))}::text[]) as g(effective, key_name, evidence, domain, base, starts)`.execute(
      tx,
    );
  }
  for (const chunk of batches(lines.ranks, ROWS_PER_STATEMENT)) {
    await sql`insert into rm_rank select * from unnest(${chunk.map((r) => r.domain)}::int[],
      ${chunk.map((r) => r.keyVersion)}::text[], ${chunk.map((r) => r.rank)}::int[])`.execute(tx);
  }
  const iv = lines.intervals;
  for (let i = 0; i < iv.tid.length; i += PAIRS_PER_STATEMENT) {
    const end = i + PAIRS_PER_STATEMENT;
    await sql`insert into rm_iv select * from unnest(${iv.pos.slice(i, end)}::int[], ${iv.tid.slice(i, end)}::int[])`.execute(
      tx,
    );
  }
  await sql`analyze rm_grp`.execute(tx);
  await sql`analyze rm_rank`.execute(tx);
  await sql`analyze rm_iv`.execute(tx);
  const left: LeftKeys = lines.complete ? 'none' : lines.groups.length ? 'uncovered' : 'all';
  if (left === 'uncovered') {
    await sql`insert into rm_left select c.*, ${KEY_HASHES} from rm_cand c ${lined(sql`left join`)} where r.rank is null`.execute(
      tx,
    );
    await sql`analyze rm_left`.execute(tx);
  }
  // One pass over the keys left (not a scan per page), not written to a table: the packages find
  // their keys' findings by their hashes — with no lines, hashed per key here and per package as
  // they are joined (cheaper than a copy of every package). In no order: sorting them by name cost
  // the store more than it saved the matcher (ADR 0027).
  const keyColumns = sql`ecosystem, name, version, source_name, source_version, evidence, os_ecosystem`;
  const keys =
    left === 'uncovered'
      ? sql`select k1, k2, ${keyColumns} from rm_left group by k1, k2, ${keyColumns}`
      : sql`select ${KEY_HASHES}, c.* from (select ${keyColumns} from rm_cand group by ${keyColumns}) c`;
  if (left !== 'none')
    await sql`declare rm_keys_cursor no scroll cursor for
      select k1::text as k1, k2::text as k2, ecosystem, name, version, source_name as "sourceName",
        source_version as "sourceVersion", evidence, os_ecosystem as "osEcosystem"
      from (${keys}) k`.execute(tx);
  return left;
}

/** The staged packages whose keys are left, each with its key's hashes (k1, k2). */
function keyedPackages(left: Exclude<LeftKeys, 'none'>): RawBuilder<unknown> {
  return left === 'uncovered' ? sql`rm_left` : sql`(select c.*, ${KEY_HASHES} from rm_cand c)`;
}

/** Joins a staged package `c` to its group `g` on a version line and its version's rank `r` there. */
function lined(join: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`${join} rm_grp g on g.effective = c.effective and g.key_name = c.key_name and g.evidence = c.evidence
    ${join} rm_rank r on r.domain = g.domain and r.key_version = c.key_version`;
}

/**
 * The packages of some (scan_id, ecosystem, name) units (a table or subquery `units`): the reverse
 * index probed once per distinct (ecosystem, name), then a hash semi-join on the units.
 */
function packagesOfUnits(units: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`with np as materialized (
      select p.* from (select distinct ecosystem, name from ${units} u) n
      join packages p on p.ecosystem = n.ecosystem and p.name = n.name)
    select * from np where (scan_id, ecosystem, name) in (select scan_id, ecosystem, name from ${units} u)`;
}

/**
 * rm_units from changed (ecosystem, name) pairs, as findTouchedPackages finds them (name or source
 * name through the reverse indexes, PyPI names PEP 503 normalised, current scans of `sources` only),
 * without the units travelling to the process and back; and rm_found, the packages of those units.
 * A unit found by its name (or its PEP 503 name) is all the packages the probe returned, so the
 * probe stages them whole (one pass over the packages, not a second one for the units); only the
 * units found through a source name alone are read again.
 */
async function stageTouchedUnits(
  tx: Pick<Store, 'db'>['db'],
  pairs: readonly { ecosystem: string; name: string }[],
  sources: readonly string[],
): Promise<void> {
  await sql`create temp table rm_found on commit drop as select * from packages limit 0`.execute(tx);
  // Units found by a source name; made distinct below (no index on rm_units: with one, the
  // planner turned the candidate staging into minutes of probes).
  await sql`create temp table rm_units_found (scan_id bigint, ecosystem text, name text) on commit drop`.execute(
    tx,
  );
  for (const chunk of batches(pairs, ROWS_PER_STATEMENT)) {
    const ecos = chunk.map((p) => p.ecosystem);
    const names = chunk.map((p) => p.name);
    await sql`insert into rm_found
      select p.* from unnest(${ecos}::text[], ${names}::text[]) as k(ecosystem, name)
      join packages p on p.ecosystem = k.ecosystem and p.name = k.name
      join current_scans c on c.scan_id = p.scan_id and c.source = any(${[...sources]}::text[])`.execute(tx);
    await sql`insert into rm_units_found
      select p.scan_id, p.ecosystem, p.name
      from unnest(${ecos}::text[], ${names}::text[]) as k(ecosystem, name)
      join packages p on p.ecosystem = k.ecosystem and p.source_name = k.name
      join current_scans c on c.scan_id = p.scan_id and c.source = any(${[...sources]}::text[])`.execute(tx);
  }
  // A PyPI package whose stored name is itself a changed name was found above.
  const pypi = [...new Set(pairs.filter((p) => p.ecosystem === 'PyPI').map((p) => p.name))];
  for (const chunk of batches(pypi, ROWS_PER_STATEMENT)) {
    await sql`insert into rm_found
      select p.* from packages p join current_scans c on c.scan_id = p.scan_id and c.source = any(${[...sources]}::text[])
      where p.ecosystem = 'PyPI' and lower(regexp_replace(p.name, '[-_.]+', '-', 'g')) = any(${chunk}::text[])
        and p.name <> all(${pypi}::text[])`.execute(tx);
  }
  await sql`create temp table rm_units on commit drop as
    select distinct scan_id, ecosystem, name from (
      select scan_id, ecosystem, name from rm_found union all select scan_id, ecosystem, name from rm_units_found) u`.execute(
    tx,
  );
  // Units found only through a source name: their packages were not staged yet.
  await sql`create temp table rm_units_more on commit drop as
    select scan_id, ecosystem, name from rm_units_found
    except select scan_id, ecosystem, name from rm_found`.execute(tx);
  const { rows: more } = await sql<{ n: number }>`select count(*)::int as n from rm_units_more`.execute(tx);
  if (more[0]!.n) await sql`insert into rm_found ${packagesOfUnits(sql`rm_units_more`)}`.execute(tx);
  await sql`analyze rm_found`.execute(tx);
}

/** The next `limit` staged keys (none when all are read): pages of the keys a re-match evaluates. */
export async function readRematchKeys({ db: tx }: Pick<Store, 'db'>, limit: number): Promise<RematchKey[]> {
  // The cursor names its columns as RematchKey does: the rows are used as they come (no copy per key).
  const { rows } =
    await sql<RematchKey>`fetch forward ${sql.raw(String(Math.max(1, Math.floor(limit))))} from rm_keys_cursor`.execute(
      tx,
    );
  return rows;
}

/** The (key, template) pairs of a page of keys, column-wise: the key's hashes and the template's number. */
export interface RematchHits {
  k1: string[];
  k2: string[];
  tid: number[];
}

/** Sends finding templates (numbered from `firstTid`) and (key, template) pairs to the staged tables. */
export async function writeRematchHits(
  { db: tx }: Pick<Store, 'db'>,
  templates: { tid: number; template: FindingTemplate }[],
  hits: RematchHits,
): Promise<void> {
  for (const chunk of batches(templates, ROWS_PER_STATEMENT)) {
    const col = <K extends keyof FindingTemplate>(k: K) => chunk.map((t) => t.template[k]);
    await sql`insert into rm_tpl
      select tid, vulnerability_id, case when aliases = '' then '{}'::text[] else string_to_array(aliases, ${ALIAS_SEPARATOR}) end,
        fixed_version, severity, severity_source, cvss_version, cvss_vector, cvss_score, status, status_reason
      from unnest(${chunk.map((t) => t.tid)}::int[], ${col('vulnerabilityId')}::text[],
        ${chunk.map((t) => t.template.aliases.join(ALIAS_SEPARATOR))}::text[], ${col('fixedVersion')}::text[],
        ${col('severity')}::text[], ${col('severitySource')}::text[], ${col('cvssVersion')}::text[],
        ${col('cvssVector')}::text[], ${col('cvssScore')}::float8[], ${col('status')}::text[],
        ${col('statusReason')}::text[])
        as t(tid, vulnerability_id, aliases, fixed_version, severity, severity_source, cvss_version, cvss_vector,
          cvss_score, status, status_reason)`.execute(tx);
  }
  for (let i = 0; i < hits.tid.length; i += PAIRS_PER_STATEMENT) {
    const end = i + PAIRS_PER_STATEMENT;
    await sql`insert into rm_hit select * from unnest(${hits.k1.slice(i, end)}::bigint[],
      ${hits.k2.slice(i, end)}::bigint[], ${hits.tid.slice(i, end)}::int[])`.execute(tx);
  }
}

/**
 * The stored columns of a finding as one value, equal exactly when every column is (the set
 * difference's key): two 64-bit hashes of the row (as KEY_HASHES), which the difference sorts and
 * hashes cheaply (two different rows of one scan with the same pair — 2^-128 by chance — would keep
 * a stale row).
 */
const SIGNATURE = twoHashes(
  sql`row(image_digest, source, vulnerability_id, aliases, package_ecosystem, package_name, package_purl,
    installed_version, fixed_version, layer_diff_id, severity, severity_source, cvss_version, cvss_vector,
    cvss_score, status, status_reason, advisory_ids)`,
  'sig1',
  'sig2',
);

/**
 * Writes the staged re-match: the findings of the scope are the staged packages joined with their
 * keys' templates (by position on their version line, or — the packages `left`, as
 * writeRematchLines answered — by their keys' hashes); only stored rows that vanished or changed are deleted and only new or changed
 * rows inserted (a multiset difference per scan), and the change per (scan, vulnerability, package
 * name) is recorded in finding_changes under `cause` — the rules of replaceFindingsOfScans, where a
 * (vulnerability, package name) held by several rows takes the last row's (by package, resp.
 * finding, id). Returns the scans in scope with their swap counts, in scan order.
 */
export async function applyRematch(
  { db: tx }: Pick<Store, 'db'>,
  scope: RematchScope['kind'],
  cause: string,
  left: LeftKeys,
): Promise<{ scanId: number; imageDigest: string; swap: FindingSwap }[]> {
  await sql`analyze rm_hit`.execute(tx);
  const stored =
    scope === 'all'
      ? sql`select f.* from findings f join rm_scans r on r.scan_id = f.scan_id`
      : sql`select f.* from findings f
          where (f.scan_id, f.package_ecosystem, f.package_name) in (select scan_id, ecosystem, name from rm_units)`;
  await sql`create temp table rm_old on commit drop as
    select o.id, o.scan_id, o.vulnerability_id, o.package_name, o.severity, o.severity_source, o.cvss_score, o.status,
      ${SIGNATURE}
    from (${stored}) o`.execute(tx);
  const { rows: anyOld } = await sql<{
    n: number;
  }>`select count(*)::int as n from (select 1 from rm_old limit 1) o`.execute(tx);
  // With nothing stored in scope (a first match) every computed row is new: no signature to
  // compare, no statistics for a difference.
  const compare = anyOld[0]!.n > 0;
  const columns = sql`c.id, c.scan_id, c.ecosystem, c.name, c.purl, c.version, c.layer_diff_id`;
  const parts: RawBuilder<unknown>[] = [];
  if (left !== 'all')
    parts.push(sql`select ${columns}, i.tid from rm_cand c
      ${lined(sql`join`)}
      -- A rank's position on its group's line, one int to hash-join the positions' findings on
      -- (the positions hashed; on a (group, position) pair or a rank range the planner hashed
      -- the packages instead, unordered and spilled).
      join rm_iv i on i.pos = g.base + width_bucket(r.rank, g.starts)`);
  if (left !== 'none')
    parts.push(
      sql`select ${columns}, h.tid from ${keyedPackages(left)} c join rm_hit h on ${sameKey(sql`h`, sql`c`)}`,
    );
  await sql`create temp table rm_new on commit drop as
    select n.*, ${compare ? SIGNATURE : sql`null::bigint as sig1, null::bigint as sig2`} from (
      select c.scan_id, s.image_digest, s.source, t.vulnerability_id, t.aliases, c.ecosystem as package_ecosystem,
        c.name as package_name, c.purl as package_purl, c.version as installed_version, t.fixed_version,
        c.layer_diff_id, t.severity, t.severity_source, t.cvss_version, t.cvss_vector, t.cvss_score, t.status,
        t.status_reason, '{}'::text[] as advisory_ids, c.id as package_id
      from (${sql.join(parts, sql` union all `)}) c
      join rm_tpl t on t.tid = c.tid
      join scans s on s.id = c.scan_id) n`.execute(tx);
  if (compare) {
    // Statistics of the columns the difference and the change counts join and group on only (the
    // others — aliases, vectors, texts — cost the sample's analysis and steer no plan).
    await sql`analyze rm_new (scan_id, sig1, sig2, vulnerability_id, package_name)`.execute(tx);
    await sql`analyze rm_old (scan_id, sig1, sig2, vulnerability_id, package_name)`.execute(tx);
  }
  // The change per (scan, vulnerability, package name), before the rows move.
  const { rows: counts } = await sql<ChangeCounts>`with a as (
      select distinct on (scan_id, vulnerability_id, package_name) scan_id, vulnerability_id, package_name, status,
        severity, cvss_score, severity_source
      from rm_new order by scan_id, vulnerability_id, package_name, package_id desc),
    b as (
      select distinct on (scan_id, vulnerability_id, package_name) scan_id, vulnerability_id, package_name, status,
        severity, cvss_score, severity_source
      from rm_old order by scan_id, vulnerability_id, package_name, id desc),
    ch as (
      select coalesce(a.scan_id, b.scan_id) as scan_id, coalesce(a.vulnerability_id, b.vulnerability_id) as vulnerability_id,
        coalesce(a.package_name, b.package_name) as package_name,
        case
          when b.scan_id is null then case when a.status = 'affected' then 'newly_affected' end
          when a.scan_id is null then case when b.status = 'affected' then 'newly_fixed' end
          when a.status <> b.status then
            case when a.status = 'affected' or b.status = 'affected' then 'status_changed' end
          when (a.severity <> b.severity or a.cvss_score is distinct from b.cvss_score
              or (b.severity_source is not null and b.severity_source is distinct from a.severity_source))
            and a.status not in ('not_affected', 'fixed') then 'severity_changed'
        end as change
      from a full join b on b.scan_id = a.scan_id and b.vulnerability_id = a.vulnerability_id
        and b.package_name = a.package_name),
    ins as (
      insert into finding_changes (image_digest, vulnerability_id, package_name, change, cause)
      select r.image_digest, ch.vulnerability_id, ch.package_name, ch.change, ${cause}
      from ch join rm_scans r on r.scan_id = ch.scan_id where ch.change is not null
      returning 1)
    select r.scan_id, r.image_digest,
      count(*) filter (where ch.change = 'newly_affected') as newly_affected,
      count(*) filter (where ch.change = 'newly_fixed') as newly_fixed,
      count(*) filter (where ch.change = 'status_changed') as status_changed,
      count(*) filter (where ch.change = 'severity_changed') as severity_changed
    from rm_scans r left join ch on ch.scan_id = r.scan_id and ch.change is not null
    group by r.scan_id, r.image_digest order by r.scan_id`.execute(tx);
  const insertColumns = sql`insert into findings (scan_id, image_digest, source, vulnerability_id, aliases,
      package_ecosystem, package_name, package_purl, installed_version, fixed_version, layer_diff_id, severity,
      severity_source, cvss_version, cvss_vector, cvss_score, status, status_reason)`;
  if (!compare) {
    await sql`${insertColumns}
      select n.scan_id, n.image_digest, n.source, n.vulnerability_id, n.aliases, n.package_ecosystem, n.package_name,
        n.package_purl, n.installed_version, n.fixed_version, n.layer_diff_id, n.severity, n.severity_source,
        n.cvss_version, n.cvss_vector, n.cvss_score, n.status, n.status_reason
      from rm_new n
      order by n.scan_id, n.package_name, n.vulnerability_id, n.package_id`.execute(tx);
    return swapsOf(counts);
  }
  // The set difference, as counts per (scan, row signature) — one pass over each side; only the
  // rows whose counts differ move: the k-th stored copy of a row is kept while k computed copies
  // exist, the k-th computed copy inserted when fewer than k are stored.
  await sql`create temp table rm_diff on commit drop as
    select coalesce(n.scan_id, o.scan_id) as scan_id, coalesce(n.sig1, o.sig1) as sig1, coalesce(n.sig2, o.sig2) as sig2,
      coalesce(n.n, 0) as n,
      coalesce(o.n, 0) as o
    from (select scan_id, sig1, sig2, count(*) as n from rm_new group by scan_id, sig1, sig2) n
    full join (select scan_id, sig1, sig2, count(*) as n from rm_old group by scan_id, sig1, sig2) o
      on o.scan_id = n.scan_id and o.sig1 = n.sig1 and o.sig2 = n.sig2
    where n.n is distinct from o.n`.execute(tx);
  const { rows: moved } = await sql<{
    n: number;
  }>`select count(*)::int as n from (select 1 from rm_diff limit 1) d`.execute(tx);
  if (!moved[0]!.n) return swapsOf(counts);
  await sql`analyze rm_diff`.execute(tx);
  await sql`delete from findings where id in (
      select o.id from (
        select o.id, d.n, row_number() over (partition by o.scan_id, o.sig1, o.sig2 order by o.id) as rn
        from rm_old o join rm_diff d on d.scan_id = o.scan_id and d.sig1 = o.sig1 and d.sig2 = o.sig2 and d.o > d.n) o
      where o.rn > o.n)`.execute(tx);
  await sql`${insertColumns}
    select n.scan_id, n.image_digest, n.source, n.vulnerability_id, n.aliases, n.package_ecosystem, n.package_name,
      n.package_purl, n.installed_version, n.fixed_version, n.layer_diff_id, n.severity, n.severity_source,
      n.cvss_version, n.cvss_vector, n.cvss_score, n.status, n.status_reason
    from (
      select n.*, d.o, row_number() over (partition by n.scan_id, n.sig1, n.sig2 order by n.package_id) as rn
      from rm_new n join rm_diff d on d.scan_id = n.scan_id and d.sig1 = n.sig1 and d.sig2 = n.sig2 and d.n > d.o) n
    where n.rn > n.o
    order by n.scan_id, n.package_name, n.vulnerability_id, n.package_id`.execute(tx);
  return swapsOf(counts);
}

/** A scan's change counts as the difference's query gives them. */
interface ChangeCounts {
  scan_id: number | string;
  image_digest: string;
  newly_affected: number | string;
  newly_fixed: number | string;
  status_changed: number | string;
  severity_changed: number | string;
}

function swapsOf(counts: ChangeCounts[]): { scanId: number; imageDigest: string; swap: FindingSwap }[] {
  return counts.map((r) => ({
    scanId: Number(r.scan_id),
    imageDigest: r.image_digest,
    swap: {
      newlyAffected: Number(r.newly_affected),
      newlyFixed: Number(r.newly_fixed),
      statusChanged: Number(r.status_changed),
      severityChanged: Number(r.severity_changed),
    },
  }));
}
