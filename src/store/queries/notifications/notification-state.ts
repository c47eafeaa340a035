// What each notification rule remembers between evaluations (migration 18): its baseline and
// fingerprint, and its open facts. An evaluation's outcome — the facts opened, updated and closed,
// and the notifications it logged — lands in one transaction, under an advisory lock so that two
// evaluations of one store never interleave; array parameters keep every statement's size fixed.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';
import type { NotificationStateTable } from '../../schema.js';
import { insertNotificationLog, type NotificationLogInsert } from './notification-log.js';

export type NotificationFactKind = NotificationStateTable['kind'];

export interface NotificationRuleRow {
  rule: string;
  fingerprint: string;
  baselineAt: Date;
  evaluatedAt: Date;
  validatedPostureAt: string | null;
  validatedAt: Date | null;
}

export interface NotificationFact {
  kind: NotificationFactKind;
  key: string;
  severity: string | null;
  kev: boolean;
  detail: Record<string, unknown> | null;
  openedAt: Date;
}

const LOCK_KEY = 0x52_53_4e_54; // "RSNT"

export async function getNotificationRule(
  { db }: Pick<Store, 'db'>,
  rule: string,
): Promise<NotificationRuleRow | undefined> {
  const r = await db.selectFrom('notification_rules').selectAll().where('rule', '=', rule).executeTakeFirst();
  if (!r) return undefined;
  return {
    rule: r.rule,
    fingerprint: r.fingerprint,
    baselineAt: new Date(r.baseline_at),
    evaluatedAt: new Date(r.evaluated_at),
    validatedPostureAt: r.validated_posture_at,
    validatedAt: r.validated_at ? new Date(r.validated_at) : null,
  };
}

export async function readNotificationFacts(
  { db }: Pick<Store, 'db'>,
  rule: string,
): Promise<NotificationFact[]> {
  const rows = await db.selectFrom('notification_state').selectAll().where('rule', '=', rule).execute();
  return rows.map((r) => ({
    kind: r.kind,
    key: r.key,
    severity: r.severity,
    kev: r.kev,
    detail: r.detail,
    openedAt: new Date(r.opened_at),
  }));
}

export interface NotificationOutcome {
  rule: string;
  fingerprint: string;
  at: Date;
  /** The definition changed (or the rule is new): forget its facts and start from `open`. */
  reset: boolean;
  /** Facts opened or updated (upserted by (kind, key); opened_at kept when it was already open). */
  open: NotificationFact[];
  /** Facts closed. */
  close: { kind: NotificationFactKind; key: string }[];
  /** The posture time the validation checklist ran against, when it ran. */
  validatedPostureAt?: string | null | undefined;
  log: NotificationLogInsert[];
}

/** Lands one rule's evaluation; the ids of the notification_log rows written, in `log` order. */
export async function saveNotificationOutcome(store: Store, o: NotificationOutcome): Promise<number[]> {
  return store.transaction(async (tx) => {
    const { db } = tx;
    await sql`select pg_advisory_xact_lock(${LOCK_KEY})`.execute(db);
    if (o.reset) await db.deleteFrom('notification_state').where('rule', '=', o.rule).execute();
    const existing = await getNotificationRule(tx, o.rule);
    const validated = o.validatedPostureAt !== undefined;
    await db
      .insertInto('notification_rules')
      .values({
        rule: o.rule,
        fingerprint: o.fingerprint,
        baseline_at: o.at,
        evaluated_at: o.at,
        validated_posture_at: validated ? o.validatedPostureAt : null,
        validated_at: validated ? o.at : null,
      })
      .onConflict((oc) =>
        oc.column('rule').doUpdateSet({
          fingerprint: o.fingerprint,
          evaluated_at: o.at,
          ...(o.reset || !existing ? { baseline_at: o.at } : {}),
          ...(validated ? { validated_posture_at: o.validatedPostureAt, validated_at: o.at } : {}),
        }),
      )
      .execute();
    if (o.close.length)
      await sql`delete from notification_state s
        using unnest(${o.close.map((c) => c.kind)}::text[], ${o.close.map((c) => c.key)}::text[]) as x(kind, key)
        where s.rule = ${o.rule} and s.kind = x.kind and s.key = x.key`.execute(db);
    for (let i = 0; i < o.open.length; i += 1000) {
      const part = o.open.slice(i, i + 1000);
      await sql`insert into notification_state (rule, kind, key, severity, kev, detail, opened_at, updated_at)
        select ${o.rule}, x.kind, x.key, x.severity, x.kev, x.detail::jsonb, x.opened_at, ${o.at}
        from unnest(${part.map((f) => f.kind)}::text[], ${part.map((f) => f.key)}::text[],
          ${part.map((f) => f.severity)}::text[], ${part.map((f) => f.kev)}::boolean[],
          ${part.map((f) => (f.detail ? JSON.stringify(f.detail) : null))}::text[],
          ${part.map((f) => f.openedAt.toISOString())}::timestamptz[])
          as x(kind, key, severity, kev, detail, opened_at)
        on conflict (rule, kind, key) do update set severity = excluded.severity, kev = excluded.kev,
          detail = excluded.detail, updated_at = excluded.updated_at`.execute(db);
    }
    return insertNotificationLog(tx, o.log);
  });
}
