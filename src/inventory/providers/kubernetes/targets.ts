// The clusters an inventory run collects: the kubeconfig contexts the shared adapter resolves
// (src/kubernetes/kubeconfig.ts), each seen through the inventory's port. One target = one source.
import { type KubeContextOptions, kubeContexts } from '../../../kubernetes/index.js';
import { type KubernetesApi, kubernetesApi } from './api.js';

export interface ClusterTarget {
  context: string;
  /** The cluster name used as the source name and in container ids. */
  cluster: string;
  server: string;
  api: KubernetesApi;
}

export type TargetOptions = KubeContextOptions;

export async function kubernetesTargets(opts: TargetOptions): Promise<ClusterTarget[]> {
  return (await kubeContexts(opts)).map(({ context, cluster, server, client }) => ({
    context,
    cluster,
    server,
    api: kubernetesApi(client),
  }));
}
