// imports.trivy-operator: lists one cluster's trivy-operator VulnerabilityReports (config
// `imports.trivyOperator`) and imports them with the same stage functions as `runsight import
// trivy-operator --from-cluster` (src/importers: kubernetesReportLister, listVulnerabilityReports,
// importReports), then asks for a posture update. Keyed by the cluster's name: the queue keeps one
// queued and one active job per cluster. A report whose image cannot be mapped yet (a tag never
// observed) is listed in the job's output and tried again at the next cadence; a cluster that
// cannot be listed fails the job, which the queue retries after a back-off.
import {
  type ImportFormat,
  importReports,
  kubernetesReportLister,
  listVulnerabilityReports,
} from '../../importers/index.js';
import type { Job } from '../kinds.js';
import type { StageDeps } from './stage-deps.js';

/** One cluster of `imports.trivyOperator`. */
export interface TrivyOperatorImportConfig {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  /** The job's key (default: the context, else `default`). */
  clusterName?: string | undefined;
}

/** The name (job key) of a configured cluster. */
export function trivyOperatorClusterName(c: TrivyOperatorImportConfig): string {
  return c.clusterName ?? c.context ?? 'default';
}

/** One job per configured cluster, keyed by its name. */
export function trivyOperatorImportJobs(
  clusters: readonly TrivyOperatorImportConfig[] | undefined,
): { key: string; data: Record<string, unknown> }[] {
  return (clusters ?? []).map((c) => ({ key: trivyOperatorClusterName(c), data: {} }));
}

const FORMAT: ImportFormat = 'trivy-operator';

export async function importTrivyOperatorJob(deps: StageDeps, job: Job, signal: AbortSignal) {
  const clusters = deps.imports?.trivyOperator ?? [];
  const cluster = clusters.find((c) => trivyOperatorClusterName(c) === job.key);
  if (!cluster)
    throw new Error(
      `no imports.trivyOperator cluster named "${job.key}" in the config (configured: ${clusters.map(trivyOperatorClusterName).join(', ') || 'none'})`,
    );
  const lister = await kubernetesReportLister({
    kubeconfig: cluster.kubeconfig,
    context: cluster.context,
    env: deps.env,
  });
  const list = await listVulnerabilityReports(lister, { signal });
  const result = list.items.length
    ? await importReports(deps.store, {
        format: FORMAT,
        files: [],
        documents: [{ origin: `cluster ${job.key}`, data: list }],
        signal,
        logger: { ...deps.logger, error: (msg, fields) => deps.logger.debug(msg, fields) },
      })
    : { images: [], errors: [] };
  const landed = result.images.filter((i) => i.digest);
  if (landed.length) await deps.queue.send('posture.maintain', {});
  if (result.errors.length)
    deps.logger.warn('trivy-operator reports not imported', {
      cluster: job.key,
      count: result.errors.length,
      errors: result.errors.map((e) => e.message),
    });
  return {
    cluster: job.key,
    reports: list.items.length,
    images: landed.length,
    imported: landed.reduce((n, i) => n + i.imported, 0),
    notImported: result.errors.map((e) => e.message),
  };
}
