// Propagation benchmark: a synthetic fleet — 1M containers, 20k images, 5M findings on
// PostgreSQL; 100k containers on PGlite (`--quick` scales both down 20×). Measures a full
// recompute, a one-container delta, a one-image re-match and posture queries by namespace,
// cluster and CVE (p50/p95), against a baseline measured in the same run: an in-memory hash join
// over the same data (the rows read from the same store, then joined in JS).
//
// Fleet shape: images belong to workloads (a workload runs one image, a namespace a few
// workloads), as in real clusters; 250 findings per image drawn from a 30k-vulnerability space.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import {
  applyPostureDelta,
  computeRollup,
  figuresFromCells,
  maintainPosture,
  readRollups,
  recomputePosture,
  refreshImages,
  syncPosture,
  updateScopePosture,
} from '../src/propagation/index.js';
import type { Database } from '../src/store/index.js';
import { queryVulnWhere } from '../src/store/index.js';
import { createTestStore, postgresAvailable, type TestStore } from '../src/store/test-support/stores.js';
import { getPosture } from '../src/views/index.js';
import { reusedDatabase } from './fleet-store.js';
import { type Bench, type BenchRow, percentile, timeIt } from './harness.js';

export interface Fleet {
  containers: number;
  images: number;
  findingsPerImage: number;
  clusters: number;
  namespaces: number;
}

const FULL_PG: Fleet = {
  containers: 1_000_000,
  images: 20_000,
  findingsPerImage: 250,
  clusters: 10,
  namespaces: 2_000,
};
const FULL_PGLITE: Fleet = {
  containers: 100_000,
  images: 2_000,
  findingsPerImage: 250,
  clusters: 4,
  namespaces: 200,
};

/** `f` divided by `by` (containers, images, namespaces; at least 10 namespaces); `by` ≤ 1: `f` as is. */
export function scaleFleet(f: Fleet, by: number): Fleet {
  if (by <= 1) return f;
  return {
    ...f,
    containers: Math.round(f.containers / by),
    images: Math.round(f.images / by),
    namespaces: Math.max(10, Math.round(f.namespaces / by)),
  };
}

/**
 * A benchmark over the store kinds `stores` names (`pglite`, `postgres` when a server is reachable,
 * or `both`), each on its own fleet scaled by `by`: `runOne` per kind on a fresh test store.
 */
export async function overStores(
  stores: string,
  fleets: Record<'pglite' | 'postgres', Fleet>,
  by: number,
  runOne: (store: TestStore, kind: 'pglite' | 'postgres', fleet: Fleet) => Promise<BenchRow[]>,
): Promise<BenchRow[]> {
  const kinds: ('pglite' | 'postgres')[] = [];
  if (stores === 'pglite' || stores === 'both') kinds.push('pglite');
  if ((stores === 'postgres' || stores === 'both') && (await postgresAvailable())) kinds.push('postgres');
  const rows: BenchRow[] = [];
  for (const kind of kinds) {
    const store = await createTestStore(kind);
    try {
      rows.push(...(await runOne(store, kind, scaleFleet(fleets[kind], by))));
    } finally {
      await store.dispose();
    }
  }
  return rows;
}

// Knobs for a loaded machine: RUNSIGHT_BENCH_PROPAGATION_SCALE=5 divides both fleets by 5 (same
// ratios: 200k containers / 4k images / 1M findings on PostgreSQL); RUNSIGHT_BENCH_PROPAGATION_STORES
// = `postgres` or `pglite` runs one store only. RUNSIGHT_BENCH_PROPAGATION_REUSE=<database> keeps
// the PostgreSQL fleet in that database across runs (building a 1M fleet takes tens of minutes): the
// first run creates and fills it and measures every row; later runs find it filled and measure only
// what leaves the fleet as it was (deltas, re-matches, queries, the report). Drop it when done.
const SCALE = Number(process.env.RUNSIGHT_BENCH_PROPAGATION_SCALE ?? 1) || 1;
const STORES = process.env.RUNSIGHT_BENCH_PROPAGATION_STORES;
const REUSE = process.env.RUNSIGHT_BENCH_PROPAGATION_REUSE;

