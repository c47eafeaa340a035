// Agent benchmark (issue 20, docs/agent.md): a real `runsight agent` process watching a local
// Kubernetes API stand-in (src/kubernetes/test-support/api-server.ts) with 10k generated pods (one
// container each, 100 Deployments' ReplicaSets over 50 namespaces) and pushing to the real app
// (`createApp`) served on loopback over PostgreSQL (PGlite when no server answers).
// Rows: the initial sync (agent start → every container in the central store), the gzip bytes the
// agent sent against the JSON size of the pod list it read (GET /api/v1/pods), then steady churn of
// 50 pod events/s (create, move to a new image, delete) for 30 s: end-to-end event → visible p95
// (polled in the store every 50 ms), and the agent's peak RSS (VmHWM).
// Knobs: RUNSIGHT_BENCH_AGENT_PODS (10000), RUNSIGHT_BENCH_AGENT_CHURN_S (30), RUNSIGHT_BENCH_AGENT_RATE
// (50 events/s). `--quick`: 1000 pods, 10 s.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serve } from '@hono/node-server';
import type { Principal } from '../src/core/access.js';
import { silentLogger } from '../src/core/logger.js';
import { k8sFixture, namespaceObject } from '../src/inventory/providers/kubernetes/test-support/fixtures.js';
import { FakeKubernetesApiServer, kubeconfigYaml } from '../src/kubernetes/test-support/api-server.js';
import { createApp } from '../src/server/app.js';
import { listContainers } from '../src/store/index.js';
import { createTestStore, postgresAvailable } from '../src/store/test-support/stores.js';
import { type Bench, type BenchRow, percentile } from './harness.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLUSTER = 'bench';
const TOKEN = 'bench-agent-token';

// biome-ignore lint/suspicious/noExplicitAny: recorded pod objects.
type Obj = any;

function pod(i: number, image: string): Obj {
  const p = structuredClone(k8sFixture('k9s/pod-nginx-replicaset.json'));
  const ns = `ns-${i % 50}`;
  const rs = `app-${i % 100}-5d8f7c`;
  p.metadata = {
    name: `${rs}-${i.toString(36).padStart(5, '0')}`,
    namespace: ns,
    uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    labels: { app: `app-${i % 100}` },
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, controller: true, uid: `rs-${i % 100}` },
    ],
  };
  p.spec.containers[0].image = image;
  p.spec.containers[0].name = 'app';
  p.status = { phase: 'Running' };
  return p;
}

function replicaSet(j: number): Obj {
  const r = structuredClone(k8sFixture('k9s/replicaset.json'));
  r.metadata = {
    name: `app-${j}-5d8f7c`,
    namespace: `ns-${j % 50}`,
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: `app-${j}`, controller: true, uid: `d-${j}` },
    ],
  };
  return r;
}

