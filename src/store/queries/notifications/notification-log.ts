// The notification log (migration 18): one row per notification and destination, written by the
// evaluation that found the transition, then updated by each delivery attempt. A row left `failed`
// after the last attempt is the dead letter (`runsight jobs --failed` shows it beside its job).
// Secrets and destination URLs are never stored: the row names the rule (whose config holds them)
// and the destination's host only.
import type { Store } from '../../open-store.js';
import type { NotificationLogTable, NotificationStatus } from '../../schema.js';

export interface NotificationLogInsert {
  rule: string;
  event: string;
  key: string;
  destination: NotificationLogTable['destination'];
  host: string;
  payload: Record<string, unknown>;
}

export interface NotificationLogRow extends NotificationLogInsert {
  id: number;
  status: NotificationStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

/** Writes the rows in batches of 1,000; their ids in input order. */
export async function insertNotificationLog(
  { db }: Pick<Store, 'db'>,
  rows: NotificationLogInsert[],
): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < rows.length; i += 1000) {
    const out = await db
      .insertInto('notification_log')
      .values(
        rows.slice(i, i + 1000).map((r) => ({
          rule: r.rule,
          event: r.event,
          key: r.key,
          destination: r.destination,
          host: r.host,
          payload: JSON.stringify(r.payload),
        })),
      )
      .returning('id')
      .execute();
    ids.push(...out.map((o) => Number(o.id)));
  }
  return ids;
}

function toRow(r: Record<string, unknown>): NotificationLogRow {
  return {
    id: Number(r.id),
    rule: String(r.rule),
    event: String(r.event),
    key: String(r.key),
    destination: r.destination as NotificationLogRow['destination'],
    host: String(r.host),
    payload: r.payload as Record<string, unknown>,
    status: r.status as NotificationStatus,
    attempts: Number(r.attempts),
    lastError: (r.last_error as string | null) ?? null,
    createdAt: new Date(r.created_at as Date),
    deliveredAt: r.delivered_at ? new Date(r.delivered_at as Date) : null,
  };
}

export async function getNotificationLog(
  { db }: Pick<Store, 'db'>,
  id: number,
): Promise<NotificationLogRow | undefined> {
  const r = await db.selectFrom('notification_log').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toRow(r as unknown as Record<string, unknown>) : undefined;
}

/** The rows of these ids (one array parameter), e.g. the keys of deliver jobs. */
export async function listNotificationLogByIds(
  { db }: Pick<Store, 'db'>,
  ids: number[],
): Promise<NotificationLogRow[]> {
  if (!ids.length) return [];
  const rows = await db
    .selectFrom('notification_log')
    .selectAll()
    .where(({ eb, fn }) => eb('id', '=', fn<number>('any', [eb.val(ids)])))
    .execute();
  return rows.map((r) => toRow(r as unknown as Record<string, unknown>));
}

/** Newest first: every row, or those of one rule, or those in one status. */
export async function listNotificationLog(
  { db }: Pick<Store, 'db'>,
  opts: { rule?: string | undefined; status?: NotificationStatus | undefined; limit?: number } = {},
): Promise<NotificationLogRow[]> {
  let q = db.selectFrom('notification_log').selectAll();
  if (opts.rule) q = q.where('rule', '=', opts.rule);
  if (opts.status) q = q.where('status', '=', opts.status);
  const rows = await q
    .orderBy('id', 'desc')
    .limit(opts.limit ?? 200)
    .execute();
  return rows.map((r) => toRow(r as unknown as Record<string, unknown>));
}

/** One delivery attempt's outcome: delivered, or failed (final: no attempt follows; else pending). */
export async function recordNotificationAttempt(
  { db }: Pick<Store, 'db'>,
  id: number,
  outcome: { delivered: true; at: Date } | { delivered: false; error: string; final: boolean },
): Promise<void> {
  await db
    .updateTable('notification_log')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      ...(outcome.delivered
        ? { status: 'delivered' as const, delivered_at: outcome.at, last_error: null }
        : { status: outcome.final ? ('failed' as const) : ('pending' as const), last_error: outcome.error }),
    }))
    .where('id', '=', id)
    .execute();
}
