// notifications.deliver: one notification (key: its notification_log id) to its webhook or Slack,
// through the outbound guard. A failure throws: the queue retries it with back-off, and after the
// last attempt the job stays failed — the dead letter `runsight jobs --failed` lists.
import { deliverNotification } from '../../reports/notifications/index.js';
import type { Job } from '../kinds.js';
import type { StageDeps } from './stage-deps.js';

export async function deliverNotificationJob(deps: StageDeps, job: Job, signal: AbortSignal) {
  const id = Number(job.key);
  if (!job.key || !Number.isSafeInteger(id) || id <= 0)
    throw new Error(
      `notifications.deliver needs a notification id as its key, got ${JSON.stringify(job.key)}`,
    );
  return deliverNotification(deps.store, deps.notifications ?? [], id, {
    outbound: deps.outbound,
    signal,
    logger: deps.logger,
  });
}
