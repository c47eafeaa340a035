// Inventory benchmarks:
// 1. Ingest a synthetic list of 100k pods of realistic shape (the recorded nginx Deployment pod,
//    varied over 200 namespaces, 5000 Deployments, 1000 nodes, 800 images, 10% with a sidecar):
//    map pods → containers, land the full mutation, then land the same list again (steady state).
//    Baseline (same run): a plain multi-row INSERT of the same rows into a scratch copy of the table
//    (same columns, defaults and indexes).
// 3. A generated CMDB CSV (1M rows; RUNSIGHT_BENCH_CMDB_ROWS) imported by a child process
//    (bench/cmdb-import-child.ts) on PostgreSQL — wall time against a plain COPY of the same
//    container rows into a scratch copy of the table (psql \copy, same run), and peak RSS against
//    the store's floor (a child that only opens and reads the store) — and on PGlite at a smaller
//    size (200k; RUNSIGHT_BENCH_CMDB_PGLITE_ROWS), peak RSS against its floor.
// 4. A collect of an unchanged fleet (200k containers; RUNSIGHT_BENCH_UNCHANGED_CONTAINERS) on
//    PostgreSQL, the same full list landed again: wall time and the rows it wrote (per table, from
//    pg_stat_xact_user_tables inside the collect's transaction, HOT updates apart), then the same
//    list with 100 containers changed. RUNSIGHT_BENCH_ONLY=unchanged runs only these rows.
// 2. Latency from a watch event to the container row updated: the real client watching a local API
//    server, pods changed at a steady rate, deltas applied to the store. Baseline: when the event
//    reached the client (the wire), so the ratio is the cost of mapping + the store transaction.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { sql } from 'kysely';
import pg from 'pg';
import type { ContainerObservation } from '../src/core/types.js';
import { watchKubernetesInventory } from '../src/inventory/index.js';
import { metadataKeys } from '../src/inventory/metadata-keys.js';
import { type KubernetesApi, kubernetesApi } from '../src/inventory/providers/kubernetes/api.js';
import { ClusterCache } from '../src/inventory/providers/kubernetes/collector.js';
import { podSchema } from '../src/inventory/providers/kubernetes/schema.js';
import { clientNodeClient, loadClientNode } from '../src/kubernetes/index.js';
import { FakeKubernetesApiServer, kubeconfigYaml } from '../src/kubernetes/test-support/api-server.js';
import { containerRow, openStore, type Store, writeInventoryMutation } from '../src/store/index.js';
import { ADMIN_URL, createTestStore, postgresAvailable } from '../src/store/test-support/stores.js';
import { type Bench, type BenchRow, peakRssMiB, percentile, timeIt } from './harness.js';

// biome-ignore lint/suspicious/noExplicitAny: a recorded pod used as a template.
type Raw = any;
const template: Raw = JSON.parse(
  readFileSync(new URL('../testdata/inventory/k8s/k9s/pod-nginx-replicaset.json', import.meta.url), 'utf8'),
);
const nodeTemplate: Raw = JSON.parse(
  readFileSync(
    new URL('../testdata/inventory/k8s/sonobuoy-kind/cluster/core_v1_nodes.json', import.meta.url),
    'utf8',
  ),
).items[0];

function hex(n: number, len = 64): string {
  return n
    .toString(16)
    .padStart(8, '0')
    .repeat(Math.ceil(len / 8))
    .slice(0, len);
}

