// The real @kubernetes/client-node against a local API server speaking the list/watch protocol,
// serving the recorded objects in testdata/inventory/k8s.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FakeKubernetesApiServer,
  kubeconfigYaml,
  selfSignedCertificate,
} from '../../../kubernetes/test-support/api-server.js';
import { listContainers, openStore, type Store, writeInventoryMutation } from '../../../store/index.js';
import { metadataKeys } from '../../metadata-keys.js';
import { collectKubernetes, watchKubernetes } from './collector.js';
import { kubernetesTargets } from './targets.js';
import { k8sFixture, kindCluster, namespaceObject } from './test-support/fixtures.js';

const keys = metadataKeys();
const TOKEN = 'kind-token';

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('Kubernetes provider against a local API server', () => {
  let kind: FakeKubernetesApiServer;
  let k9s: FakeKubernetesApiServer;
  let kubeconfig: string;
  let store: Store;
  let tls: { key: string; cert: string };

  beforeAll(async () => {
    const { pods, nodes } = kindCluster();
    tls = selfSignedCertificate();
    kind = new FakeKubernetesApiServer({
      pods,
      nodes,
      namespaces: [
        namespaceObject('kube-system', { team: 'platform', environment: 'prod' }),
        namespaceObject('local-path-storage'),
        namespaceObject('sonobuoy', { owner: 'conformance' }),
      ],
      token: TOKEN,
      bookmarkMs: 100,
      tls,
    });
    k9s = new FakeKubernetesApiServer({
      pods: ['pod-nginx-replicaset', 'pod-sidecar-containerd', 'pod-cilium-operator', 'pod-busybox-init'].map(
        (f) => k8sFixture(`k9s/${f}.json`),
      ),
      namespaces: [namespaceObject('default'), namespaceObject('kube-system')],
      replicaSets: [k8sFixture('k9s/replicaset.json')],
      jobs: [k8sFixture('k9s/job.json')],
      goneAs: 'status',
    });
    const dir = mkdtempSync(join(tmpdir(), 'runsight-k8s-'));
    kubeconfig = join(dir, 'config');
    writeFileSync(
      kubeconfig,
      kubeconfigYaml([
        { name: 'kind', server: await kind.start(), token: TOKEN, ca: tls.cert },
        { name: 'k9s', server: await k9s.start() },
      ]),
    );
    store = await openStore({ dataDir: 'memory://' });
  });
  afterAll(async () => {
    await store?.close();
    await kind?.stop();
    await k9s?.stop();
  });

  it('collects every context of a kubeconfig with the real client', async () => {
    const targets = await kubernetesTargets({ kubeconfig, allContexts: true, env: {} });
    expect(targets.map((t) => t.cluster)).toEqual(['kind', 'k9s']);
    for (const t of targets) {
      const col = await collectKubernetes(t.api, { cluster: t.cluster, keys, pageSize: 5 });
      expect(col.errors).toEqual([]);
      await writeInventoryMutation(store, { name: t.cluster, kind: 'kubernetes' }, col.mutation);
    }
    // Pages of 5 pods were followed with continue tokens.
    expect(kind.requests.filter((r) => r.path === '/api/v1/pods').length).toBe(4);

    const rows = await listContainers(store, { source: 'kind' });
    expect(rows).toHaveLength(24); // 14 + 1 + 9 containers in the recorded lists
    const etcd = rows.find((r) => r.pod === 'etcd-kind-control-plane')!;
    expect(etcd).toMatchObject({
      workloadKind: 'Node',
      workloadName: 'kind-control-plane',
      platform: 'linux/amd64',
      digestKind: 'config',
      digest: 'sha256:0369cf4303ffdb467dc219990960a9baa8512a54b0ad9283eaf55bd6c0adb934',
      owner: 'platform',
      environment: 'prod',
      state: 'running',
    });
    const e2e = rows.filter((r) => r.pod === 'sonobuoy-e2e-job-1d0e9c62fc114e08');
    expect(e2e.map((r) => [r.container, r.workloadKind, r.workloadName, r.state, r.digestKind])).toEqual([
      ['e2e', 'Pod', 'sonobuoy', 'terminated', 'repo'],
      ['sonobuoy-worker', 'Pod', 'sonobuoy', 'terminated', 'repo'],
    ]);
    expect(
      rows.filter((r) => r.workloadKind === 'DaemonSet' && r.workloadName === 'kube-proxy'),
    ).toHaveLength(3);
    expect(rows.find((r) => r.pod === 'sonobuoy')!.owner).toBe('conformance');

    const k9sRows = await listContainers(store, { source: 'k9s' });
    expect(k9sRows.map((r) => `${r.pod}/${r.container}:${r.containerKind}`).sort()).toEqual(
      [
        'cilium-operator-55658fb5c4-rxtnl/cilium-operator:regular',
        'hurry-up-and-wait/busy:regular',
        'hurry-up-and-wait/init-sleep:init',
        'nginx-7fb78fb6d8-2w75j/nginx:regular',
        'sleep/init:init',
        'sleep/sidecar:sidecar',
        'sleep/sleep:regular',
      ].sort(),
    );
    // No node objects on this cluster: platform unknown, not guessed.
    expect(k9sRows.every((r) => r.platform === null)).toBe(true);
  });

  it('restarts a paged list whose continue token expired (410)', async () => {
    const [t] = await kubernetesTargets({ kubeconfig, context: 'kind', env: {} });
    let compacted = false;
    kind.onRequest = (r) => {
      if (!compacted && r.path === '/api/v1/pods' && r.query.continue) {
        compacted = true;
        // The world moves on (a pod is updated) and history is compacted: the token has expired.
        kind.putPod(
          kindCluster().pods.find(
            (p: { metadata: { name: string } }) => p.metadata.name === 'kube-proxy-lrtdp',
          ),
        );
        kind.compact();
      }
    };
    const before = kind.requests.length;
    try {
      const col = await collectKubernetes(t!.api, { cluster: 'kind', keys, pageSize: 10 });
      expect(col.mutation.containers).toHaveLength(24);
      const pages = kind.requests.slice(before).filter((r) => r.path === '/api/v1/pods');
      // page 1, page 2 refused (410), then the whole list again: 3 pages of 10, 10, 0.
      expect(pages.map((r) => Boolean(r.query.continue))).toEqual([false, true, false, true]);
    } finally {
      kind.onRequest = undefined;
    }
  });

  it('uses the in-cluster service account (token file, CA file) when there is no kubeconfig', async () => {
    const root = mkdtempSync(join(tmpdir(), 'runsight-sa-'));
    const sa = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), TOKEN);
    writeFileSync(join(sa, 'ca.crt'), tls.cert);
    writeFileSync(join(sa, 'namespace'), 'runsight');
    const url = new URL(kind.url);
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    process.env.KUBERNETES_SERVICE_HOST = url.hostname;
    process.env.KUBERNETES_SERVICE_PORT = url.port;
    try {
      const targets = await kubernetesTargets({
        env: { KUBERNETES_SERVICE_HOST: url.hostname, HOME: root },
        serviceAccountRoot: root,
        clusterName: 'kind-in-cluster',
      });
      expect(targets.map((t) => [t.cluster, t.server])).toEqual([['kind-in-cluster', kind.url]]);
      const col = await collectKubernetes(targets[0]!.api, { cluster: 'kind-in-cluster', keys });
      expect(col.mutation.containers).toHaveLength(24);
    } finally {
      process.env.KUBERNETES_SERVICE_HOST = saved.host;
      process.env.KUBERNETES_SERVICE_PORT = saved.port;
      if (saved.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
      if (saved.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT;
    }
  });

  it('fails with a clear error when the token is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runsight-k8s-'));
    const bad = join(dir, 'config');
    writeFileSync(bad, kubeconfigYaml([{ name: 'kind', server: kind.url, token: 'wrong', ca: tls.cert }]));
    const [t] = await kubernetesTargets({ kubeconfig: bad, env: {} });
    await expect(collectKubernetes(t!.api, { cluster: 'kind', keys })).rejects.toThrow(
      /HTTP 401.*deploy\/agent\/rbac.yaml/,
    );
  });

  it('watches: deltas for new, changed and deleted pods; 410 Gone lists again', async () => {
    const [t] = await kubernetesTargets({ kubeconfig, context: 'kind', env: {} });
    const ac = new AbortController();
    const fulls: number[] = [];
    const deltas: { added: number; removed: number }[] = [];
    const src = { name: 'kind-watch', kind: 'kubernetes' as const };
    const done = watchKubernetes(
      t!.api,
      { cluster: 'kind-watch', keys, signal: ac.signal, batchMs: 20, backoff: { initialMs: 50, maxMs: 200 } },
      {
        async onFull(col) {
          fulls.push(col.mutation.containers.length);
          await writeInventoryMutation(store, src, col.mutation);
        },
        async onDelta(m) {
          deltas.push({ added: m.added.length, removed: m.removed.length });
          await writeInventoryMutation(store, src, m);
        },
      },
    );
    await waitFor('initial list', async () => fulls.length === 1);
    const watchReq = await waitFor('watch request', async () =>
      kind.requests.find((r) => r.query.watch === 'true' && r.path === '/api/v1/pods'),
    );
    expect(watchReq.query).toMatchObject({ allowWatchBookmarks: 'true' });
    expect(Number(watchReq.query.resourceVersion)).toBeGreaterThan(0);

    // A short-lived job pod appears, runs, and is deleted.
    const job = k8sFixture('k9s/pod-busybox-init.json');
    job.metadata.namespace = 'sonobuoy';
    kind.putPod(job);
    const id = 'kind-watch/sonobuoy/hurry-up-and-wait/busy';
    await waitFor('added pod', async () => (await listContainers(store, { ids: [id] })).length === 1);
    const changed = structuredClone(job);
    changed.status.containerStatuses[0].restartCount = 3;
    kind.putPod(changed);
    await waitFor(
      'restart count',
      async () => (await listContainers(store, { ids: [id] }))[0]?.restarts === 3,
    );
    kind.deletePod('sonobuoy', 'hurry-up-and-wait');
    await waitFor(
      'removal',
      async () => (await listContainers(store, { ids: [id], includeRemoved: true }))[0]?.removedAt,
    );
    expect(await listContainers(store, { ids: [id] })).toEqual([]); // gone from the live list, kept in history

    // Bookmarks move the resourceVersion forward; compaction then forces a 410 on the next watch.
    await new Promise((r) => setTimeout(r, 250));
    const removedPod = kindCluster().pods.find(
      (p: { metadata: { name: string } }) => p.metadata.name === 'kube-proxy-8jj5r',
    );
    kind.deletePod('kube-system', 'kube-proxy-8jj5r');
    await waitFor('delete seen', async () => deltas.some((d) => d.removed > 0 && d.added === 1));
    kind.pauseWatches();
    kind.dropWatches();
    kind.deletePod('kube-system', 'kube-proxy-g79v6'); // happens while the watch is down: only a new list sees it
    kind.compact();
    kind.resumeWatches();
    // After the stream ends the client resumes from its last resourceVersion, older than the compaction: 410.
    await waitFor('relist after 410', async () => fulls.length === 2);
    await waitFor('relist applied', async () =>
      (await listContainers(store, { source: 'kind-watch', includeRemoved: true })).find(
        (r) => r.pod === 'kube-proxy-g79v6' && r.removedAt,
      ),
    );
    expect(fulls).toEqual([24, 22]);
    kind.putPod(removedPod);
    ac.abort();
    await done; // stops cleanly when aborted
  });

  it('lists again when a delta could not be applied, so the store catches up', async () => {
    const [t] = await kubernetesTargets({ kubeconfig, context: 'k9s', env: {} });
    const ac = new AbortController();
    let fulls = 0;
    let failures = 0;
    const deltas: string[][] = [];
    const done = watchKubernetes(
      t!.api,
      { cluster: 'k9s', keys, signal: ac.signal, batchMs: 20, backoff: { initialMs: 20, maxMs: 50 } },
      {
        async onFull() {
          fulls++;
        },
        async onDelta(m) {
          if (failures === 0) {
            failures++;
            throw new Error('store unavailable');
          }
          deltas.push(m.added.map((c) => c.id));
        },
        onError() {},
      },
    );
    await waitFor('first list', async () => fulls === 1);
    await waitFor('watch', async () => k9s.requests.filter((r) => r.query.watch === 'true').length > 0);
    const pod = k8sFixture('k9s/pod-with-init.json');
    pod.metadata.name = 'lost-then-found';
    k9s.putPod(pod);
    await waitFor('relist after the failed delta', async () => fulls === 2);
    k9s.deletePod('default', 'lost-then-found');
    await waitFor('later deltas land', async () =>
      deltas.some((d) => d.includes('k9s/default/lost-then-found/nginx')),
    );
    ac.abort();
    await done;
  });

  it('lists again when a watch is refused with HTTP 410 (goneAs status)', async () => {
    const [t] = await kubernetesTargets({ kubeconfig, context: 'k9s', env: {} });
    const ac = new AbortController();
    let fulls = 0;
    const done = watchKubernetes(
      t!.api,
      {
        cluster: 'k9s',
        keys,
        signal: ac.signal,
        namespaces: ['default'],
        backoff: { initialMs: 20, maxMs: 50 },
      },
      {
        async onFull(col) {
          fulls++;
          expect(col.namespaces).toEqual(['default']);
        },
        async onDelta() {},
      },
    );
    await waitFor('first list', async () => fulls === 1);
    await waitFor('watch', async () => k9s.requests.some((r) => r.query.watch === 'true'));
    k9s.pauseWatches();
    k9s.dropWatches();
    k9s.putPod(k8sFixture('k9s/pod-nginx-bare.json'));
    k9s.compact();
    k9s.resumeWatches();
    await waitFor('relist', async () => fulls === 2);
    expect(
      k9s.requests.some((r) => r.path === '/api/v1/namespaces/default/pods' && r.query.watch === 'true'),
    ).toBe(true);
    ac.abort();
    await done;
  });
});
