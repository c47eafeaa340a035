// Recomputes the per-image roll-ups — image_vulns (one row per image × vulnerability) and
// image_posture (counts per image) — for some digests or for all. This is the only place findings
// are read for posture: every view starts from these tables and joins them to containers.
// Rules (docs/propagation.md): one findings source per digest (the authoritative one, else
// `runsight`, else the latest scan); statuses `affected` and `unknown` count (unknown = could not
// compare a version: shown, never hidden); a VEX statement saying not_affected/fixed for the image
// or the package (and its subcomponent, when it names one: vex-sql.ts) removes the finding; a vulnerability's severity in an image is the highest among
// the packages carrying it. Findings (vulnerability × package) are counted beside vulnerabilities:
// image_vulns.packages / fixable_packages per vulnerability, image_posture.finding_cells per image.
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { CELL_COUNT, CELL_FIXABLE, CELL_KEV, CELL_RANK_STRIDE } from '../../../core/severity.js';
import { SEVERITY_BY_RANK } from '../../../core/types.js';
import type { Store } from '../../open-store.js';
import type { Database } from '../../schema.js';
import { ROLLUP_WORK_MEM, setLocal, withWorkMem } from '../../work-mem.js';
import { cellSql, cellSumsSql, findingCellSumsSql, SEVERITY_RANK_SQL } from './cells-sql.js';
import { LATEST_VEX_SQL, vexAppliesSql } from './vex-sql.js';
import { addVulnReach, rebuildVulnReach } from './vuln-reach.js';

/** The scan posture reads for a digest (propagation chooses it: the authoritative-source rule). */
export interface ChosenScan {
  digest: string;
  source: string;
  scanId: number;
  finishedAt: Date | null;
  /** When the scanner ran (an imported report's own time): what the roll-up's scanned_at ages by. */
  scannedAt?: Date | null | undefined;
}

export interface RefreshScope {
  /** Only these digests; undefined means every digest (a full recompute). */
  digests?: string[] | undefined;
  /** The chosen scan of every digest in scope that has one; a digest without one loses its roll-up. */
  chosen: ChosenScan[];
  /** The time recorded as computed_at (default: now). */
  now?: Date | undefined;
}

export interface RefreshResult {
  images: number;
  vulnerabilities: number;
}

/** The current scans (one per source) of these digests, or of every digest: what posture may read. */
export async function listScanCandidates(
  { db }: Pick<Store, 'db'>,
  digests?: string[] | undefined,
): Promise<ChosenScan[]> {
  const r = await sql<{
    image_digest: string;
    source: string;
    scan_id: number;
    finished_at: Date | null;
    started_at: Date;
  }>`
    select cs.image_digest, cs.source, cs.scan_id, s.finished_at, s.started_at
    from current_scans cs join scans s on s.id = cs.scan_id
    where ${digests ? sql`cs.image_digest = any(${digests}::text[])` : sql`true`}`.execute(db);
  return r.rows.map((x) => ({
    digest: x.image_digest,
    source: x.source,
    scanId: Number(x.scan_id),
    finishedAt: x.finished_at,
    scannedAt: x.started_at,
  }));
}

export async function refreshImagePosture(
  { db }: Pick<Store, 'db'>,
  scope: RefreshScope,
): Promise<RefreshResult> {
  return withWorkMem(db, (tx) => refreshIn(tx, scope));
}

