// Which clusters one run talks to: a kubeconfig file (--kubeconfig, else $KUBECONFIG, else
// ~/.kube/config), one context (--context, else the current one) or every context (--all-contexts),
// or the in-cluster service account when running in a pod. Each context comes with its client.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, UsageError } from '../core/errors.js';
import type { KubernetesClient } from './client.js';
import { clientNodeClient, loadClientNode } from './client-node.js';

export interface KubeContext {
  context: string;
  /** The kubeconfig's cluster name (or --cluster-name): names the cluster in sources and ids. */
  cluster: string;
  server: string;
  client: KubernetesClient;
}

export interface KubeContextOptions {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  allContexts?: boolean | undefined;
  clusterName?: string | undefined;
  env: NodeJS.ProcessEnv;
  /**
   * Where the service account files are mounted, as a prefix of
   * /var/run/secrets/kubernetes.io/serviceaccount (tests and sandboxes; default: the real path).
   * The client library reads KUBERNETES_SERVICE_HOST/PORT from the process environment.
   */
  serviceAccountRoot?: string | undefined;
}

/** The contexts to talk to, one per distinct cluster, each with its client. */
export async function kubeContexts(opts: KubeContextOptions): Promise<KubeContext[]> {
  if (opts.allContexts && opts.context) throw new UsageError('give --context or --all-contexts, not both');
  if (opts.allContexts && opts.clusterName) {
    throw new UsageError(
      '--cluster-name names one cluster; with --all-contexts each context uses its cluster name',
    );
  }
  const files = (opts.kubeconfig ?? opts.env.KUBECONFIG ?? '').split(':').filter(Boolean);
  const defaultFile = join(opts.env.HOME ?? homedir(), '.kube', 'config');
  const file =
    files[0] ??
    (opts.env.KUBERNETES_SERVICE_HOST ? undefined : existsSync(defaultFile) ? defaultFile : undefined);

  if (!file && !opts.env.KUBERNETES_SERVICE_HOST) {
    throw new ConfigError(
      '',
      'no kubeconfig found: pass --kubeconfig FILE, set KUBECONFIG, create ~/.kube/config, or run inside a pod with a service account',
    );
  }
  const k8s = await loadClientNode();
  const { KubeConfig } = k8s;
  if (!file) {
    const kc = new KubeConfig();
    kc.loadFromCluster(opts.serviceAccountRoot);
    const client = clientNodeClient(kc, k8s);
    return [
      { context: 'in-cluster', cluster: opts.clusterName ?? 'in-cluster', server: client.server, client },
    ];
  }

  const load = () => {
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(file);
    } catch (err) {
      throw new ConfigError('', `cannot load kubeconfig ${file}: ${(err as Error).message}`);
    }
    return kc;
  };
  const base = load();
  const names = base.getContexts().map((c) => c.name);
  if (!names.length) throw new ConfigError('', `kubeconfig ${file} has no contexts`);
  const chosen = opts.allContexts ? names : [opts.context ?? base.getCurrentContext()];
  const clusters = new Set<string>();
  const targets = chosen.map((name) => {
    const ctx = base.getContextObject(name);
    if (!ctx) throw new UsageError(`context "${name}" is not in ${file}; it has: ${names.join(', ')}`);
    const kc = load();
    kc.setCurrentContext(name);
    const client = clientNodeClient(kc, k8s);
    return { context: name, cluster: opts.clusterName ?? ctx.cluster, server: client.server, client };
  });
  // Several contexts often point at one cluster (other users or namespaces): collect it once.
  return targets.filter((t) => !clusters.has(t.cluster) && clusters.add(t.cluster));
}
