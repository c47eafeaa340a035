// The handler of each job kind, over the same stage functions the CLI commands call.
import type { JobHandlers } from '../worker.js';
import { updateAdvisoriesJob } from './advisories-update.js';
import { importDirectoryFileJob } from './imports-directory.js';
import { importTrivyOperatorJob } from './imports-trivy-operator.js';
import { collectInventoryJob } from './inventory-collect.js';
import { deliverNotificationJob } from './notifications-deliver.js';
import { evaluateNotificationsJob } from './notifications-evaluate.js';
import { maintainPostureJob } from './posture-maintain.js';
import { runReportsJob } from './reports-run.js';
import { retentionRunJob } from './retention-run.js';
import { scanImageJob } from './scan-image.js';
import { scanInUseJob } from './scan-in-use.js';
import type { StageDeps } from './stage-deps.js';

export type { ImportsConfig, InventorySources, StageDeps } from './stage-deps.js';

export function stageHandlers(deps: StageDeps): JobHandlers {
  return {
    'inventory.collect': (job, signal) => collectInventoryJob(deps, job, signal),
    'advisories.update': (job, signal) => updateAdvisoriesJob(deps, job, signal),
    'scan.in-use': (job, signal) => scanInUseJob(deps, job, signal),
    'scan.image': (job, signal) => scanImageJob(deps, job, signal),
    'posture.maintain': (job, signal) => maintainPostureJob(deps, job, signal),
    'reports.run': (job, signal) => runReportsJob(deps, job, signal),
    'notifications.evaluate': (job, signal) => evaluateNotificationsJob(deps, job, signal),
    'notifications.deliver': (job, signal) => deliverNotificationJob(deps, job, signal),
    'retention.run': (job, signal) => retentionRunJob(deps, job, signal),
    'imports.directory': (job, signal) => importDirectoryFileJob(deps, job, signal),
    'imports.trivy-operator': (job, signal) => importTrivyOperatorJob(deps, job, signal),
  };
}