export const bench: Bench = {
  area: 'propagation',
  async run({ quick, log }) {
    const rows: BenchRow[] = [];
    const by = (quick ? 20 : 1) * SCALE;
    const kinds: ['pglite' | 'postgres', Fleet][] = [];
    if (STORES !== 'postgres') kinds.push(['pglite', scaleFleet(FULL_PGLITE, by)]);
    if (STORES !== 'pglite' && (await postgresAvailable())) kinds.push(['postgres', scaleFleet(FULL_PG, by)]);
    for (const [kind, fleet] of kinds) {
      const store =
        kind === 'postgres' && REUSE
          ? await reusedDatabase(REUSE, 'RUNSIGHT_BENCH_PROPAGATION_REUSE')
          : await createTestStore(kind);
      try {
        rows.push(...(await runOne(store, kind, fleet, log)));
      } finally {
        await store.dispose();
      }
    }
    return rows;
  },
};

async function runOne(
  store: TestStore,
  kind: string,
  fleet: Fleet,
  log: (m: string) => void,
): Promise<BenchRow[]> {
  const db = store.db;
  const label = `${kind} ${fmt(fleet.containers)} containers / ${fmt(fleet.images)} images / ${fmt(fleet.images * fleet.findingsPerImage)} findings`;
  const out: BenchRow[] = [];
  // A reused database already holding the fleet (RUNSIGHT_BENCH_PROPAGATION_REUSE): no generation,
  // no from-scratch rows; delta ids of this run are its own.
  const reused = Boolean(
    await db.selectFrom('inventory_sources').select('id').where('name', '=', 'synthetic').executeTakeFirst(),
  );
  const run = reused ? Date.now().toString(36) : '';
  if (reused) {
    log(`${kind}: reusing the fleet in ${store.location} (${label})`);
    await syncPosture(store);
    // A previous run may have rewritten every container (its resolution or re-list step) and left
    // the dead rows behind, autovacuum being off here: clean them as the fresh fleet does, or the
    // query rows below read a million dead tuples and mean little.
    await sql`vacuum analyze containers`.execute(db);
  } else {
    log(`${kind}: generating ${label}`);
    const gen = await timeIt(() => generate(db, fleet));
    log(`${kind}: generated in ${(gen.ms / 1000).toFixed(1)} s`);
    await inventoryRan(db);
    out.push(...(await fromScratch(store, kind, label, log)));
  }

  // One-container delta: a new pod of an existing workload.
  const src = await db.selectFrom('inventory_sources').select('id').executeTakeFirstOrThrow();
  const deltaTimes: number[] = [];
  for (let i = 0; i < 10; i++) {
    const id = `delta-${run}${i}`;
    await db
      .insertInto('containers')
      .values({ ...deltaRow(src.id, i), id })
      .execute();
    deltaTimes.push(
      (await timeIt(() => applyPostureDelta(store, { containerIds: [id] }, { scopes: false }))).ms,
    );
  }
  out.push({
    name: `${kind}: one-container delta, resolution (p50)`,
    value: ms(percentile(deltaTimes, 50)),
    unit: 'ms',
    notes: `p95 ${ms(percentile(deltaTimes, 95))} ms`,
  });
  // The same delta as an inventory write brings posture up to date: maintainPosture with the
  // container ids it wrote (resolution, the touched workloads' groups, scope roll-ups moved by the
  // difference, snapshots). Alternating between two digests the workload already runs.
  await syncPosture(store);
  // Baseline: one round trip (`select 1`) before each sample, in the same run.
  const idTimes: number[] = [];
  const roundTrips: number[] = [];
  for (let i = 20; i < 30; i++) {
    roundTrips.push((await timeIt(() => sql`select 1`.execute(db))).ms);
    await db
      .insertInto('containers')
      .values({ ...deltaRow(src.id, i % 2), id: `delta-${run}${i}` })
      .execute();
    idTimes.push((await timeIt(() => maintainPosture(store, { containerIds: [`delta-${run}${i}`] }))).ms);
  }
  out.push({
    name: `${kind}: one-container delta, maintainPosture(ids) incl. scope roll-ups + snapshots (p50)`,
    value: ms(percentile(idTimes, 50)),
    unit: 'ms',
    baseline: { name: 'select 1 round trip (p50)', value: ms(percentile(roundTrips, 50)) },
    ratio: percentile(idTimes, 50) / Math.max(percentile(roundTrips, 50), 0.01),
    goal: kind === 'postgres' ? '< 200 ms' : undefined,
    notes: `p95 ${ms(percentile(idTimes, 95))} ms, ${idTimes.length} runs`,
  });
  // The watermark sync when nothing changed (what a scan, import or db sync pays on top).
  const idle: number[] = [];
  for (let i = 0; i < 3; i++) idle.push((await timeIt(() => syncPosture(store))).ms);
  out.push({
    name: `${kind}: no-change watermark sync (p50)`,
    value: ms(percentile(idle, 50)),
    unit: 'ms',
    notes: `p95 ${ms(percentile(idle, 95))} ms, ${idle.length} runs`,
  });
  // The same delta through the watermark sync (what scans, imports and db sync run): it also looks
  // for changed containers and stale image roll-ups by itself.
  const syncTimes: number[] = [];
  for (let i = 10; i < 13; i++) {
    await db
      .insertInto('containers')
      .values({ ...deltaRow(src.id, i), id: `delta-${run}${i}` })
      .execute();
    syncTimes.push((await timeIt(() => syncPosture(store))).ms);
  }
  out.push({
    name: `${kind}: one-container delta, whole sync incl. scope roll-ups (p50)`,
    value: ms(percentile(syncTimes, 50)),
    unit: 'ms',
    notes: `${syncTimes.length} runs`,
  });

  // One-image re-match: its findings change, its roll-up is recomputed.
  const rematch: number[] = [];
  for (let i = 0; i < 10; i++) {
    const digest = digestSql(i * 7);
    await sql`update findings set severity = case when severity = 'LOW' then 'HIGH' else 'LOW' end
      where image_digest = ${digest} and id % 10 = 0`.execute(db);
    rematch.push((await timeIt(() => refreshImages(store, [digest], 'runsight', new Date()))).ms);
  }
  out.push({
    name: `${kind}: one-image re-match (p50)`,
    value: ms(percentile(rematch, 50)),
    unit: 'ms',
    notes: `p95 ${ms(percentile(rematch, 95))} ms`,
  });

  // Views read the stored roll-ups: bring them up to date after the re-matches.
  await syncPosture(store);
  // Posture queries.
  const queries: [string, (i: number) => Promise<unknown>][] = [
    [
      'namespace',
      (i: number) =>
        readRollups(store, 'namespace', {
          cluster: `cl${i % fleet.clusters}`,
          namespace: `ns${i % fleet.namespaces}`,
        }),
    ],
    ['cluster', (i: number) => readRollups(store, 'cluster', { cluster: `cl${i % fleet.clusters}` })],
    ['CVE', (i: number) => queryVulnWhere(store, [`CVE-2024-${(i * 97) % 30_000}`])],
  ];
  for (const [name, q] of queries) {
    const times: number[] = [];
    for (let i = 0; i < 20; i++) times.push((await timeIt(() => q(i))).ms);
    out.push({
      name: `${kind}: posture query by ${name} (p95)`,
      value: ms(percentile(times, 95)),
      unit: 'ms',
      goal: kind === 'postgres' ? 'p95 < 200 ms' : undefined,
      notes: `p50 ${ms(percentile(times, 50))} ms, 20 queries`,
    });
  }
  // The CVE view again right after an inventory re-list rewrote every container row (last_seen),
  // before autovacuum: index-only scans fall back to the heap.
  // (Not on a reused fleet: it would leave every later run a rewritten table.)
  if (!reused) {
    await sql`update containers set last_seen = now() where removed_at is null`.execute(db);
    const rewritten: number[] = [];
    for (let i = 0; i < 20; i++) {
      rewritten.push((await timeIt(() => queryVulnWhere(store, [`CVE-2024-${(i * 89 + 7) % 30_000}`]))).ms);
    }
    out.push({
      name: `${kind}: posture query by CVE right after every container row was rewritten (p95)`,
      value: ms(percentile(rewritten, 95)),
      unit: 'ms',
      notes: `p50 ${ms(percentile(rewritten, 50))} ms, 20 queries, before autovacuum`,
    });
  }

  // The whole `posture` report (roll-ups, prioritised list, coverage, exposure, freshness) for
  // one cluster and fleet-wide, as the CLI prints it.
  const report: number[] = [];
  for (let i = 0; i < 5; i++) {
    report.push((await timeIt(() => getPosture(store, { by: 'namespace', cluster: `cl${i}` }))).ms);
  }
  out.push({
    name: `${kind}: whole posture report --by namespace --cluster (p50)`,
    value: ms(percentile(report, 50)),
    unit: 'ms',
    goal: kind === 'postgres' ? 'p95 < 500 ms' : undefined,
    notes: `p95 ${ms(percentile(report, 95))} ms, ${report.length} runs`,
  });
  const fleetReport: number[] = [];
  for (let i = 0; i < 3; i++)
    fleetReport.push((await timeIt(() => getPosture(store, { by: 'namespace' }))).ms);
  out.push({
    name: `${kind}: whole posture report --by namespace, fleet-wide (p50)`,
    value: ms(percentile(fleetReport, 50)),
    unit: 'ms',
    goal: kind === 'postgres' ? 'p95 < 1.5 s' : undefined,
    notes: `p95 ${ms(percentile(fleetReport, 95))} ms, ${fleetReport.length} runs`,
  });
  return out;
}

