// Lists trivy-operator VulnerabilityReports straight from a cluster (the Kubernetes API,
// GET /apis/aquasecurity.github.io/v1alpha1[/namespaces/NS]/vulnerabilityreports, paged with
// limit/continue) through the shared Kubernetes adapter (src/kubernetes): its kubeconfig
// resolution, its client port over @kubernetes/client-node and its pager.
import { RunsightError } from '../../core/errors.js';
import {
  KubernetesApiError,
  type KubernetesClient,
  type KubernetesResource,
  kubeContexts,
  listAll,
} from '../../kubernetes/index.js';

const VULNERABILITY_REPORTS: KubernetesResource = {
  group: 'aquasecurity.github.io',
  version: 'v1alpha1',
  plural: 'vulnerabilityreports',
  singular: 'vulnerabilityreport',
};

/** The one call the importer makes on the Kubernetes API. */
export type ReportLister = Pick<KubernetesClient, 'list'>;

export class ClusterListError extends RunsightError {
  override readonly name: string = 'ClusterListError';
}

/** All VulnerabilityReports (of one namespace, or all), as a `List` the parser reads. */
export async function listVulnerabilityReports(
  lister: ReportLister,
  opts: { namespace?: string | undefined; pageSize?: number; signal?: AbortSignal | undefined } = {},
): Promise<{ kind: 'List'; items: unknown[] }> {
  try {
    const { items } = await listAll(
      (page) => lister.list(VULNERABILITY_REPORTS, { namespace: opts.namespace, ...page }),
      { pageSize: opts.pageSize ?? 500, signal: opts.signal },
      withKind,
    );
    return { kind: 'List', items };
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    const status = err instanceof KubernetesApiError ? err.status : (err as { code?: number }).code;
    const detail = err instanceof KubernetesApiError ? err.detail : (err as Error).message;
    throw new ClusterListError(
      `listing vulnerabilityreports.aquasecurity.github.io failed${status ? ` (HTTP ${status})` : ''}: ${detail.split('\n')[0]}; check the kube context, that trivy-operator is installed, and that you may list its reports`,
      { cause: err },
    );
  }
}

/** List items come without apiVersion/kind; the parser expects whole resources. */
function withKind(item: unknown): unknown {
  if (!item || typeof item !== 'object') return item;
  return { apiVersion: 'aquasecurity.github.io/v1alpha1', kind: 'VulnerabilityReport', ...(item as object) };
}

/**
 * The client for a kubeconfig file (default: KUBECONFIG, ~/.kube/config, else the in-cluster service
 * account) and a context (default: the current one).
 */
export async function kubernetesReportLister(
  opts: { kubeconfig?: string | undefined; context?: string | undefined; env?: NodeJS.ProcessEnv } = {},
): Promise<ReportLister> {
  const [target] = await kubeContexts({
    kubeconfig: opts.kubeconfig,
    context: opts.context,
    env: opts.env ?? process.env,
  });
  return target!.client;
}
