// `runsight agent` end to end, every piece a real process or server: two local Kubernetes API
// servers (the list/watch stand-in, serving recorded objects), `runsight serve` on its own
// PostgreSQL database, and two agents with cluster-scoped operator tokens. Pods are created, moved
// to a new image and deleted: the central store follows (event → visible latency measured, goal p95
// < 2 s). The server is stopped while pods churn and restarted (with a relist forced meanwhile);
// an agent is killed with SIGKILL and restarted: each time the central inventory equals the
// clusters' pods exactly. An agent token of cluster a is refused cluster b's containers (403; the
// agent process stops with exit 2), and a duplicate batch id is applied once.
// Durations: RUNSIGHT_AGENT_TEST_DOWN_MS (server down, default 30000, as the issue asks), RUNSIGHT_AGENT_TEST_KILLED_MS
// (agent down, default 5000).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SpawnedCli, spawnCli, waitForOutput } from '../cli/test-support/spawn-cli.js';
import {
  k8sFixture,
  kindCluster,
  namespaceObject,
} from '../inventory/providers/kubernetes/test-support/fixtures.js';
import { FakeKubernetesApiServer, kubeconfigYaml } from '../kubernetes/test-support/api-server.js';
import { createToken } from '../server/auth/index.js';
import { listContainers, listInventorySources } from '../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';

const DOWN_MS = Number(process.env.RUNSIGHT_AGENT_TEST_DOWN_MS ?? 30_000);
const KILLED_MS = Number(process.env.RUNSIGHT_AGENT_TEST_KILLED_MS ?? 5_000);

// biome-ignore lint/suspicious/noExplicitAny: recorded pod objects.
type Pod = any;

/** One cluster: its API server and the pods we know it holds (the expectation, kept by hand). */
class Cluster {
  readonly pods = new Map<string, Pod>();
  readonly api: FakeKubernetesApiServer;
  kubeconfig = '';
  constructor(
    readonly name: string,
    pods: Pod[],
    namespaces: string[],
  ) {
    for (const p of pods) this.pods.set(`${p.metadata.namespace}/${p.metadata.name}`, structuredClone(p));
    this.api = new FakeKubernetesApiServer({
      pods,
      namespaces: namespaces.map((n) => namespaceObject(n)),
      bookmarkMs: 200,
    });
  }
  put(pod: Pod) {
    this.pods.set(`${pod.metadata.namespace}/${pod.metadata.name}`, structuredClone(pod));
    this.api.putPod(pod);
  }
  delete(ns: string, name: string) {
    this.pods.delete(`${ns}/${name}`);
    this.api.deletePod(ns, name);
  }
  /** Container id → image, from the pod specs: `<cluster>/<namespace>/<pod>/<container>`. */
  expected(): Map<string, string> {
    const out = new Map<string, string>();
    for (const p of this.pods.values())
      for (const c of [
        ...(p.spec.initContainers ?? []),
        ...p.spec.containers,
        ...(p.spec.ephemeralContainers ?? []),
      ])
        out.set(`${this.name}/${p.metadata.namespace}/${p.metadata.name}/${c.name}`, c.image);
    return out;
  }
}

let serial = 0;
/** A new single-container pod in `default`, built from a recorded nginx pod. */
function newPod(image: string): Pod {
  const p = structuredClone(k8sFixture('k9s/pod-nginx-replicaset.json'));
  serial++;
  p.metadata = {
    name: `churn-${serial}`,
    namespace: 'default',
    uid: `00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`,
    labels: { app: 'churn' },
  };
  p.spec.containers = [{ ...p.spec.containers[0], name: 'app', image }];
  delete p.spec.initContainers;
  p.status = { phase: 'Running' };
  return p;
}

