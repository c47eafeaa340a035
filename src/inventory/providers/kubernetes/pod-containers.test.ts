import { describe, expect, it } from 'vitest';
import { metadataKeys } from '../../metadata-keys.js';
import { OwnerCache, resolveWorkload } from './owners.js';
import { nodePlatform, podContainers } from './pod-containers.js';
import { namespaceSchema, nodeSchema, ownedObjectSchema, podSchema } from './schema.js';
import { k8sFixture, kindCluster, namespaceObject } from './test-support/fixtures.js';

const keys = metadataKeys();
const pod = (path: string) => podSchema.parse(k8sFixture(path));

describe('podContainers on recorded pods', () => {
  it('reads a dockershim pod of a ReplicaSet: image as written, repo digest, state, times', () => {
    const p = pod('k9s/pod-nginx-replicaset.json');
    const [c, ...rest] = podContainers(p, {
      cluster: 'gke',
      workload: { kind: 'Deployment', name: 'nginx' },
      keys,
    });
    expect(rest).toEqual([]);
    expect(c).toMatchObject({
      id: 'gke/default/nginx-7fb78fb6d8-2w75j/nginx',
      namespace: 'default',
      pod: 'nginx-7fb78fb6d8-2w75j',
      container: 'nginx',
      containerKind: 'regular',
      image: p.spec.containers[0]!.image,
      imageId:
        'docker-pullable://k8s.gcr.io/nginx-slim@sha256:8b4501fe0fe221df663c22e16539f399e89594552f400408303c42f3dd8d0e52',
      digest: 'sha256:8b4501fe0fe221df663c22e16539f399e89594552f400408303c42f3dd8d0e52',
      digestKind: 'repo',
      state: 'running',
      restarts: 0,
    });
    expect(c!.startedAt).toBeInstanceOf(Date);
  });

  it('tells init containers, native sidecars and regular containers apart (containerd imageID form)', () => {
    const cs = podContainers(pod('k9s/pod-sidecar-containerd.json'), {
      cluster: 'kind',
      workload: { kind: 'Pod', name: 'sleep' },
      keys,
    });
    expect(cs.map((c) => [c.container, c.containerKind, c.state])).toEqual([
      ['init', 'init', 'terminated'],
      ['sidecar', 'sidecar', 'running'],
      ['sleep', 'regular', 'running'],
    ]);
    const init = cs[0]!;
    expect(init.finishedAt?.toISOString()).toBe('2024-08-24T01:54:37.000Z');
    expect(init.startedAt?.toISOString()).toBe('2024-08-24T01:54:35.000Z');
    expect(init.digest).toBe('sha256:61673929bc39a86dca7d978b27fc632d3e590bc59cd8b2f386408751d007c91e');
    expect(init.image).toBe('istio/base'); // as written in the spec, not the runtime's normalised name
  });

  it('reads an ephemeral container from ephemeralContainerStatuses', () => {
    const raw = k8sFixture('k9s/pod-nginx-bare.json');
    // A debug container added the way `kubectl debug` does (the recorded pod has none).
    raw.spec.ephemeralContainers = [
      { name: 'debugger', image: 'busybox:1.36', targetContainerName: 'nginx' },
    ];
    raw.status.ephemeralContainerStatuses = [
      {
        name: 'debugger',
        image: 'docker.io/library/busybox:1.36',
        imageID: 'docker://sha256:6915be4043561d64e0ab0f8f098dc2ac48e077fe23f488ac24b665166898115a',
        state: { waiting: { reason: 'ContainerCreating' } },
        restartCount: 0,
      },
    ];
    const cs = podContainers(podSchema.parse(raw), {
      cluster: 'c',
      workload: { kind: 'Pod', name: 'nginx' },
      keys,
    });
    expect(cs.at(-1)).toMatchObject({
      container: 'debugger',
      containerKind: 'ephemeral',
      digestKind: 'config',
      state: 'waiting',
    });
  });

  it('keeps pending pods (no status yet) as pending with no digest', () => {
    const { pods } = kindCluster();
    const pending = podSchema.parse(pods.find((p: { spec: { nodeName?: string } }) => !p.spec.nodeName));
    const [c] = podContainers(pending, {
      cluster: 'kind',
      workload: { kind: 'Deployment', name: 'coredns' },
      keys,
    });
    expect(c).toMatchObject({
      state: 'pending',
      digest: undefined,
      node: undefined,
      image: 'k8s.gcr.io/coredns:1.7.0',
    });
  });

  it('takes owner and environment from labels, then annotations, then namespace labels', () => {
    const raw = k8sFixture('k9s/pod-nginx-bare.json');
    raw.metadata.labels = { 'app.kubernetes.io/part-of': 'shop' };
    raw.metadata.annotations = { env: 'staging' };
    const ns = namespaceSchema.parse(namespaceObject('default', { team: 'payments', environment: 'prod' }));
    const [c] = podContainers(podSchema.parse(raw), {
      cluster: 'c',
      namespace: ns,
      workload: { kind: 'Pod', name: 'nginx' },
      keys,
    });
    // "owner"/"team" come before part-of in the default order, but the pod's own maps are searched first.
    expect(c).toMatchObject({ owner: 'shop', environment: 'staging' });
    const bare = podContainers(pod('k9s/pod-nginx-bare.json'), {
      cluster: 'c',
      namespace: ns,
      workload: { kind: 'Pod', name: 'nginx' },
      keys,
    });
    expect(bare[0]).toMatchObject({ owner: 'payments', environment: 'prod' });
    const custom = podContainers(pod('k9s/pod-nginx-bare.json'), {
      cluster: 'c',
      namespace: ns,
      workload: { kind: 'Pod', name: 'nginx' },
      keys: metadataKeys({ ownerKeys: ['cost-center'], environmentKeys: ['stage'] }),
    });
    expect(custom[0]).toMatchObject({ owner: undefined, environment: undefined });
  });
});

