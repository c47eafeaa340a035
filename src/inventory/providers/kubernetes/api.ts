// The Kubernetes calls the inventory makes, as a small structural port (Kysely's PostgresPool idea),
// and its adapter over the shared Kubernetes client (src/kubernetes). Nodes, namespaces, ReplicaSets
// and Jobs are validated with schema.ts here; pods stay raw so one odd pod does not sink a list.
// RBAC needed: get/list on pods, nodes, namespaces, replicasets, jobs and watch on pods
// (deploy/agent/rbac.yaml; rbac.test.ts checks it against this adapter).
import {
  JOBS,
  type KubernetesClient,
  type ListPage,
  NAMESPACES,
  NODES,
  PODS,
  parsePayload,
  REPLICA_SETS,
  type WatchEvent,
} from '../../../kubernetes/index.js';
import {
  type Namespace,
  type Node,
  namespaceSchema,
  nodeSchema,
  type OwnedObject,
  ownedObjectSchema,
} from './schema.js';

export type { WatchEvent };

/** A page of pods: raw objects, validated one by one by the caller. */
export type PodPage = ListPage;

export interface KubernetesApi {
  /** A server address for messages, e.g. `https://10.0.0.1:6443`. */
  readonly server: string;
  listPods(opts: {
    namespace?: string | undefined;
    limit?: number;
    continue?: string | undefined;
  }): Promise<PodPage>;
  readPod(namespace: string, name: string): Promise<unknown | undefined>;
  listNodes(): Promise<Node[]>;
  readNode(name: string): Promise<Node | undefined>;
  listNamespaces(): Promise<Namespace[]>;
  readNamespace(name: string): Promise<Namespace | undefined>;
  listReplicaSets(namespace?: string): Promise<OwnedObject[]>;
  readReplicaSet(namespace: string, name: string): Promise<OwnedObject | undefined>;
  listJobs(namespace?: string): Promise<OwnedObject[]>;
  readJob(namespace: string, name: string): Promise<OwnedObject | undefined>;
  /**
   * Watches pods from `resourceVersion` with bookmarks. Resolves when the server ends the stream;
   * rejects on an HTTP error (410 included, as KubernetesApiError). ERROR events reach `onEvent`.
   */
  watchPods(
    opts: { namespace?: string | undefined; resourceVersion: string; timeoutSeconds?: number },
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void>;
}

/** The inventory's view of one cluster, over the shared client. */
export function kubernetesApi(client: KubernetesClient): KubernetesApi {
  const listOf = async <T>(page: Promise<ListPage>, parse: (o: unknown) => T) =>
    (await page).items.map(parse);
  const node = (o: unknown) => parsePayload(nodeSchema, o, 'Node');
  const namespace = (o: unknown) => parsePayload(namespaceSchema, o, 'Namespace');
  const replicaSet = (o: unknown) => parsePayload(ownedObjectSchema, o, 'ReplicaSet');
  const job = (o: unknown) => parsePayload(ownedObjectSchema, o, 'Job');
  const orNone = <T>(o: unknown, parse: (o: unknown) => T) => (o === undefined ? undefined : parse(o));
  return {
    server: client.server,
    listPods: ({ namespace: ns, limit = 500, continue: cont }) =>
      client.list(PODS, { namespace: ns, limit, continue: cont }),
    readPod: (ns, name) => client.get(PODS, name, ns),
    listNodes: () => listOf(client.list(NODES), node),
    readNode: async (name) => orNone(await client.get(NODES, name), node),
    listNamespaces: () => listOf(client.list(NAMESPACES), namespace),
    readNamespace: async (name) => orNone(await client.get(NAMESPACES, name), namespace),
    listReplicaSets: (ns) => listOf(client.list(REPLICA_SETS, { namespace: ns }), replicaSet),
    readReplicaSet: async (ns, name) => orNone(await client.get(REPLICA_SETS, name, ns), replicaSet),
    listJobs: (ns) => listOf(client.list(JOBS, { namespace: ns }), job),
    readJob: async (ns, name) => orNone(await client.get(JOBS, name, ns), job),
    watchPods: (opts, onEvent, signal) => client.watch(PODS, opts, onEvent, signal),
  };
}