export function syntheticPod(i: number): Raw {
  const p = structuredClone(template);
  const ns = `team-${i % 200}`;
  const deploy = `svc-${i % 5000}`;
  const hash = hex(i % 5000, 10);
  const image = i % 800;
  p.metadata.namespace = ns;
  p.metadata.name = `${deploy}-${hash}-${hex(i, 5)}`;
  p.metadata.uid = `uid-${i}`;
  p.metadata.labels = {
    app: deploy,
    'pod-template-hash': hash,
    team: `team-${i % 200}`,
    environment: i % 3 ? 'prod' : 'staging',
  };
  p.metadata.ownerReferences = [
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: `${deploy}-${hash}`,
      controller: true,
      uid: `rs-${i % 5000}`,
    },
  ];
  p.spec.nodeName = `node-${i % 1000}`;
  p.spec.containers[0].image = `registry.example.com/app-${image}:1.${image % 7}`;
  p.status.containerStatuses[0].image = p.spec.containers[0].image;
  p.status.containerStatuses[0].imageID = `registry.example.com/app-${image}@sha256:${hex(image)}`;
  if (i % 10 === 0) {
    p.spec.initContainers = [{ name: 'proxy', image: 'istio/proxyv2:1.22.0', restartPolicy: 'Always' }];
    p.status.initContainerStatuses = [
      {
        name: 'proxy',
        image: 'docker.io/istio/proxyv2:1.22.0',
        imageID: `docker.io/istio/proxyv2@sha256:${hex(999_999)}`,
        restartCount: 0,
        state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
      },
    ];
  }
  return p;
}

function syntheticNode(i: number): Raw {
  const n = structuredClone(nodeTemplate);
  n.metadata.name = `node-${i}`;
  if (i % 4 === 0) {
    n.metadata.labels['kubernetes.io/arch'] = 'arm64';
  }
  return n;
}

/** A KubernetesApi with no server: the nodes are known, owners are inferred (as on a cache miss). */
function offlineApi(): KubernetesApi {
  const missing = async () => undefined;
  return {
    server: 'synthetic',
    listPods: async () => ({ items: [], resourceVersion: '1' }),
    readPod: missing,
    listNodes: async () => Array.from({ length: 1000 }, (_, i) => syntheticNode(i)),
    readNode: missing,
    listNamespaces: async () => [],
    readNamespace: missing,
    listReplicaSets: async () => [],
    readReplicaSet: missing,
    listJobs: async () => [],
    readJob: missing,
    watchPods: async () => {},
  };
}

async function ingest(pods: number, log: (m: string) => void): Promise<BenchRow[]> {
  const { containers, rows } = await mapPods(pods, log);
  const out = [
    ...rows,
    ...(await ingestInto('PGlite', () => openStore({ dataDir: 'memory://' }), containers, pods, log)),
  ];
  out.push({
    name: 'peak RSS (process)',
    value: Math.round(peakRssMiB()),
    unit: 'MiB',
    notes: 'includes PGlite (WASM) and the pods in memory',
  });
  if (await postgresAvailable().catch(() => false)) {
    out.push(...(await ingestInto('PostgreSQL', () => createTestStore('postgres'), containers, pods, log)));
  }
  return out;
}

async function mapPods(
  pods: number,
  log: (m: string) => void,
): Promise<{ containers: ContainerObservation[]; rows: BenchRow[] }> {
  const keys = metadataKeys();
  const api = offlineApi();
  const cache = new ClusterCache(api);
  await cache.prime(undefined);
  const raw = Array.from({ length: pods }, (_, i) => syntheticPod(i));
  const mapped = await timeIt(async () => {
    const out: ContainerObservation[] = [];
    for (const r of raw)
      out.push(...(await cache.containersOf(podSchema.parse(r), { cluster: 'bench', keys })));
    return out;
  });
  raw.length = 0;
  const containers = mapped.value;
  log(`mapped ${pods} pods → ${containers.length} containers in ${mapped.ms.toFixed(0)} ms`);
  return {
    containers,
    rows: [
      {
        name: `map ${pods} pods → ${containers.length} containers`,
        value: Math.round(mapped.ms),
        unit: 'ms',
      },
    ],
  };
}

