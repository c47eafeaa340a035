// The demo's recorded cluster: a KubernetesApi (the inventory stage's port) that serves recorded
// objects from testdata/demo/k8s/cluster-*.json instead of a live API server, so the real
// Kubernetes collector (owner chain, node platform, imageID parsing) runs without a cluster.
import type { KubernetesApi } from '../../../inventory/index.js';

type Nodes = Awaited<ReturnType<KubernetesApi['listNodes']>>;
type Owned = Awaited<ReturnType<KubernetesApi['listReplicaSets']>>;

export interface RecordedCluster {
  nodes: unknown[];
  replicaSets: unknown[];
  pods: unknown[];
}

export function recordedKubernetesApi(doc: RecordedCluster, server = 'recorded://demo'): KubernetesApi {
  const nodes = doc.nodes as Nodes;
  const replicaSets = doc.replicaSets as Owned;
  const inNs = <T extends { metadata: { namespace?: string | null | undefined } }>(xs: T[], ns?: string) =>
    ns ? xs.filter((x) => x.metadata.namespace === ns) : xs;
  return {
    server,
    async listPods(opts) {
      const pods = (doc.pods as { metadata: { namespace?: string } }[]).filter(
        (p) => !opts.namespace || p.metadata.namespace === opts.namespace,
      );
      return { items: pods, resourceVersion: '1' };
    },
    async readPod(namespace, name) {
      return (doc.pods as { metadata: { namespace?: string; name: string } }[]).find(
        (p) => p.metadata.namespace === namespace && p.metadata.name === name,
      );
    },
    listNodes: async () => nodes,
    readNode: async (name) => nodes.find((n) => n.metadata.name === name),
    listNamespaces: async () => [],
    readNamespace: async () => undefined,
    listReplicaSets: async (ns) => inNs(replicaSets, ns),
    readReplicaSet: async (ns, name) =>
      replicaSets.find((r) => r.metadata.namespace === ns && r.metadata.name === name),
    listJobs: async () => [],
    readJob: async () => undefined,
    async watchPods() {
      throw new Error('a recorded cluster cannot be watched');
    },
  };
}