export const bench: Bench = {
  area: 'agent',
  async run({ quick, log }) {
    const pods = quick ? 1000 : Number(process.env.RUNSIGHT_BENCH_AGENT_PODS ?? 10_000);
    const churnS = quick ? 10 : Number(process.env.RUNSIGHT_BENCH_AGENT_CHURN_S ?? 30);
    const rate = Number(process.env.RUNSIGHT_BENCH_AGENT_RATE ?? 50);
    const kind = (await postgresAvailable()) ? 'postgres' : 'pglite';
    const store = await createTestStore(kind);
    const principal: Principal = {
      subject: 'token:bench',
      role: 'operator',
      scope: { clusters: [CLUSTER] },
      via: 'token',
    };
    const app = createApp({
      store,
      config: {},
      authenticate: async (h) => (h === `Bearer ${TOKEN}` ? principal : { status: 401, message: 'no' }),
      logger: silentLogger,
    });
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const k8s = new FakeKubernetesApiServer({
      pods: Array.from({ length: pods }, (_, i) => pod(i, `registry.demo.local/library/app:1.${i % 7}`)),
      namespaces: Array.from({ length: 50 }, (_, i) => namespaceObject(`ns-${i}`)),
      replicaSets: Array.from({ length: 100 }, (_, j) => replicaSet(j)),
    });
    const dir = mkdtempSync(join(tmpdir(), 'runsight-bench-agent-'));
    const apiUrl = await k8s.start();
    writeFileSync(join(dir, 'kubeconfig'), kubeconfigYaml([{ name: CLUSTER, server: apiUrl }]));
    writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
    const listJson = Buffer.byteLength(await (await fetch(`${apiUrl}/api/v1/pods`)).text());
    const rows: BenchRow[] = [];
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/bin.ts',
        '--server',
        url,
        '--token-file',
        join(dir, 'token'),
        'agent',
        '--cluster-name',
        CLUSTER,
        '--kubeconfig',
        join(dir, 'kubeconfig'),
        '--metrics-listen',
        '127.0.0.1:0',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      let out = '';
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
      });
      const metricsUrl = await until(() => /metrics on (\S+)/.exec(out)?.[1], 120_000);
      await until(() => /agent for cluster/.test(out), 10_000);
      const t0 = performance.now();
      log(`agent started; waiting for ${pods} containers (${kind})`);
      await until(
        async () => (await listContainers(store, { source: CLUSTER })).length === pods || undefined,
        600_000,
        200,
      );
      const landedMs = performance.now() - t0;
      // The answer comes after the server's posture update: the agent's counters move then.
      const m1 = await until(async () => {
        const m = metrics(await (await fetch(metricsUrl)).text());
        return (m.runsight_agent_full_lists_sent_total ?? 0) >= 1 ? m : undefined;
      }, 600_000);
      const answeredMs = performance.now() - t0;
      rows.push({
        name: `initial sync, ${pods} pods: agent start → all in the central ${kind} store`,
        value: landedMs / 1000,
        unit: 's',
        notes: `list (pages of 500), gzip, POST one full list, land it (cluster-scoped token); answered after posture: ${(answeredMs / 1000).toFixed(1)} s`,
      });
      rows.push({
        name: 'bytes sent for the initial sync (gzip)',
        value: m1.runsight_agent_bytes_sent_total! / 2 ** 20,
        unit: 'MiB',
        baseline: { name: 'pod list JSON from the API', value: listJson / 2 ** 20 },
        ratio: m1.runsight_agent_bytes_sent_total! / listJson,
        notes: `sent/list; the full list's JSON (containers as the collector emits them): ${(m1.runsight_agent_json_bytes_taken_total! / 2 ** 20).toFixed(2)} MiB`,
      });

      // Steady churn: `rate` events/s for churnS seconds; each event's effect polled in the store.
      log(`churn: ${rate} events/s for ${churnS} s`);
      // Per container id, the states expected in order; when the store shows state k, every event up
      // to k is visible (an earlier one was visible, then superseded).
      const pending = new Map<string, { t0: number; image: string | null }[]>();
      const expectState = (id: string, image: string | null) => {
        const list = pending.get(id) ?? [];
        list.push({ t0: performance.now(), image });
        pending.set(id, list);
      };
      const latencies: number[] = [];
      const live: number[] = [];
      let next = pods;
      let n = 0;
      let polling = true;
      const poller = (async () => {
        while (polling || pending.size) {
          const ids = [...pending.keys()];
          if (ids.length) {
            const rowsNow = new Map((await listContainers(store, { ids })).map((r) => [r.id, r.image]));
            const t = performance.now();
            for (const id of ids) {
              const list = pending.get(id)!;
              const shown = rowsNow.get(id) ?? null;
              let j = -1;
              for (let k = list.length - 1; k >= 0; k--)
                if (list[k]!.image === shown) {
                  j = k;
                  break;
                }
              if (j < 0) continue;
              for (const e of list.splice(0, j + 1)) latencies.push(t - e.t0);
              if (!list.length) pending.delete(id);
            }
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      const idOf = (p: Obj) => `${CLUSTER}/${p.metadata.namespace}/${p.metadata.name}/app`;
      const start = performance.now();
      while (performance.now() - start < churnS * 1000) {
        const kindOf = n % 3;
        let p: Obj;
        if (kindOf === 0 || live.length < 100) {
          p = pod(next, `registry.demo.local/library/app:2.${n}`);
          live.push(next++);
          k8s.putPod(p);
          expectState(idOf(p), `registry.demo.local/library/app:2.${n}`);
        } else if (kindOf === 1) {
          const i = live[live.length - 1]!;
          p = pod(i, `registry.demo.local/library/app:3.${n}`);
          k8s.putPod(p);
          expectState(idOf(p), `registry.demo.local/library/app:3.${n}`);
        } else {
          const i = live.shift()!;
          p = pod(i, 'x');
          k8s.deletePod(p.metadata.namespace, p.metadata.name);
          expectState(idOf(p), null);
        }
        n++;
        const due = start + (n * 1000) / rate;
        await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      }
      polling = false;
      await Promise.race([poller, new Promise((r) => setTimeout(r, 60_000))]);
      const hwm = Number(
        /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0,
      );
      rows.push({
        name: `churn ${rate} pod events/s for ${churnS} s: event → visible p95 (${latencies.length} of ${n} events)`,
        value: percentile(latencies, 95),
        unit: 'ms',
        goal: '< 2000 ms',
        notes: `p50 ${Math.round(percentile(latencies, 50))} ms, max ${Math.round(Math.max(...latencies))} ms; polled every 50 ms`,
      });
      rows.push({
        name: `agent peak RSS (VmHWM) after sync of ${pods} pods + churn`,
        value: Math.round(hwm / 1024),
        unit: 'MiB',
        notes: 'node + tsx (source), the collector caches and the mirrored state',
      });
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await k8s.stop();
      await new Promise((r) => server.close(r));
      await store.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  },
};

function metrics(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+) ([\d.e+-]+)$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

async function until<T>(
  fn: () => T | undefined | Promise<T | undefined>,
  ms: number,
  every = 50,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error('bench agent: timed out');
    await new Promise((r) => setTimeout(r, every));
  }
}
