// The Kubernetes adapter: kubeconfig resolution, a structural client port over
// @kubernetes/client-node (loaded lazily), paged lists. A port like the store: it imports only core/,
// and every stage that talks to a cluster (importers, inventory) goes through it.
export {
  JOBS,
  type KubernetesClient,
  type KubernetesResource,
  type ListOptions,
  type ListPage,
  NAMESPACES,
  NODES,
  PODS,
  parsePayload,
  REPLICA_SETS,
  type WatchEvent,
} from './client.js';
export { type ClientNode, clientNodeClient, loadClientNode } from './client-node.js';
export { KubernetesApiError } from './errors.js';
export { type KubeContext, type KubeContextOptions, kubeContexts } from './kubeconfig.js';
export { type ListAllOptions, listAll } from './list-all.js';
export { listMetaSchema, listSchema, statusSchema, watchEventSchema } from './schema.js';