async function ingestInto(
  label: string,
  open: () => Promise<Store & { dispose?: () => Promise<void> }>,
  containers: ContainerObservation[],
  pods: number,
  log: (m: string) => void,
): Promise<BenchRow[]> {
  const store = await open();
  try {
    // Baseline: the same rows, plain INSERT in the same chunks, into a scratch copy of the table.
    await sql`create table containers_baseline (like containers including all)`.execute(store.db);
    const baseline = await timeIt(async () => {
      for (let i = 0; i < containers.length; i += 1000) {
        const now = new Date();
        const rows = containers.slice(i, i + 1000).map((o) => containerRow(o, 1, now));
        // biome-ignore lint/suspicious/noExplicitAny: a scratch table outside the typed schema.
        await (store.db as any).insertInto('containers_baseline').values(rows).execute();
      }
    });
    log(`baseline insert ${baseline.ms.toFixed(0)} ms`);
    const src = { name: 'bench', kind: 'kubernetes' as const };
    const first = await timeIt(() => writeInventoryMutation(store, src, { type: 'full', containers }));
    log(`first full list applied in ${first.ms.toFixed(0)} ms (${first.value.added.length} added)`);
    const again = await timeIt(() => writeInventoryMutation(store, src, { type: 'full', containers }));
    log(`same list again in ${again.ms.toFixed(0)} ms (${again.value.unchanged} unchanged)`);
    return [
      {
        name: `ingest ${pods}-pod full list (new), ${label}`,
        value: Math.round(first.ms),
        unit: 'ms',
        baseline: { name: 'plain INSERT of the same rows', value: Math.round(baseline.ms) },
        ratio: first.ms / baseline.ms,
        notes: `${Math.round((containers.length / first.ms) * 1000)} containers/s`,
      },
      {
        name: `ingest the same ${pods}-pod list again (unchanged), ${label}`,
        value: Math.round(again.ms),
        unit: 'ms',
        baseline: { name: 'plain INSERT of the same rows', value: Math.round(baseline.ms) },
        ratio: again.ms / baseline.ms,
      },
    ];
  } finally {
    await (store.dispose ? store.dispose() : store.close());
  }
}

/** A synthetic running container: n of a fleet spread over 200 namespaces and 800 images. */
function fleetContainer(i: number, state = 'running'): ContainerObservation {
  const image = i % 800;
  const pod = `svc-${i % 5000}-${hex(i, 5)}`;
  return {
    id: `bench/team-${i % 200}/${pod}/app`,
    cluster: 'bench',
    namespace: `team-${i % 200}`,
    workloadKind: 'Deployment',
    workloadName: `svc-${i % 5000}`,
    pod,
    container: 'app',
    containerKind: 'regular',
    node: `node-${i % 1000}`,
    platform: { os: 'linux', architecture: 'amd64' },
    image: `registry.example.com/app-${image}:1.${image % 7}`,
    imageId: `registry.example.com/app-${image}@sha256:${hex(image)}`,
    digest: `sha256:${hex(image)}`,
    digestKind: 'repo',
    state,
    restarts: 0,
    labels: { app: `svc-${i % 5000}`, team: `team-${i % 200}` },
  };
}

interface CollectStats {
  ms: number;
  /** Rows inserted/updated (HOT among them) per table, inside the collect's transaction. */
  tables: Record<string, { ins: number; upd: number; hot: number }>;
  /** WAL bytes written by the whole server during the collect (other sessions included). */
  walBytes: number;
  unchanged: number;
  changed: number;
}

/** One full list landed in its own transaction, with the rows it wrote. */
async function collectWithStats(store: Store, containers: ContainerObservation[]): Promise<CollectStats> {
  const lsn = async () =>
    (await sql<{ l: string }>`select pg_current_wal_insert_lsn()::text as l`.execute(store.db)).rows[0]!.l;
  const before = await lsn();
  const t0 = performance.now();
  const out = await store.db.transaction().execute(async (tx) => {
    const applied = await writeInventoryMutation(
      { db: tx },
      { name: 'bench', kind: 'kubernetes' },
      { type: 'full', containers },
    );
    const stats = await sql<{ relname: string; ins: string; upd: string; hot: string }>`
      select relname, n_tup_ins as ins, n_tup_upd as upd, n_tup_hot_upd as hot
      from pg_stat_xact_user_tables where n_tup_ins + n_tup_upd + n_tup_del > 0`.execute(tx);
    return { applied, stats: stats.rows };
  });
  const ms = performance.now() - t0;
  const after = await lsn();
  const wal = await sql<{
    b: string;
  }>`select pg_wal_lsn_diff(${after}::pg_lsn, ${before}::pg_lsn)::bigint as b`.execute(store.db);
  const tables: CollectStats['tables'] = {};
  for (const r of out.stats)
    tables[r.relname] = { ins: Number(r.ins), upd: Number(r.upd), hot: Number(r.hot) };
  return {
    ms,
    tables,
    walBytes: Number(wal.rows[0]!.b),
    unchanged: out.applied.unchanged,
    changed: out.applied.counts.changed,
  };
}

