// Which clusters one run talks to: a kubeconfig file (--kubeconfig, else $KUBECONFIG, else
// ~/.kube/config), one context (--context, else the current one) or every context (--all-contexts),
// or the in-cluster service account when running in a pod. Each target becomes one inventory source.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, UsageError } from '../../../core/errors.js';
import { clientNodeApi, type KubernetesApi, loadClientNode } from './api.js';

export interface ClusterTarget {
  context: string;
  /** The cluster name used as the source name and in container ids. */
  cluster: string;
  server: string;
  api: KubernetesApi;
}

export interface TargetOptions {
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

export async function kubernetesTargets(opts: TargetOptions): Promise<ClusterTarget[]> {
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
    const api = clientNodeApi(kc, k8s);
    return [{ context: 'in-cluster', cluster: opts.clusterName ?? 'in-cluster', server: api.server, api }];
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
    const api = clientNodeApi(kc, k8s);
    return { context: name, cluster: opts.clusterName ?? ctx.cluster, server: api.server, api };
  });
  // Several contexts often point at one cluster (other users or namespaces): collect it once.
  return targets.filter((t) => !clusters.has(t.cluster) && clusters.add(t.cluster));
}