async function refreshIn(tx: Kysely<Database>, scope: RefreshScope): Promise<RefreshResult> {
  const digests = scope.digests ? [...new Set(scope.digests)] : undefined;
  if (digests && !digests.length) return { images: 0, vulnerabilities: 0 };
  const inScope = (col: string): RawBuilder<unknown> =>
    digests ? sql`${sql.ref(col)} = any(${digests}::text[])` : sql`true`;

  if (digests) {
    // The fleet reach loses the old lists (and gains the new ones below): vuln-reach.ts. An
    // image's rows are those of its posture scan (migration 39), found before the posture goes.
    await addVulnReach(tx, digests, -1);
    await sql`delete from image_vulns where scan_id in (
        select scan_id from image_posture where ${inScope('image_digest')} and scan_id is not null)`.execute(
      tx,
    );
    await sql`delete from image_posture where ${inScope('image_digest')}`.execute(tx);
  } else {
    // A full recompute replaces everything: truncate leaves no dead rows behind (readers wait for
    // the transaction instead of seeing a half-built table), and the indexes are built once over
    // the new rows instead of maintained row by row (measured: 5M rows insert in 8 s bare, 37 s
    // indexed).
    await sql`truncate image_vulns, image_posture`.execute(tx);
    for (const name of Object.keys(IMAGE_VULNS_INDEXES)) await sql`drop index ${sql.ref(name)}`.execute(tx);
  }
  const c = scope.chosen;
  const chosen = sql`select * from unnest(${c.map((x) => x.digest)}::text[], ${c.map((x) => x.source)}::text[],
      ${c.map((x) => x.scanId)}::bigint[], ${c.map((x) => (x.scannedAt ?? x.finishedAt)?.toISOString() ?? null)}::timestamptz[])
      as t(image_digest, source, scan_id, finished_at)`;
  // Every vulnerability the chosen findings name gets its number first, so each image_vulns row
  // is written with it (the reach and roll-up below are keyed by it; migration 38). Only ids
  // without one are offered: an insert takes a number from the sequence for every row it offers,
  // conflicting or not, and image_posture.vulns packs number × 32 + cell into an int4, which holds
  // numbers below 2^26 — offering every id again would spend 30k numbers per full recompute.
  await sql`
    with chosen as (${chosen})
    insert into vulnerability_numbers (id)
    select distinct f.vulnerability_id from chosen c join findings f on f.scan_id = c.scan_id
    where f.status in ('affected', 'unknown')
      and not exists (select 1 from vulnerability_numbers n where n.id = f.vulnerability_id)
    on conflict do nothing`.execute(tx);
  // A full recompute groups every chosen finding into (image, vulnerability) rows — about as many
  // groups as rows — and then the rows by (image, cell). Sorting beats a hash table of millions of
  // groups there: the insert 2.6 s sorted against 3.5 s hashed at the 1/5 bench fleet (1M rows),
  // 14–18 s against 20–27 s at 1M containers (5M rows); the roll-up 0.44 s against 0.85 s at 1/5,
  // even at 1M. So hashed aggregation is off for those two statements. The reach groups into far
  // fewer (number, cell) groups and hashes faster at 1M (3.4–4.4 s against 5.0–5.2 s sorted), so
  // the setting is restored before it; the numbering above (~30k distinct ids out of 1M rows)
  // runs before it is changed.
  const hashAgg = digests ? undefined : await setLocal(tx, 'enable_hashagg', 'off');
  const ins = await sql`
    with chosen as (${chosen}),
    vex as (${LATEST_VEX_SQL}),
    vex_ids as (select coalesce(array_agg(distinct vulnerability_id), '{}') as ids from vex where status in ('not_affected', 'fixed')),
    live as (
      select c.scan_id, f.vulnerability_id, f.fixed_version, f.cvss_score, ${SEVERITY_RANK_SQL} as sev_rank
      from chosen c join findings f on f.scan_id = c.scan_id cross join vex_ids vi
      where f.status in ('affected', 'unknown')
        and (not (f.vulnerability_id = any(vi.ids) or f.aliases && vi.ids)
             or not exists (
               select 1 from vex v
               where v.status in ('not_affected', 'fixed') and ${vexAppliesSql('v', 'f')}))
    )
    insert into image_vulns (scan_id, vulnerability_id, num, severity_rank, kev, fixable, epss, cvss_score, packages, fixable_packages)
    select l.scan_id, min(l.vulnerability_id), n.num,
      max(sev_rank),
      bool_or(k.cve_id is not null),
      bool_or(coalesce(l.fixed_version, '') <> ''),
      max(e.score),
      max(l.cvss_score),
      count(*),
      count(*) filter (where coalesce(l.fixed_version, '') <> '')
    from live l
    join vulnerability_numbers n on n.id = l.vulnerability_id
    left join kev k on k.cve_id = l.vulnerability_id
    left join epss e on e.cve_id = l.vulnerability_id
    group by l.scan_id, n.num`.execute(tx);

  if (!digests) {
    await sql`select set_config('maintenance_work_mem', ${ROLLUP_WORK_MEM}, true)`.execute(tx);
    for (const ddl of Object.values(IMAGE_VULNS_INDEXES)) await sql.raw(ddl).execute(tx);
  }
  // The roll-up in two steps: the rows by (image, cell) with a few aggregates each, then every
  // figure of an image from its ≤ CELL_COUNT cell rows — not ~50 filtered aggregates per row
  // (measured at 1M rows: 1.0 s against 1.2–1.4 s, and JIT compiles far less).
  const posture = await sql`
    with chosen as (${chosen}),
    by_cell as (
      select iv.scan_id, ${sql.raw(cellSql('iv'))} as c, count(*)::int as n,
        sum(coalesce(iv.fixable_packages, 0))::int as fp, sum(iv.packages - coalesce(iv.fixable_packages, 0))::int as up,
        string_agg(int4send(iv.num * 32 + ${sql.raw(cellSql('iv'))}), ''::bytea) as v
      from image_vulns iv
      where ${digests ? sql`iv.scan_id = any(${c.map((x) => x.scanId)}::bigint[])` : sql`true`}
      group by 1, 2
    ),
    agg as (
      select scan_id,
        ${sql.raw(SEVERITY_BY_RANK.map((s, rank) => `coalesce(sum(n) filter (where c / ${CELL_RANK_STRIDE} = ${rank}), 0) as ${s.toLowerCase()}`).join(', '))},
        coalesce(sum(n) filter (where c & ${sql.raw(String(CELL_KEV))} <> 0), 0) as kev,
        coalesce(sum(n) filter (where c & ${sql.raw(String(CELL_FIXABLE))} <> 0), 0) as fixable,
        sum(n) as total,
        ${sql.raw(cellSumsSql('c', 'n'))} as cells,
        ${sql.raw(findingCellSumsSql('c', 'fp', 'up'))} as finding_cells,
        string_agg(v, ''::bytea) as vulns
      from by_cell group by scan_id
    )
    insert into image_posture (image_digest, source, scan_id, counts, kev, fixable, distinct_vulns, scanned_at, computed_at, cells, vulns, finding_cells)
    select c.image_digest, c.source, c.scan_id,
      jsonb_build_object('critical', coalesce(a.critical, 0), 'high', coalesce(a.high, 0),
        'medium', coalesce(a.medium, 0), 'low', coalesce(a.low, 0), 'unknown', coalesce(a.unknown, 0)),
      coalesce(a.kev, 0), coalesce(a.fixable, 0), coalesce(a.total, 0), c.finished_at, ${scope.now ?? new Date()},
      coalesce(a.cells, ${sql.raw(`array_fill(0, array[${CELL_COUNT}])`)}), coalesce(a.vulns, ''::bytea),
      coalesce(a.finding_cells, ${sql.raw(`array_fill(0, array[${CELL_COUNT}])`)})
    from chosen c left join agg a on a.scan_id = c.scan_id`.execute(tx);
  if (hashAgg !== undefined) await setLocal(tx, 'enable_hashagg', hashAgg);
  // A full pass rebuilds vuln_reach here and, in a full recompute, again with the groups
  // (rebuildPostureGroups): one more join of image_vulns with the running digests, kept so the
  // table is right after each transaction and when a recompute leaves the scopes alone. It reads
  // the new posture (digest → scan → rows), so it comes after it.
  if (digests) await addVulnReach(tx, digests, 1);
  else await rebuildVulnReach(tx, 'truncate');
  // Fresh statistics, so posture queries pick index lookups over scans of the new tables (the
  // vulnerability numbers and reach grow here too; autovacuum may be minutes away, or off).
  if (!digests) await sql`analyze image_vulns, image_posture, vulnerability_numbers, vuln_reach`.execute(tx);
  return { images: Number(posture.numAffectedRows ?? 0), vulnerabilities: Number(ins.numAffectedRows ?? 0) };
}

