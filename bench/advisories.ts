// Advisory benchmarks: version comparisons per second per ecosystem (baseline: plain string
// comparison of the same pairs), and a full re-match of N synthetic stored SBOMs (~300 packages
// each) against an M-advisory set, with time and peak memory (baseline: reading the same package
// rows with one plain SELECT per 500 scans, no matching), then an incremental update of 1k of those
// advisories (new fixed versions) and its re-match, then a full re-match again over the stored
// findings (what a KEV/EPSS/VEX change costs once findings exist). `--quick` scales down; RUNSIGHT_BENCH_PG=url
// runs the re-match on a PostgreSQL server instead of in-memory PGlite; RUNSIGHT_BENCH_SBOMS /
// _ADVISORIES set the sizes; RUNSIGHT_BENCH_REUSE=1 keeps a PostgreSQL fixture of the same sizes
// left by an earlier run instead of writing it again (the setup dominates a run on this machine);
// RUNSIGHT_BENCH_VERSIONS=k gives each package k versions in circulation (shared across images)
// instead of a random one of 360 (use another database: the reuse check does not see it);
// RUNSIGHT_BENCH_SETUP_ONLY=1 writes the fixture and stops (to build a large one ahead of a run);
// RUNSIGHT_BENCH_SQL_SBOMS=1 writes the SBOMs with set-based SQL (see topUpSboms). The SBOMs are
// written 500 scans per transaction (bulkSboms: the 20k fixture in minutes);
// RUNSIGHT_BENCH_SCAN_BY_SCAN=1 writes the same rows through saveScan, one scan at a time.
import { join } from 'node:path';
import { sql } from 'kysely';
import { rematch } from '../src/advisories/index.js';
import type { NormalizedAdvisory } from '../src/core/advisory.js';
import type { Package } from '../src/core/types.js';
import { openStore, type Store, saveScan } from '../src/store/index.js';
import { listCurrentScans } from '../src/store/queries/advisories/rematch-scans.js';
import { upsertAdvisorySource } from '../src/store/queries/advisories/upsert-advisory-source.js';
import { writeAdvisories } from '../src/store/queries/advisories/write-advisories.js';
import { SCHEMES } from '../src/versioning/index.js';
import { FILES } from '../src/versioning/vectors/files.js';
import { readVectors } from '../src/versioning/vectors/vector-file.js';
import { type Bench, type BenchRow, peakRssMiB, timeIt } from './harness.js';

const VECTORS = join(import.meta.dirname, '../testdata/versions');