function withImage(pod: Pod, image: string): Pod {
  const p = structuredClone(pod);
  p.spec.containers[0].image = image;
  return p;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

const kinds = await storeKindsToTest();
const tmp = mkdtempSync(join(tmpdir(), 'runsight-agent-int-'));

describe.skipIf(!kinds.includes('postgres'))('runsight agent against runsight serve on PostgreSQL', () => {
  let store: TestStore;
  let a: Cluster;
  let b: Cluster;
  let port = 0;
  let url = '';
  let serve: SpawnedCli | undefined;
  const agents: Record<string, SpawnedCli | undefined> = {};
  const tokens: Record<string, string> = {};
  const tokenFiles: Record<string, string> = {};

  async function startServe() {
    serve = spawnCli([
      '--database-url',
      store.location,
      '--log-level',
      'warn',
      'serve',
      '--listen',
      `127.0.0.1:${port}`,
    ]);
    await waitForOutput(serve, /listening on/, 90_000);
  }
  async function stopServe() {
    serve!.child.kill('SIGTERM');
    expect(await serve!.exited).toBe(0);
    serve = undefined;
  }
  async function startAgent(cluster: Cluster, tokenName = cluster.name) {
    const cli = spawnCli([
      '--server',
      url,
      '--token-file',
      tokenFiles[tokenName]!,
      '--log-level',
      'info',
      'agent',
      '--cluster-name',
      cluster.name,
      '--kubeconfig',
      cluster.kubeconfig,
      '--heartbeat-interval',
      '1s',
      '--retry-max',
      '2s',
    ]);
    await waitForOutput(cli, /agent for cluster/, 90_000);
    return cli;
  }
  /** Live containers of the source in the central store: id → image. */
  async function central(source: string): Promise<Map<string, string>> {
    return new Map((await listContainers(store, { source })).map((r) => [r.id, r.image]));
  }
  async function converged(cluster: Cluster, ms: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      const want = [...cluster.expected()].sort();
      const got = [...(await central(cluster.name))].sort();
      if (JSON.stringify(want) === JSON.stringify(got)) return Date.now() - started;
      if (Date.now() - started > ms) {
        expect(got, `central inventory of ${cluster.name} after ${ms} ms`).toEqual(want);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  async function churn(cluster: Cluster, ms: number) {
    const end = Date.now() + ms;
    const mine: Pod[] = [];
    let i = 0;
    while (Date.now() < end) {
      i++;
      if (i % 3 === 0 && mine.length) {
        const p = mine.shift()!;
        cluster.delete('default', p.metadata.name);
      } else if (i % 3 === 1 && mine.length) {
        const p = withImage(mine[0]!, `registry.demo.local/library/nginx:1.${i}`);
        mine[0] = p;
        cluster.put(p);
      } else {
        const p = newPod(`registry.demo.local/library/nginx:1.${i}`);
        mine.push(p);
        cluster.put(p);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    store = await createTestStore('postgres');
    const kind = kindCluster();
    a = new Cluster('a', kind.pods, ['kube-system', 'local-path-storage', 'sonobuoy', 'default']);
    b = new Cluster(
      'b',
      ['pod-nginx-replicaset', 'pod-sidecar-containerd', 'pod-cilium-operator', 'pod-busybox-init'].map((f) =>
        k8sFixture(`k9s/${f}.json`),
      ),
      ['default', 'kube-system'],
    );
    for (const c of [a, b]) {
      c.kubeconfig = join(tmp, `kubeconfig-${c.name}`);
      writeFileSync(c.kubeconfig, kubeconfigYaml([{ name: c.name, server: await c.api.start() }]));
    }
    for (const [name, scopes] of [
      ['a', ['cluster=a']],
      ['b', ['cluster=b']],
    ] as const) {
      tokens[name] = (
        await createToken(store, { name: `agent-${name}`, role: 'operator', scopes: [...scopes] })
      ).token;
      tokenFiles[name] = join(tmp, `token-${name}`);
      writeFileSync(tokenFiles[name], `${tokens[name]}\n`);
    }
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    await startServe();
  }, 180_000);

  afterAll(async () => {
    for (const cli of [...Object.values(agents), serve]) cli?.child.kill('SIGKILL');
    await a?.api.stop();
    await b?.api.stop();
    await store?.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('syncs two clusters, follows churn, survives a server outage and a killed agent', {
    timeout: 600_000,
  }, async () => {
    agents.a = await startAgent(a);
    agents.b = await startAgent(b);
    await converged(a, 60_000);
    await converged(b, 60_000);
    expect((await central('a')).size).toBe(24); // 14 + 1 + 9 containers in the recorded kind lists

    // Event → visible: create, move to a new image, delete.
    const latencies: number[] = [];
    for (let i = 0; i < 15; i++) {
      const pod = newPod(`registry.demo.local/library/nginx:2.${i}`);
      a.put(pod);
      latencies.push(await converged(a, 20_000));
      a.put(withImage(pod, `registry.demo.local/library/nginx:3.${i}`));
      latencies.push(await converged(a, 20_000));
      a.delete('default', pod.metadata.name);
      latencies.push(await converged(a, 20_000));
    }
    latencies.sort((x, y) => x - y);
    const p95 = latencies[Math.ceil(latencies.length * 0.95) - 1]!;
    console.log(
      `agent event→visible over ${latencies.length} events: p50 ${latencies[Math.floor(latencies.length / 2)]} ms, p95 ${p95} ms, max ${latencies.at(-1)} ms`,
    );
    // The goal is p95 < 2 s (docs/benchmarks.md has the figure measured by `npm run bench -- agent`);
    // on the shared test machine the bound asserted is looser, so a loaded moment does not fail it.
    expect(p95).toBeLessThan(5_000);

    // The server goes away while pods churn (and cluster a compacts: its agent lists again).
    await stopServe();
    await churn(a, DOWN_MS / 2);
    a.api.compact();
    a.api.dropWatches();
    await Promise.all([churn(a, DOWN_MS / 2), churn(b, DOWN_MS / 2)]);
    await startServe();
    await converged(a, 60_000);
    await converged(b, 60_000);
    expect(agents.a.stderr()).toMatch(/server unreachable; buffering and retrying/);
    expect(agents.a.stderr()).toMatch(/server answers again/);

    // kill -9 an agent while pods churn; the restarted one lists and the server converges.
    agents.a.child.kill('SIGKILL');
    await agents.a.exited;
    await churn(a, KILLED_MS);
    agents.a = await startAgent(a);
    await converged(a, 60_000);

    // Heartbeats advance the sources' seen-at; the agents are listed.
    const seen = async () =>
      (await store.db.selectFrom('inventory_sources').select(['name', 'last_full_at']).execute()).map(
        (r) => [r.name, r.last_full_at?.getTime() ?? 0] as const,
      );
    const before = new Map(await seen());
    await new Promise((r) => setTimeout(r, 2_500));
    const after = new Map(await seen());
    expect(after.get('a')!).toBeGreaterThan(before.get('a')!);
    expect(after.get('b')!).toBeGreaterThan(before.get('b')!);
    const listed = await fetch(`${url}/api/v1/agents`, { headers: { authorization: `Bearer ${tokens.a}` } });
    expect(((await listed.json()) as { agents: { cluster: string }[] }).agents.map((x) => x.cluster)).toEqual(
      ['a'],
    );
  });

  it("refuses cluster a's token for cluster b, and applies a duplicate batch id once", {
    timeout: 180_000,
  }, async () => {
    const post = (source: string, token: string, body: unknown, id?: string) =>
      fetch(`${url}/api/v1/inventory/${source}/batches?kind=kubernetes`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          ...(id ? { 'idempotency-key': id } : {}),
        },
        body: JSON.stringify(body),
      });
    const bContainer = {
      id: 'b/default/x/app',
      cluster: 'b',
      namespace: 'default',
      container: 'app',
      image: 'nginx:1',
      state: 'running',
      labels: {},
    };
    expect((await post('b', tokens.a!, { type: 'delta', added: [bContainer] })).status).toBe(403);
    expect((await post('b', tokens.a!, { type: 'full', containers: [] })).status).toBe(403);
    // The agent process with a's token for cluster b stops with exit 2, naming the scope. (Given
    // as `agent --token TOKEN`, the spelling, which warns that argv is visible.)
    const wrong = spawnCli([
      '--server',
      url,
      'agent',
      '--token',
      tokens.a!,
      '--cluster-name',
      'b',
      '--kubeconfig',
      b.kubeconfig,
    ]);
    expect(await wrong.exited).toBe(2);
    expect(wrong.stderr()).toMatch(/may not push cluster b \(403: .*scope cluster=b/);
    expect(wrong.stderr()).toMatch(/token on the command line is visible/);

    const runs = async () => (await listInventorySources(store)).find((s) => s.name === 'a')!.lastRun!.id;
    const aContainer = { ...bContainer, id: 'a/default/dup/app', cluster: 'a' };
    const first = await post('a', tokens.a!, { type: 'delta', added: [aContainer] }, 'test:dup-1');
    expect(first.status).toBe(201);
    const runAfterFirst = await runs();
    const again = await post('a', tokens.a!, { type: 'delta', added: [aContainer] }, 'test:dup-1');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
    expect(await runs()).toBe(runAfterFirst);
  });
});
