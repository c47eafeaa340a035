// Lists trivy-operator VulnerabilityReports straight from a cluster (the Kubernetes API,
// GET /apis/aquasecurity.github.io/v1alpha1[/namespaces/NS]/vulnerabilityreports, paged with
// limit/continue). The Kubernetes client is reached through a structural port, so the importer
// does not depend on the client's types; `kubernetesReportLister` adapts @kubernetes/client-node.
import { z } from 'zod';
import { RunsightError } from '../../core/errors.js';

/** The one call the importer makes on the Kubernetes API. */
export interface ReportLister {
  list(args: {
    namespace?: string | undefined;
    continue?: string | undefined;
    limit: number;
  }): Promise<unknown>;
}

const listSchema = z.object({
  items: z.array(z.unknown()),
  metadata: z.object({ continue: z.string().nullish() }).nullish(),
});

export class ClusterListError extends RunsightError {
  override readonly name: string = 'ClusterListError';
}

/** All VulnerabilityReports (of one namespace, or all), as a `List` the parser reads. */
export async function listVulnerabilityReports(
  lister: ReportLister,
  opts: { namespace?: string | undefined; pageSize?: number; signal?: AbortSignal | undefined } = {},
): Promise<{ kind: 'List'; items: unknown[] }> {
  const items: unknown[] = [];
  let token: string | undefined;
  do {
    opts.signal?.throwIfAborted();
    let page: unknown;
    try {
      page = await lister.list({ namespace: opts.namespace, continue: token, limit: opts.pageSize ?? 500 });
    } catch (err) {
      const status = (err as { code?: number }).code;
      throw new ClusterListError(
        `listing vulnerabilityreports.aquasecurity.github.io failed${status ? ` (HTTP ${status})` : ''}: ${(err as Error).message.split('\n')[0]}; check the kube context, that trivy-operator is installed, and that you may list its reports`,
        { cause: err },
      );
    }
    const parsed = listSchema.safeParse(page);
    if (!parsed.success)
      throw new ClusterListError(
        'the Kubernetes API answered the vulnerabilityreports list with something that is not a list',
      );
    items.push(...parsed.data.items.map((i) => withKind(i)));
    token = parsed.data.metadata?.continue || undefined;
  } while (token);
  return { kind: 'List', items };
}

/** List items come without apiVersion/kind; the parser expects whole resources. */
function withKind(item: unknown): unknown {
  if (!item || typeof item !== 'object') return item;
  return { apiVersion: 'aquasecurity.github.io/v1alpha1', kind: 'VulnerabilityReport', ...(item as object) };
}

/** Adapts @kubernetes/client-node (kubeconfig file or the default chain, optional context). */
export async function kubernetesReportLister(
  opts: { kubeconfig?: string; context?: string } = {},
): Promise<ReportLister> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  if (opts.context) kc.setCurrentContext(opts.context);
  const api = kc.makeApiClient(k8s.CustomObjectsApi);
  const base = { group: 'aquasecurity.github.io', version: 'v1alpha1', plural: 'vulnerabilityreports' };
  return {
    list: ({ namespace, continue: token, limit }) =>
      namespace
        ? api.listNamespacedCustomObject({ ...base, namespace, _continue: token, limit })
        : api.listClusterCustomObject({ ...base, _continue: token, limit }),
  };
}
