// Inventory benchmarks:
// 1. Ingest a synthetic list of 100k pods of realistic shape (the recorded nginx Deployment pod,
//    varied over 200 namespaces, 5000 Deployments, 1000 nodes, 800 images, 10% with a sidecar):
//    map pods → containers, land the full mutation, then land the same list again (steady state).
//    Baseline (same run): a plain multi-row INSERT of the same rows into a scratch copy of the table
//    (same columns, defaults and indexes).
// 2. Latency from a watch event to the container row updated: the real client watching a local API
//    server, pods changed at a steady rate, deltas applied to the store. Baseline: when the event
//    reached the client (the wire), so the ratio is the cost of mapping + the store transaction.
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { sql } from 'kysely';
import type { ContainerObservation } from '../src/core/types.js';
import { watchKubernetesInventory } from '../src/inventory/index.js';
import { metadataKeys } from '../src/inventory/metadata-keys.js';
import { type KubernetesApi, kubernetesApi } from '../src/inventory/providers/kubernetes/api.js';
import { ClusterCache } from '../src/inventory/providers/kubernetes/collector.js';
import { podSchema } from '../src/inventory/providers/kubernetes/schema.js';
import { clientNodeClient, loadClientNode } from '../src/kubernetes/index.js';
import { FakeKubernetesApiServer, kubeconfigYaml } from '../src/kubernetes/test-support/api-server.js';
import { containerRow, openStore, type Store, writeInventoryMutation } from '../src/store/index.js';
import { createTestStore, postgresAvailable } from '../src/store/test-support/stores.js';
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

export const bench: Bench = {
  area: 'inventory',
  async run({ quick, log }) {
    return [
      ...(await ingest(Number(process.env.RUNSIGHT_BENCH_PODS ?? (quick ? 10_000 : 100_000)), log)),
      ...(await watchLatency(quick ? 100 : 500, log)),
    ];
  },
};
