// notifications.evaluate: compares posture with each notification rule's last state and queues one
// notifications.deliver job per notification written (keyed by its log id). Queued after each
// posture.maintain and by the scheduler (every minute while rules exist, sooner when posture was
// recomputed since the last evaluation). The queue keeps one queued and one active at most.
// Also re-queues deliveries whose job was lost (logged, never attempted, for over two minutes).
import { postureState } from '../../propagation/index.js';
import { deliveryBacklog, evaluateNotifications } from '../../reports/notifications/index.js';
import { listJobRuns } from '../../store/index.js';
import type { Job } from '../kinds.js';
import type { StageDeps } from './stage-deps.js';

export async function evaluateNotificationsJob(deps: StageDeps, job: Job, _signal: AbortSignal) {
  const rules = deps.notifications ?? [];
  if (!rules.length) return { rules: 0, notifications: 0 };
  const r = await evaluateNotifications(deps.store, rules, {
    posture: deps.posture,
    logger: deps.logger,
    notifyBaseline: job.data.notifyBaseline === true,
  });
  const ids = [...r.logIds, ...(await deliveryBacklog(deps.store, new Set(r.logIds)))];
  for (const id of ids) await deps.queue.send('notifications.deliver', {}, { key: String(id) });
  return {
    rules: r.rules.length,
    baselined: r.rules.filter((x) => x.baseline).map((x) => x.rule),
    events: r.rules.reduce((n, x) => n + x.events.length, 0),
    notifications: r.logIds.length,
  };
}

/** How often the scheduler evaluates the rules, whatever else happens (stale sources age by the clock). */
export const NOTIFICATIONS_EVERY_MS = 60_000;

/**
 * Whether the scheduler should queue notifications.evaluate at `now`: never ran, last started a
 * minute ago or more, or posture was recomputed after it last started (an API push, an inventory
 * collection, an advisory update — every writer maintains posture, so one look covers them all).
 */
export async function notificationsEvaluateDue(store: StageDeps['store'], now: Date): Promise<boolean> {
  const run = (await listJobRuns(store)).find((r) => r.kind === 'notifications.evaluate');
  const last = run?.lastStartedAt ? new Date(run.lastStartedAt).getTime() : 0;
  if (!last || now.getTime() - last >= NOTIFICATIONS_EVERY_MS) return true;
  const computed = (await postureState(store)).computedAt;
  return computed !== null && Date.parse(computed) > last;
}
