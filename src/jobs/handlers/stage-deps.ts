// What the job handlers need to call the stage functions the CLI commands call: the store, the
// queue (to ask for follow-up jobs), the posture settings, the scanner's settings, the inventory
// sources to collect, the advisory sources to update from and the reports to import.
import type { FeedsConfig } from '../../advisories/index.js';
import type { Logger } from '../../core/logger.js';
import type { kubernetesTargets } from '../../inventory/index.js';
import type { PostureConfig } from '../../propagation/index.js';
import type { NotificationRuleConfig, OutboundConfig, ScheduledReportConfig } from '../../reports/config.js';
import type { ScanImageOptions } from '../../scan/index.js';
import type { Store } from '../../store/index.js';
import type { JobQueue } from '../queue.js';
import type { RetentionConfig } from '../retention.js';
import type { DirectoryImportConfig } from './imports-directory.js';
import type { TrivyOperatorImportConfig } from './imports-trivy-operator.js';

/** What `cadence.imports` imports (config `imports:`). */
export interface ImportsConfig {
  directory?: DirectoryImportConfig | undefined;
  trivyOperator?: TrivyOperatorImportConfig[] | undefined;
}

export interface InventorySources {
  /** Kubernetes clusters, as `inventory collect kubernetes` takes them (kubeconfig, context…). */
  kubernetes: (Omit<Parameters<typeof kubernetesTargets>[0], 'env'> & {
    namespaces?: string[] | undefined;
  })[];
  /** Docker Engines, as `inventory collect docker` takes them. */
  docker: { host?: string | undefined; name?: string | undefined }[];
}

export interface StageDeps {
  store: Store;
  queue: Pick<JobQueue, 'send'>;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  posture: PostureConfig;
  /** inventory.ownerKeys / environmentKeys of the config. */
  inventoryKeys?: { ownerKeys?: string[] | undefined; environmentKeys?: string[] | undefined } | undefined;
  inventory: InventorySources;
  /** Advisory sources (paths or URLs) as `db update --source` takes them; none: the configured feeds. */
  advisorySources: string[];
  /** The feeds `db update` with no source updates (the config's `advisories` section). */
  feeds?: FeedsConfig | undefined;
  scan: Pick<ScanImageOptions, 'limits' | 'includeOsOwned' | 'sourceOptions'>;
  /** Scans at once per registry host, across every worker (default 4). */
  registryConcurrency?: number | undefined;
  /** Scheduled reports (config `reports:`). */
  reports?: ScheduledReportConfig[] | undefined;
  /** Notification rules (config `notifications:`). */
  notifications?: NotificationRuleConfig[] | undefined;
  /** The outbound guard for webhooks (config `outbound:`). */
  outbound?: OutboundConfig | undefined;
  /** How long history is kept (config `retention:`; jobs/retention.ts). */
  retention?: RetentionConfig | undefined;
  /** The watched directory and trivy-operator clusters imported (config `imports:`). */
  imports?: ImportsConfig | undefined;
}
