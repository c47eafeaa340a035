// notifications.deliver: sends one notification_log row to its destination through the outbound
// guard (outbound.ts), records the attempt, and throws on failure so that the queue retries it
// with back-off; after the queue's last attempt the job stays failed — the dead letter
// (`runsight jobs --failed`). The URL and secret come from the config's rule at delivery time:
// the store never holds them. A row already delivered is not sent again.
import { type Logger, silentLogger } from '../../core/logger.js';
import {
  getNotificationLog,
  listNotificationLog,
  recordNotificationAttempt,
  type Store,
} from '../../store/index.js';
import type { NotificationRuleConfig, OutboundConfig } from '../config.js';
import { postOutbound } from '../outbound.js';
import { type NotificationBody, slackBody } from './bodies.js';
import { destinationsOf } from './destinations.js';

export interface DeliverOptions {
  outbound?: OutboundConfig | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  logger?: Logger | undefined;
  now?: (() => Date) | undefined;
}

export class NotificationDeliveryError extends Error {
  override name = 'NotificationDeliveryError';
}

export async function deliverNotification(
  store: Store,
  rules: readonly NotificationRuleConfig[],
  id: number,
  opts: DeliverOptions = {},
): Promise<{ delivered: boolean; status?: number | undefined }> {
  const logger = opts.logger ?? silentLogger;
  const row = await getNotificationLog(store, id);
  if (!row) throw new NotificationDeliveryError(`notification ${id} is not in the notification log`);
  if (row.status === 'delivered') return { delivered: false };
  const fail = async (message: string): Promise<never> => {
    await recordNotificationAttempt(store, id, { delivered: false, error: message, final: true });
    logger.warn('notification delivery failed', {
      id,
      rule: row.rule,
      event: row.event,
      destination: `${row.destination} ${row.host}`,
      error: message,
    });
    throw new NotificationDeliveryError(
      `${row.rule} ${row.event} → ${row.destination} ${row.host}: ${message}`,
    );
  };
  const rule = rules.find((r) => r.name === row.rule);
  if (!rule) return fail(`rule ${row.rule} is no longer configured`);
  const dest = destinationsOf(rule).find((d) => d.kind === row.destination);
  if (!dest) return fail(`rule ${row.rule} no longer has a ${row.destination} destination`);
  const payload = row.payload as unknown as NotificationBody;
  const body = JSON.stringify(dest.kind === 'slack' ? slackBody(payload) : payload);
  try {
    const r = await postOutbound({
      url: dest.url,
      secret: dest.kind === 'webhook' ? dest.secret : undefined,
      body,
      contentType: 'application/json',
      outbound: opts.outbound,
      signal: opts.signal,
      timeoutMs: opts.timeoutMs,
    });
    await recordNotificationAttempt(store, id, { delivered: true, at: opts.now?.() ?? new Date() });
    logger.info('notification delivered', { id, rule: row.rule, event: row.event, destination: row.host });
    return { delivered: true, status: r.status };
  } catch (err) {
    return fail((err as Error).message);
  }
}

/**
 * Logged notifications never attempted for over `olderThanMs` (default 2 min): their delivery job
 * was lost (the process stopped between the evaluation's commit and the queueing). Queueing them
 * again is safe: the queue keeps one job per id, and a delivered row is not sent twice.
 */
export async function deliveryBacklog(
  store: Store,
  exclude: ReadonlySet<number> = new Set(),
  now = new Date(),
  olderThanMs = 120_000,
): Promise<number[]> {
  const rows = await listNotificationLog(store, { status: 'pending', limit: 500 });
  return rows
    .filter(
      (r) => r.attempts === 0 && !exclude.has(r.id) && now.getTime() - r.createdAt.getTime() > olderThanMs,
    )
    .map((r) => r.id);
}