function written(s: CollectStats): string {
  return Object.entries(s.tables)
    .sort()
    .map(([t, v]) => `${t} ${v.ins} ins/${v.upd} upd (${v.hot} HOT)`)
    .join(', ');
}

async function unchangedCollect(quick: boolean, log: (m: string) => void): Promise<BenchRow[]> {
  if (!(await postgresAvailable().catch(() => false))) {
    log('no PostgreSQL server: the unchanged-collect rows need one');
    return [];
  }
  const n = Number(process.env.RUNSIGHT_BENCH_UNCHANGED_CONTAINERS ?? (quick ? 20_000 : 200_000));
  const containers = Array.from({ length: n }, (_, i) => fleetContainer(i));
  const store = await createTestStore('postgres');
  try {
    const first = await timeIt(() =>
      writeInventoryMutation(store, { name: 'bench', kind: 'kubernetes' }, { type: 'full', containers }),
    );
    log(`first full list of ${n} containers landed in ${first.ms.toFixed(0)} ms`);
    await sql`vacuum analyze containers`.execute(store.db).catch(() => {});
    await sql`vacuum analyze exposures`.execute(store.db).catch(() => {});
    const runs: CollectStats[] = [];
    for (let i = 0; i < (quick ? 2 : 3); i++) {
      const s = await collectWithStats(store, containers);
      log(
        `unchanged collect ${i + 1}: ${s.ms.toFixed(0)} ms; ${written(s)}; WAL ${s.walBytes} B (server-wide)`,
      );
      runs.push(s);
    }
    const p50 = percentile(
      runs.map((r) => r.ms),
      50,
    );
    const last = runs.at(-1)!;
    const changedList = containers.map((c, i) => (i % (n / 100) === 0 ? fleetContainer(i, 'waiting') : c));
    const changed = await collectWithStats(store, changedList);
    log(
      `100 changed: ${changed.ms.toFixed(0)} ms; ${written(changed)}; WAL ${changed.walBytes} B (server-wide)`,
    );
    return [
      {
        name: `inventory collect, unchanged ${n}-container fleet, PostgreSQL (wall, p50)`,
        value: p50,
        unit: 'ms',
        notes: `${runs.length} runs, ${last.unchanged} unchanged; rows written: ${written(last) || 'none'}; WAL ${(last.walBytes / 1024 / 1024).toFixed(1)} MiB server-wide (other sessions included)`,
      },
      {
        name: `inventory collect, ${n}-container fleet with ${changed.changed} changed, PostgreSQL (wall)`,
        value: changed.ms,
        unit: 'ms',
        notes: `rows written: ${written(changed)}; WAL ${(changed.walBytes / 1024 / 1024).toFixed(1)} MiB server-wide`,
      },
    ];
  } finally {
    await store.dispose();
  }
}