/** The rows that build posture from scratch (resolution, full recompute, every scope roll-up). */
async function fromScratch(
  store: TestStore,
  kind: string,
  label: string,
  log: (m: string) => void,
): Promise<BenchRow[]> {
  const db = store.db;
  const out: BenchRow[] = [];
  // Resolution of every container (identity work; no baseline of its own).
  const resolve = await timeIt(() => recomputePosture(store, { scopes: false }));
  out.push({
    name: `${kind}: resolve every container + all image roll-ups (${label})`,
    value: ms(resolve.ms),
    unit: 'ms',
  });

  // Resolution rewrote every container row; autovacuum would now clean the table and set its
  // visibility map. Do it here so later figures are those of a steady-state store (the CVE query is
  // measured once more below without it, after a fleet-wide rewrite).
  await sql`vacuum analyze containers`.execute(db);

  // Full recompute: per-image roll-ups from every finding, then the fleet rolled up by namespace —
  // the same work the baseline does.
  const full = await timeIt(async () => {
    await refreshImages(store, undefined, 'runsight', new Date());
    return computeRollup(store, 'namespace');
  });
  log(`${kind}: full recompute ${ms(full.ms)} ms`);
  const base = await timeIt(() => hashJoinBaseline(db));
  log(`${kind}: baseline ${ms(base.ms)} ms`);
  // The two must agree before their times mean anything.
  const dbTotals = full.value.reduce((n, r) => n + figuresFromCells(r.instanceCells).total, 0);
  if (dbTotals !== base.value.instances) {
    throw new Error(
      `benchmark results disagree: store ${dbTotals} instances, hash join ${base.value.instances}`,
    );
  }
  out.push({
    name: `${kind}: full recompute (image roll-ups + namespace roll-up)`,
    value: ms(full.ms),
    unit: 'ms',
    baseline: { name: 'in-memory hash join (read + join)', value: ms(base.ms) },
    ratio: full.ms / base.ms,
    goal: '<= 3× baseline',
    notes: `${fmt(dbTotals)} instances; join alone ${ms(base.value.joinMs)} ms`,
  });
  // Every scope kind's stored roll-up (what views read) and a snapshot of each, from scratch.
  const scopes = await timeIt(() => updateScopePosture(store, { all: true }));
  out.push({
    name: `${kind}: all scope roll-ups (7 kinds) + snapshots, from scratch`,
    value: ms(scopes.ms),
    unit: 'ms',
    baseline: { name: 'in-memory hash join (read + join)', value: ms(base.ms) },
    ratio: scopes.ms / base.ms,
    notes: `${fmt(scopes.value.scopes)} scopes`,
  });

  return out;
}