function comparisonRows(quick: boolean): BenchRow[] {
  const rows: BenchRow[] = [];
  const budgetMs = quick ? 100 : 500;
  for (const id of Object.keys(SCHEMES)) {
    const scheme = SCHEMES[id]!;
    const pairs: [string, string][] = [];
    for (const [file, ids] of Object.entries(FILES)) {
      if (!ids.includes(id)) continue;
      for (const v of readVectors(join(VECTORS, file))) {
        if (scheme.isValid(v.a) && scheme.isValid(v.b)) pairs.push([v.a, v.b]);
      }
    }
    if (!pairs.length) continue;
    const rate = (fn: (a: string, b: string) => number) => {
      let n = 0;
      let sink = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < budgetMs) {
        for (const [a, b] of pairs) sink += fn(a, b);
        n += pairs.length;
      }
      if (sink === Number.MAX_SAFE_INTEGER) console.log(sink);
      return n / ((performance.now() - t0) / 1000);
    };
    const base = rate((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const value = rate((a, b) => scheme.compare(a, b));
    rows.push({
      name: `compare ${id} (${pairs.length} vector pairs)`,
      value: Math.round(value),
      unit: 'cmp/s',
      baseline: { name: 'string <', value: Math.round(base) },
      ratio: value / base,
      notes: 'ratio = our compare / plain string compare',
    });
  }
  return rows;
}

/** A small deterministic PRNG so runs are comparable. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function rematchRows(quick: boolean, log: (m: string) => void): Promise<BenchRow[]> {
  const sboms = Number(process.env.RUNSIGHT_BENCH_SBOMS ?? (quick ? 200 : 20_000));
  const advisories = Number(process.env.RUNSIGHT_BENCH_ADVISORIES ?? (quick ? 5_000 : 100_000));
  const perSbom = 300;
  const shared = Number(process.env.RUNSIGHT_BENCH_VERSIONS ?? 0);
  const names = Math.max(1000, Math.round(advisories / 5));
  const pgUrl = process.env.RUNSIGHT_BENCH_PG;
  const store: Store = await openStore(pgUrl ? { databaseUrl: pgUrl } : { dataDir: 'memory://' });
  try {
    const rand = rng(42);
    const advisory = (i: number, r: () => number, modified?: Date): NormalizedAdvisory => {
      const major = Math.floor(r() * 5);
      return {
        source: 'osv:npm',
        id: `GHSA-bench-${i}`,
        modified,
        aliases: [`CVE-2099-${100000 + i}`],
        upstream: [],
        severity: [],
        affected: [
          {
            ecosystem: 'npm',
            packageName: `pkg-${i % names}`,
            ranges: [
              {
                type: 'SEMVER',
                events: [{ introduced: `${major}.0.0` }, { fixed: `${major}.${1 + Math.floor(r() * 9)}.0` }],
              },
            ],
            versions: [],
          },
        ],
        record: {},
      };
    };
    const count = async (table: 'advisories' | 'current_scans') =>
      Number(
        (
          await store.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const scanByScan = process.env.RUNSIGHT_BENCH_SCAN_BY_SCAN === '1';
    const reuse =
      process.env.RUNSIGHT_BENCH_REUSE === '1' &&
      (await count('advisories')) === advisories &&
      (await count('current_scans')) === sboms;
    // RUNSIGHT_BENCH_SQL_SBOMS=1 (PostgreSQL, random versions only): tops the stored SBOMs up to N
    // with set-based SQL (scans, current_scans, packages of the same distribution) instead of one
    // saveScan per SBOM — what a re-match reads is the same; the hour-long 20k build is not.
    const topUp =
      !reuse &&
      process.env.RUNSIGHT_BENCH_SQL_SBOMS === '1' &&
      !shared &&
      store.kind === 'postgres' &&
      (await count('advisories')) === advisories &&
      (await count('current_scans')) < sboms;
    if (reuse) log(`setup: reusing the stored ${advisories} advisories and ${sboms} SBOMs`);
    else if (topUp) await topUpSboms(await count('current_scans'));
    else await writeFixture();
    async function topUpSboms(from: number) {
      log(`setup: SBOMs ${from}..${sboms} × ${perSbom} packages written with SQL`);
      for (let s = from; s < sboms; s += 500) {
        const to = Math.min(sboms, s + 500);
        await sql`with s as (
            insert into scans (image_digest, source, status, errors, stats, finished_at)
            select 'sha256:' || lpad(to_hex(g), 64, '0'), 'runsight', 'complete', '[]', '{}', now()
            from generate_series(${s}::int, ${to - 1}::int) g returning id, image_digest),
          c as (insert into current_scans (image_digest, source, scan_id) select image_digest, 'runsight', id from s)
          insert into packages (scan_id, ecosystem, name, version)
          select s.id, 'npm', 'pkg-' || floor(random() * ${names * 2})::int,
            floor(random() * 6)::int || '.' || floor(random() * 12)::int || '.' || floor(random() * 5)::int
          from s cross join generate_series(1, ${perSbom}) p`.execute(store.db);
        log(`  ${to} SBOMs stored`);
      }
    }
    if (process.env.RUNSIGHT_BENCH_SETUP_ONLY === '1') return [];
    async function writeFixture() {
      log(`setup: ${advisories} advisories over ${names} npm packages on ${store.kind}`);
      await store.db.transaction().execute(async (tx) => {
        await upsertAdvisorySource(
          { db: tx },
          { name: 'osv:npm', kind: 'osv', location: 'synthetic', recordCount: 0 },
        );
        const batch: NormalizedAdvisory[] = [];
        for (let i = 0; i < advisories; i++) {
          batch.push(advisory(i, rand));
          if (batch.length === 5000) await writeAdvisories({ db: tx }, batch.splice(0));
        }
        if (batch.length) await writeAdvisories({ db: tx }, batch);
      });
      log(`setup: ${sboms} stored SBOMs × ${perSbom} packages${scanByScan ? ' (scan by scan)' : ''}`);
      // The same SBOMs either way (same generator, same draws): written scan by scan through saveScan
      // (RUNSIGHT_BENCH_SCAN_BY_SCAN=1, most of an hour at 20k) or 500 scans per transaction with one
      // column-wise insert per table (bulkSboms: the rows saveScan writes for a first scan, minutes).
      const pending: { imageDigest: string; packages: Package[] }[] = [];
      for (let s = 0; s < sboms; s++) {
        const packages: Package[] = [];
        for (let p = 0; p < perSbom; p++) {
          const n = Math.floor(rand() * names * 2); // half the names have no advisory
          // Versions: any of 360 at random (almost no two images share a (name, version)), or with
          // RUNSIGHT_BENCH_VERSIONS=k one of k per name, as images built from shared bases do.
          const v = shared ? ((n * 7 + Math.floor(rand() * shared)) * 2654435761) >>> 0 : undefined;
          packages.push({
            ecosystem: 'npm',
            name: `pkg-${n}`,
            version:
              v === undefined
                ? `${Math.floor(rand() * 6)}.${Math.floor(rand() * 12)}.${Math.floor(rand() * 5)}`
                : `${v % 6}.${(v >>> 3) % 12}.${(v >>> 7) % 5}`,
          });
        }
        const imageDigest = `sha256:${s.toString(16).padStart(64, '0')}`;
        if (scanByScan) {
          await saveScan(store, {
            imageDigest,
            source: 'runsight',
            status: 'complete',
            errors: [],
            packages,
            findings: [],
          });
        } else {
          pending.push({ imageDigest, packages });
          if (pending.length === 500) await bulkSboms(store, pending.splice(0));
        }
        if (s % 1000 === 999) log(`  ${s + 1} SBOMs stored`);
      }
      if (pending.length) await bulkSboms(store, pending);
    }
    // Baseline: the same package rows, read with a plain SELECT per 500 scans (no matching).
    const read = await timeIt(async () => {
      const scans = await listCurrentScans(store);
      let n = 0;
      for (let i = 0; i < scans.length; i += 500) {
        const { rows } = await sql<{ scan_id: number }>`
          select scan_id, ecosystem, name, version, purl, source_name, source_version, layer_diff_id, path, evidence
          from packages where scan_id = any(${scans.slice(i, i + 500).map((x) => x.scanId)}::bigint[])`.execute(
          store.db,
        );
        n += rows.length;
      }
      return n;
    });
    log(`read ${read.value} stored packages in ${Math.round(read.ms)} ms; re-matching`);
    const rssBefore = peakRssMiB();
    const rm = await timeIt(() => rematch(store, { all: true }));
    const findings = await store.db
      .selectFrom('findings')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    log(`full re-match in ${Math.round(rm.ms)} ms; updating 1000 advisories`);
    // Incremental: 1k advisories get new fixed versions (as a db update writes them), then the
    // re-match of the keys they touched.
    const bump = rng(Date.now() % 100_000);
    const touched = await store.transaction((tx) =>
      writeAdvisories(
        tx,
        Array.from({ length: 1000 }, (_, i) => advisory(i, bump, new Date())),
      ),
    );
    const inc = await timeIt(() => rematch(store, { keys: touched }));
    // A full re-match over stored findings (as after a KEV, EPSS or VEX change): the first one above
    // wrote every finding into an empty table; this one writes only what changed.
    log(`incremental re-match in ${Math.round(inc.ms)} ms; full re-match over the stored findings`);
    const again = await timeIt(() => rematch(store, { all: true }));
    const scale = `${sboms} SBOMs × ${perSbom} pkgs${shared ? ` (${shared} versions per package)` : ''} vs ${advisories} advisories (${store.kind})`;
    return [
      {
        name: `full re-match: ${scale}`,
        value: Math.round(rm.ms) / 1000,
        unit: 's',
        baseline: { name: 'plain SELECT of the same package rows', value: Math.round(read.ms) / 1000 },
        ratio: rm.ms / read.ms,
        goal: '< 60 s at 20k × 300 vs 100k on PostgreSQL',
        notes: `${rm.value.scans} scans, ${Number(findings.n)} findings written, ${Math.round((read.value / rm.ms) * 1000)} pkgs/s`,
      },
      {
        name: `incremental re-match after 1k advisories changed: ${scale}`,
        value: Math.round(inc.ms) / 1000,
        unit: 's',
        baseline: { name: 'full re-match', value: Math.round(rm.ms) / 1000 },
        ratio: inc.ms / rm.ms,
        goal: '< 5 s at 20k × 300 vs 100k on PostgreSQL',
        notes: `${touched.length} keys touched, ${inc.value.scans} scans, ${inc.value.newlyAffected} newly affected, ${inc.value.newlyFixed} newly fixed`,
      },
      {
        name: `full re-match over stored findings (nothing changed since): ${scale}`,
        value: Math.round(again.ms) / 1000,
        unit: 's',
        baseline: { name: 'plain SELECT of the same package rows', value: Math.round(read.ms) / 1000 },
        ratio: again.ms / read.ms,
        goal: '< 60 s at 20k × 300 vs 100k on PostgreSQL',
        notes: `${again.value.scans} scans, ${again.value.newlyAffected} newly affected, ${again.value.newlyFixed} newly fixed`,
      },
      {
        name: 'peak RSS during the run',
        value: Math.round(Math.max(peakRssMiB(), rssBefore)),
        unit: 'MiB',
        notes: `process peak (includes setup${store.kind === 'pglite' ? ' and the in-memory PGlite database' : ''})`,
      },
    ];
  } finally {
    await store.close();
  }
}

/**
 * Stores first scans of some SBOMs in one transaction: the scans, current_scans and packages rows
 * saveScan writes for a complete scan with no findings and no previous scan (same columns, same
 * values), each table written with one column-wise insert of array parameters.
 */
async function bulkSboms(store: Store, items: { imageDigest: string; packages: Package[] }[]): Promise<void> {
  await store.db.transaction().execute(async (tx) => {
    const { rows: ids } = await sql<{ id: number | string; image_digest: string }>`
      insert into scans (image_digest, source, scanner_version, reference, status, errors, os, stats, started_at, finished_at)
      select d, 'runsight', null, null, 'complete', '[]', null, '{}', now(), now()
      from unnest(${items.map((i) => i.imageDigest)}::text[]) with ordinality as t(d, n)
      order by n
      returning id, image_digest`.execute(tx);
    const idOf = new Map(ids.map((r) => [r.image_digest, Number(r.id)]));
    await sql`insert into current_scans (image_digest, source, scan_id)
      select d, 'runsight', id from unnest(${items.map((i) => i.imageDigest)}::text[],
        ${items.map((i) => idOf.get(i.imageDigest)!)}::bigint[]) as t(d, id)`.execute(tx);
    const scan: number[] = [];
    const name: string[] = [];
    const version: string[] = [];
    const eco: string[] = [];
    for (const i of items) {
      for (const p of i.packages) {
        scan.push(idOf.get(i.imageDigest)!);
        eco.push(p.ecosystem);
        name.push(p.name);
        version.push(p.version);
      }
    }
    // In the order saveScan inserts them (per scan, in SBOM order), so package ids follow the same order.
    await sql`insert into packages (scan_id, ecosystem, name, version, purl, source_name, source_version,
        layer_diff_id, path, evidence)
      select s, e, n, v, null, null, null, null, null, null
      from unnest(${scan}::bigint[], ${eco}::text[], ${name}::text[], ${version}::text[]) with ordinality
        as t(s, e, n, v, o)
      order by o`.execute(tx);
  });
}

export const bench: Bench = {
  area: 'advisories',
  async run({ quick, log }) {
    const rows = comparisonRows(quick);
    rows.push(...(await rematchRows(quick, log)));
    return rows;
  },
};