/** The indexes of image_vulns (migrations 38 and 39), rebuilt after a full recompute. */
const IMAGE_VULNS_INDEXES = {
  image_vulns_scan: 'create index image_vulns_scan on image_vulns (scan_id)',
  image_vulns_num: 'create index image_vulns_num on image_vulns (num)',
};

/**
 * Digests whose roll-up is missing or out of date: a new current scan, a re-match recorded in
 * finding_changes after the roll-up, or a roll-up whose scan is no longer current.
 */
export async function listStaleImagePosture({ db }: Pick<Store, 'db'>): Promise<string[]> {
  const r = await sql<{ digest: string }>`
    select cs.image_digest as digest from current_scans cs
      left join image_posture p on p.image_digest = cs.image_digest
      where p.image_digest is null
         or not exists (select 1 from current_scans x where x.image_digest = p.image_digest and x.scan_id = p.scan_id)
         or exists (select 1 from finding_changes fc where fc.image_digest = cs.image_digest and fc.at > p.computed_at)
    union
    select p.image_digest from image_posture p
      where not exists (select 1 from current_scans x where x.image_digest = p.image_digest)`.execute(db);
  return [...new Set(r.rows.map((x) => x.digest))];
}

/**
 * A fingerprint of the enrichment every roll-up depends on (KEV, EPSS, VEX): when it changes, all
 * roll-ups are recomputed.
 */
export async function enrichmentWatermark({ db }: Pick<Store, 'db'>): Promise<string> {
  const r = await sql<{ w: string }>`select concat_ws(':',
      (select count(*) from kev), (select max(date_added)::text from kev),
      (select count(*) from epss), (select max(score_date)::text from epss),
      (select coalesce(max(id), 0) from vex_statements), (select count(*) from vex_statements)) as w`.execute(
    db,
  );
  return r.rows[0]?.w ?? '';
}