describe('nodePlatform', () => {
  it('reads os/arch from the recorded kind nodes', () => {
    const node = nodeSchema.parse(kindCluster().nodes[0]);
    expect(nodePlatform(node)).toEqual({
      os: 'linux',
      architecture: 'amd64',
      variant: undefined,
      osVersion: undefined,
    });
  });
  it('falls back to nodeInfo and gives 32-bit arm its default variant', () => {
    const raw = structuredClone(kindCluster().nodes[0]);
    raw.metadata.labels = {};
    raw.status.nodeInfo.architecture = 'arm';
    expect(nodePlatform(nodeSchema.parse(raw))).toMatchObject({
      os: 'linux',
      architecture: 'arm',
      variant: 'v7',
    });
  });
});

describe('resolveWorkload over recorded owners', () => {
  const rs = ownedObjectSchema.parse(k8sFixture('k9s/replicaset.json'));
  const job = ownedObjectSchema.parse(k8sFixture('k9s/job.json'));
  const cache = new OwnerCache(async () => null);
  cache.put('ReplicaSet', 'icx', rs.metadata.name, rs.metadata.ownerReferences);
  cache.put('Job', 'default', job.metadata.name, job.metadata.ownerReferences);
  const ref = (kind: string, name: string) => [{ apiVersion: 'v1', kind, name, controller: true }];

  it('walks Pod → ReplicaSet → Deployment and Pod → Job → CronJob', async () => {
    expect(
      await resolveWorkload(
        { name: 'p', namespace: 'icx', labels: {}, owners: ref('ReplicaSet', rs.metadata.name) },
        cache,
      ),
    ).toEqual({
      kind: 'Deployment',
      name: 'icx-db',
    });
    expect(
      await resolveWorkload(
        { name: 'p', namespace: 'default', labels: {}, owners: ref('Job', job.metadata.name) },
        cache,
      ),
    ).toEqual({
      kind: 'CronJob',
      name: 'hello',
    });
  });

  it('stops at DaemonSets, StatefulSets and Nodes (static pods), and at bare pods', async () => {
    const { pods } = kindCluster();
    const byName = (n: string) =>
      podSchema.parse(pods.find((p: { metadata: { name: string } }) => p.metadata.name === n));
    const resolve = (n: string) => {
      const p = byName(n);
      return resolveWorkload(
        {
          name: p.metadata.name,
          namespace: p.metadata.namespace!,
          labels: p.metadata.labels,
          owners: p.metadata.ownerReferences,
        },
        cache,
      );
    };
    expect(await resolve('kube-proxy-8jj5r')).toEqual({ kind: 'DaemonSet', name: 'kube-proxy' });
    expect(await resolve('etcd-kind-control-plane')).toEqual({ kind: 'Node', name: 'kind-control-plane' });
    expect(await resolve('sonobuoy')).toEqual({ kind: 'Pod', name: 'sonobuoy' });
    // The recorded ReplicaSet coredns-74ff55c5b is not cached: the pod-template-hash label names its Deployment.
    expect(await resolve('coredns-74ff55c5b-cpfqs')).toEqual({ kind: 'Deployment', name: 'coredns' });
  });

  it('follows a pod owned by a pod to the top', async () => {
    const pods = new OwnerCache(async (kind, _ns, name) =>
      kind === 'Pod' && name === 'sonobuoy' ? [] : null,
    );
    expect(
      await resolveWorkload(
        { name: 'e2e', namespace: 'sonobuoy', labels: {}, owners: ref('Pod', 'sonobuoy') },
        pods,
      ),
    ).toEqual({
      kind: 'Pod',
      name: 'sonobuoy',
    });
  });
});