async function watchLatency(events: number, log: (m: string) => void): Promise<BenchRow[]> {
  // A consistent world: the nodes, namespaces and ReplicaSets the pods refer to are listed at start,
  // as in a real cluster, so watch events hit warm caches.
  const server = new FakeKubernetesApiServer({
    pods: [syntheticPod(0)],
    nodes: Array.from({ length: 1000 }, (_, i) => syntheticNode(i)),
    namespaces: Array.from({ length: 200 }, (_, i) => ({
      metadata: { name: `team-${i}`, labels: { owner: `team-${i}` } },
    })),
    replicaSets: Array.from({ length: 5000 }, (_, i) => ({
      metadata: {
        name: `svc-${i}-${hex(i, 10)}`,
        namespace: `team-${i % 200}`,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: `svc-${i}`, controller: true }],
      },
    })),
  });
  const url = await server.start();
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml([{ name: 'bench', server: url }]));
  const inner = kubernetesApi(clientNodeClient(kc, await loadClientNode()));
  const wire = new Map<string, number>();
  // The structural port lets the benchmark timestamp events as they arrive from the wire.
  const api: KubernetesApi = {
    ...inner,
    watchPods: (opts, onEvent, signal) =>
      inner.watchPods(
        opts,
        (ev) => {
          const name = (ev.object as { metadata?: { name?: string } })?.metadata?.name;
          if (name && !wire.has(name)) wire.set(name, performance.now());
          onEvent(ev);
        },
        signal,
      ),
  };
  const store = await openStore({ dataDir: 'memory://' });
  const sent = new Map<string, number>();
  const applied = new Map<string, number>();
  const ac = new AbortController();
  let listed = false;
  const done = watchKubernetesInventory(
    store,
    { context: 'bench', cluster: 'bench', server: url, api },
    { keys: metadataKeys(), signal: ac.signal, batchMs: 50 },
    {
      onApplied(r) {
        if (r.mode === 'full') listed = true;
        const t = performance.now();
        for (const id of [...r.added, ...r.changed]) {
          const pod = id.split('/')[2]!;
          if (sent.has(pod) && !applied.has(pod)) applied.set(pod, t);
        }
      },
    },
  );
  while (!listed || !server.requests.some((r) => r.query.watch === 'true'))
    await new Promise((r) => setTimeout(r, 20));
  for (let i = 1; i <= events; i++) {
    const pod = syntheticPod(i);
    sent.set(pod.metadata.name, performance.now());
    server.putPod(pod);
    await new Promise((r) => setTimeout(r, 10));
  }
  const deadline = Date.now() + 30_000;
  while (applied.size < events && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  ac.abort();
  await done;
  await server.stop();
  await store.close();
  const e2e: number[] = [];
  const wireLat: number[] = [];
  for (const [pod, t0] of sent) {
    const t1 = applied.get(pod);
    if (t1 !== undefined) e2e.push(t1 - t0);
    const tw = wire.get(pod);
    if (tw !== undefined) wireLat.push(tw - t0);
  }
  log(`${e2e.length}/${events} events landed`);
  const p95 = percentile(e2e, 95);
  const wire95 = percentile(wireLat, 95);
  return [
    {
      name: `watch event → row updated, p50 (${events} events at 100/s)`,
      value: Math.round(percentile(e2e, 50)),
      unit: 'ms',
    },
    {
      name: `watch event → row updated, p95 (${events} events at 100/s)`,
      value: Math.round(p95),
      unit: 'ms',
      baseline: { name: 'event on the wire at the client, p95', value: Math.round(wire95) },
      ratio: p95 / Math.max(1, wire95),
      goal: 'p95 < 1000 ms',
      notes: `${e2e.length}/${events} landed; batches of 50 ms; PGlite`,
    },
  ];
}

/**
 * Writes an N-row CMDB CSV and, for the COPY baseline, the `containers` rows the import makes of
 * it (same values, CSV in the table's column order). Rows vary over 20 clusters, 200 namespaces,
 * 5000 workloads and 800 pinned-by-digest images.
 */
export function writeCmdbFiles(dir: string, rows: number): { cmdb: string; copy: string; columns: string[] } {
  const cmdb = join(dir, 'cmdb.csv');
  const copy = join(dir, 'containers.csv');
  const columns = [
    'id',
    'source_id',
    'cluster',
    'namespace',
    'workload_kind',
    'workload_name',
    'container_name',
    'container_kind',
    'platform',
    'image',
    'image_id',
    'digest',
    'digest_kind',
    'state',
    'started_at',
    'owner',
    'environment',
    'labels',
    'first_seen',
    'last_seen',
  ];
  const a = openSync(cmdb, 'w');
  const b = openSync(copy, 'w');
  writeSync(
    a,
    'source_id,cluster,namespace,workload,container,image,digest,platform,labels,owner,environment,started_at\n',
  );
  const now = new Date().toISOString();
  let ca = '';
  let cb = '';
  for (let i = 0; i < rows; i++) {
    const img = i % 800;
    const image = `registry.example.com/app-${img}:1.${img % 7}`;
    const digest = `sha256:${hex(img)}`;
    const svc = `svc-${i % 5000}`;
    const team = `team-${i % 200}`;
    ca += `vm-${i},dc-${i % 20},${team},Deployment/${svc},app,${image},${digest},linux/amd64,app=${svc};tier=back,${team},prod,2026-01-10T08:00:00Z\n`;
    const labels = JSON.stringify({ app: svc, tier: 'back' }).replaceAll('"', '""');
    cb += `bench/vm-${i},1,dc-${i % 20},${team},Deployment,${svc},app,regular,linux/amd64,${image},${digest},${digest},repo,running,2026-01-10T08:00:00Z,${team},prod,"${labels}",${now},${now}\n`;
    if (ca.length > 1 << 20) {
      writeSync(a, ca);
      writeSync(b, cb);
      ca = '';
      cb = '';
    }
  }
  writeSync(a, ca);
  writeSync(b, cb);
  closeSync(a);
  closeSync(b);
  return { cmdb, copy, columns };
}