function deltaRow(sourceId: number, i: number) {
  return {
    source_id: sourceId,
    cluster: 'cl0',
    namespace: 'ns0',
    workload_kind: 'Deployment',
    workload_name: 'w0',
    container_name: 'app',
    container_kind: 'regular',
    platform: 'linux/amd64',
    image: 'reg.example/app0:1',
    digest: digestSql(i),
    digest_kind: 'repo',
    state: 'running',
  };
}

function digestSql(i: number): string {
  return `sha256:${i.toString(16).padStart(64, '0')}`;
}

/**
 * `fleet` generated into `store` and rolled up, for the benchmarks of what reads posture (api,
 * metrics, dashboard, reports). Each source gets one successful inventory run, as a collected
 * source has (generate writes none): without it freshness falls back to the newest observation, a
 * read of every container of the source (~570 ms at 1M on PostgreSQL) that every view pays alike.
 */
export async function rolledUpFleet(
  store: TestStore,
  fleet: Fleet,
  log: (m: string) => void,
  label: string,
): Promise<void> {
  log(`generating ${label}`);
  const gen = await timeIt(async () => {
    await generate(store.db, fleet);
    await inventoryRan(store.db);
    await recomputePosture(store);
  });
  log(`generated and rolled up in ${(gen.ms / 1000).toFixed(1)} s`);
}
/** One successful inventory run per source, as a collected source has (generate writes none). */
async function inventoryRan(db: Kysely<Database>): Promise<void> {
  await sql`insert into inventory_runs (source_id, mode, status, finished_at)
    select id, 'full', 'ok', now() from inventory_sources`.execute(db);
}

/** Fills the store with the synthetic fleet, server-side (generate_series), in one transaction. */
export async function generate(db: Kysely<Database>, f: Fleet): Promise<void> {
  const perNs = Math.max(1, Math.ceil(f.images / f.namespaces));
  await db.transaction().execute(async (tx) => {
    await sql`insert into inventory_sources (name, kind) values ('synthetic', 'kubernetes')`.execute(tx);
    await sql`insert into images (digest, kind, media_type, config_digest, os, architecture)
      select 'sha256:' || lpad(to_hex(i), 64, '0'), 'manifest', 'application/vnd.oci.image.manifest.v1+json',
        'sha256:' || lpad(to_hex(i + 100000000), 64, '0'), 'linux', 'amd64'
      from generate_series(0, ${f.images - 1}) i`.execute(tx);
    await sql`insert into scans (id, image_digest, source, status, started_at, finished_at)
      select i + 1, 'sha256:' || lpad(to_hex(i), 64, '0'), 'runsight', 'complete', now(), now()
      from generate_series(0, ${f.images - 1}) i`.execute(tx);
    await sql`select setval('scans_id_seq', ${f.images})`.execute(tx);
    await sql`insert into current_scans (image_digest, source, scan_id)
      select 'sha256:' || lpad(to_hex(i), 64, '0'), 'runsight', i + 1 from generate_series(0, ${f.images - 1}) i`.execute(
      tx,
    );
    await sql`insert into findings (scan_id, image_digest, source, vulnerability_id, package_ecosystem, package_name,
        installed_version, fixed_version, severity, status)
      select i + 1, 'sha256:' || lpad(to_hex(i), 64, '0'), 'runsight',
        'CVE-2024-' || ((i * 131 + j * 977) % 30000), 'Debian:12', 'pkg' || (j % 120), '1.0',
        case when j % 3 = 0 then '1.1' end,
        (array['CRITICAL','HIGH','MEDIUM','LOW','UNKNOWN'])[1 + ((i + j) % 5)], 'affected'
      from generate_series(0, ${f.images - 1}) i, generate_series(0, ${f.findingsPerImage - 1}) j`.execute(
      tx,
    );
    await sql`insert into kev (cve_id) select 'CVE-2024-' || (k * 150) from generate_series(0, 199) k`.execute(
      tx,
    );
    await sql`insert into epss (cve_id, score, percentile)
      select 'CVE-2024-' || k, (k % 1000) / 1000.0, (k % 1000) / 1000.0 from generate_series(0, 29999, 3) k`.execute(
      tx,
    );
    // Container n belongs to workload w = n % images (one image per workload), whose namespace
    // is w / perNs and cluster namespace % clusters.
    await sql`insert into containers (id, source_id, cluster, namespace, workload_kind, workload_name, pod,
        container_name, container_kind, platform, image, digest, digest_kind, state, started_at, owner, environment)
      select 'c' || n, (select id from inventory_sources limit 1),
        'cl' || (((n % ${f.images}) / ${perNs}) % ${f.clusters}), 'ns' || ((n % ${f.images}) / ${perNs}),
        'Deployment', 'w' || (n % ${f.images}), 'w' || (n % ${f.images}) || '-' || n, 'app', 'regular', 'linux/amd64',
        'reg.example/app' || (n % ${f.images}) || ':1', 'sha256:' || lpad(to_hex(n % ${f.images}), 64, '0'), 'repo',
        'running', now() - interval '1 day', 'team' || (n % 40), case when n % 2 = 0 then 'prod' else 'staging' end
      from generate_series(0, ${f.containers - 1}) n`.execute(tx);
    // The exposure ledger as the inventory writer keeps it: one open interval per running container
    // (the prioritised list sums it per image; without it the list's cost at 1M was understated by
    // ~1 s). Fleets built before 2026-12-02 (RUNSIGHT_BENCH_*_REUSE databases) have none.
    await sql`insert into exposures (container_id, image_digest, first_seen, last_seen)
      select id, digest, started_at, now() from containers`.execute(tx);
  });
  // Steady state, as autovacuum leaves a table: hint bits and the visibility map set, statistics
  // fresh (otherwise the first reads after a bulk load pay for rewriting every page).
  await sql`vacuum analyze`.execute(db);
}