/**
 * Runs bench/cmdb-import-child.ts — through tsx, or `bundled` (bundledChild) — and returns its JSON
 * and wall time.
 */
function child(
  args: string[],
  bundled?: string,
): {
  ms: number;
  cpuMs: number;
  serverCpuMs?: number;
  maxRssMiB: number;
  wallMs: number;
  result?: unknown;
} {
  const t0 = performance.now();
  const out = execFileSync(
    process.execPath,
    bundled
      ? [bundled, ...args]
      : ['--import', 'tsx', new URL('./cmdb-import-child.ts', import.meta.url).pathname, ...args],
    { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return { ...JSON.parse(out), wallMs: performance.now() - t0 };
}

/**
 * bench/cmdb-import-child.ts bundled by esbuild, as the CLI is (scripts/bundle-cli.mjs): the child's
 * wall time and CPU are then the import's, not tsx's transform of a few hundred modules (~1.6 s of
 * CPU at start, and its per-function `__name` wrappers). Written under node_modules/.cache so that
 * the packages left external resolve. PostgreSQL only: a PGlite store finds its template beside
 * its module (store-template.ts), which a bundle in another directory does not have.
 */
async function bundledChild(): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = fileURLToPath(
    new URL('../node_modules/.cache/runsight-bench/cmdb-import-child.mjs', import.meta.url),
  );
  await build({
    entryPoints: [fileURLToPath(new URL('./cmdb-import-child.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['pg', 'pg-native', '@electric-sql/pglite', '@electric-sql/pglite/*', 'sql.js'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'warning',
  });
  return outfile;
}

async function cmdbImport(quick: boolean, log: (m: string) => void): Promise<BenchRow[]> {
  const rows = Number(process.env.RUNSIGHT_BENCH_CMDB_ROWS ?? (quick ? 100_000 : 1_000_000));
  const pgliteRows = Number(process.env.RUNSIGHT_BENCH_CMDB_PGLITE_ROWS ?? (quick ? 20_000 : 200_000));
  const dir = mkdtempSync(join(tmpdir(), 'runsight-bench-cmdb-'));
  const out: BenchRow[] = [];
  try {
    if (await postgresAvailable().catch(() => false)) {
      const files = writeCmdbFiles(dir, rows);
      log(`wrote ${rows}-row CMDB CSV`);
      const name = `runsight_bench_cmdb_${Date.now().toString(36)}`;
      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`create database ${name}`);
      const url = new URL(ADMIN_URL);
      url.pathname = `/${name}`;
      try {
        const bundled = await bundledChild();
        child(['floor', url.toString()], bundled); // migrates the new database: not part of the import
        const store = await openStore({ databaseUrl: url.toString() });
        await sql`create table containers_copy (like containers including all)`.execute(store.db);
        await store.close();
        const t0 = performance.now();
        // The COPY, then its backend's CPU (user + system, clock ticks from /proc) printed by psql.
        const copyOut = execFileSync('psql', [url.toString(), '-qAt'], {
          encoding: 'utf8',
          input: [
            `\\copy containers_copy (${files.columns.join(', ')}) from '${files.copy}' csv`,
            'select pg_backend_pid() as bp \\gset',
            '\\setenv BP :bp',
            "\\! awk '{print $14 + $15}' /proc/$BP/stat 2>/dev/null",
          ].join('\n'),
        });
        const copyMs = performance.now() - t0;
        const copyCpuMs = Number(copyOut.trim().split('\n').pop()) * 10 || undefined;
        log(`COPY of ${rows} container rows: ${copyMs.toFixed(0)} ms (backend CPU ${copyCpuMs ?? '?'} ms)`);
        const run = child(['import', url.toString(), files.cmdb], bundled);
        const floor = child(['floor', url.toString()], bundled);
        log(
          `import: ${run.wallMs.toFixed(0)} ms wall (${run.ms.toFixed(0)} ms in importCmdbFile), ${run.maxRssMiB.toFixed(0)} MiB peak RSS; ${JSON.stringify(run.result)}`,
        );
        out.push(
          {
            name: `CMDB import, ${rows}-row CSV, PostgreSQL (child process wall time)`,
            value: Math.round(run.wallMs),
            unit: 'ms',
            baseline: {
              name: `psql \\copy of the same container rows${copyCpuMs ? ` (backend CPU ${copyCpuMs} ms)` : ''}`,
              value: Math.round(copyMs),
            },
            ratio: run.wallMs / copyMs,
            goal: '<= 2× COPY',
            notes: `bundled child (esbuild); ${Math.round(run.ms)} ms inside importCmdbFile; ${Math.round(run.cpuMs)} ms CPU in the importing process, ${Math.round(run.serverCpuMs ?? Number.NaN)} ms in its backends; ${Math.round((rows / run.wallMs) * 1000)} rows/s; load average ${loadavg()
              .map((l) => l.toFixed(2))
              .join(' ')}`,
          },
          {
            name: `CMDB import, ${rows}-row CSV, PostgreSQL: peak RSS above the store's floor`,
            value: Math.round(run.maxRssMiB - floor.maxRssMiB),
            unit: 'MiB',
            goal: '< +500 MiB',
            notes: `peak ${Math.round(run.maxRssMiB)} MiB; floor (open + read the store) ${Math.round(floor.maxRssMiB)} MiB`,
          },
        );
      } finally {
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      }
    }
    rmSync(join(dir, 'containers.csv'), { force: true });
    const files = writeCmdbFiles(dir, pgliteRows);
    const dataDir = join(dir, 'pglite');
    child(['floor', dataDir]); // creates and migrates the store: not part of the import
    const run = child(['import', dataDir, files.cmdb]);
    const floor = child(['floor', dataDir]);
    log(
      `PGlite import: ${run.wallMs.toFixed(0)} ms, ${run.maxRssMiB.toFixed(0)} MiB; floor ${floor.maxRssMiB.toFixed(0)} MiB`,
    );
    out.push(
      {
        name: `CMDB import, ${pgliteRows}-row CSV, PGlite (child process wall time)`,
        value: Math.round(run.wallMs),
        unit: 'ms',
        notes: `${Math.round((pgliteRows / run.wallMs) * 1000)} rows/s`,
      },
      {
        name: `CMDB import, ${pgliteRows}-row CSV, PGlite: peak RSS above the store's floor`,
        value: Math.round(run.maxRssMiB - floor.maxRssMiB),
        unit: 'MiB',
        goal: '< +500 MiB',
        notes: `peak ${Math.round(run.maxRssMiB)} MiB; floor (open + read the store) ${Math.round(floor.maxRssMiB)} MiB`,
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

export const bench: Bench = {
  area: 'inventory',
  async run({ quick, log }) {
    // RUNSIGHT_BENCH_ONLY=cmdb: only the CMDB import rows (the others take a while).
    if (process.env.RUNSIGHT_BENCH_ONLY === 'cmdb') return cmdbImport(quick, log);
    if (process.env.RUNSIGHT_BENCH_ONLY === 'unchanged') return unchangedCollect(quick, log);
    return [
      ...(await ingest(Number(process.env.RUNSIGHT_BENCH_PODS ?? (quick ? 10_000 : 100_000)), log)),
      ...(await watchLatency(quick ? 100 : 500, log)),
      ...(await cmdbImport(quick, log)),
      ...(await unchangedCollect(quick, log)),
    ];
  },
};