/**
 * The baseline: read containers (digest, namespace) and findings (digest, vulnerability,
 * severity) from the same store, then hash-join in memory: per-image severity counts, containers
 * joined on digest, instances per namespace.
 */
export async function hashJoinBaseline(db: Kysely<Database>): Promise<{ instances: number; joinMs: number }> {
  const digestIds = new Map<string, number>();
  const idOf = (d: string) => {
    let v = digestIds.get(d);
    if (v === undefined) {
      v = digestIds.size;
      digestIds.set(d, v);
    }
    return v;
  };
  const PAGE = 200_000;
  const fImage: number[] = [];
  const fVuln: number[] = [];
  const fSev: number[] = [];
  const vulnIds = new Map<string, number>();
  for (let after = 0; ; ) {
    const r = await sql<{
      id: number;
      image_digest: string;
      vulnerability_id: string;
      severity: string;
      status: string;
    }>`
      select id, image_digest, vulnerability_id, severity, status from findings where id > ${after} order by id limit ${PAGE}`.execute(
      db,
    );
    for (const row of r.rows) {
      if (row.status !== 'affected' && row.status !== 'unknown') continue;
      fImage.push(idOf(row.image_digest));
      let v = vulnIds.get(row.vulnerability_id);
      if (v === undefined) {
        v = vulnIds.size;
        vulnIds.set(row.vulnerability_id, v);
      }
      fVuln.push(v);
      fSev.push(SEV[row.severity] ?? 0);
    }
    if (r.rows.length < PAGE) break;
    after = r.rows[r.rows.length - 1]!.id;
  }
  const cImage: number[] = [];
  const cNs: string[] = [];
  for (let after = ''; ; ) {
    const r = await sql<{ id: string; image_digest: string | null; cluster: string; namespace: string }>`
      select id, image_digest, cluster, namespace from containers where removed_at is null and id > ${after} order by id limit ${PAGE}`.execute(
      db,
    );
    for (const row of r.rows) {
      if (!row.image_digest) continue;
      cImage.push(idOf(row.image_digest));
      cNs.push(`${row.cluster}/${row.namespace}`);
    }
    if (r.rows.length < PAGE) break;
    after = r.rows[r.rows.length - 1]!.id;
  }
  const t0 = performance.now();
  // Per image: highest severity per vulnerability (one finding per image × vulnerability).
  const perImage = new Map<number, Map<number, number>>();
  for (let i = 0; i < fImage.length; i++) {
    let m = perImage.get(fImage[i]!);
    if (!m) {
      m = new Map();
      perImage.set(fImage[i]!, m);
    }
    const prev = m.get(fVuln[i]!);
    if (prev === undefined || fSev[i]! > prev) m.set(fVuln[i]!, fSev[i]!);
  }
  const counts = new Map<number, number>();
  for (const [img, m] of perImage) counts.set(img, m.size);
  const perNs = new Map<string, number>();
  let instances = 0;
  for (let i = 0; i < cImage.length; i++) {
    const n = counts.get(cImage[i]!) ?? 0;
    perNs.set(cNs[i]!, (perNs.get(cNs[i]!) ?? 0) + n);
    instances += n;
  }
  return { instances, joinMs: performance.now() - t0 };
}

const SEV: Record<string, number> = { CRITICAL: 4, HIGH: 3, MEDIUM: 2, LOW: 1, UNKNOWN: 0 };

function ms(x: number): number {
  return Math.round(x * 10) / 10;
}

function fmt(n: number): string {
  return n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n);
}
