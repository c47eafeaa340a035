// The audit log: append one entry per audited API action, and read entries back by time range,
// newest first, a page at a time (keyset paging on the append order, so a page never skips or
// repeats an entry while others are appended). What is audited and how entries are cleaned is
// decided in src/server/auth/audit.ts; this file stores rows.
import type { Store } from '../../open-store.js';

export interface AuditEntry {
  /** `token:NAME`, `oidc:SUB`, `local` or `anonymous`. */
  subject: string;
  role: string | null;
  /** e.g. `POST /api/v1/imports`. */
  action: string;
  target: string | null;
  /** An HTTP status (`201`, `403`), `ok` or `error`. */
  outcome: string;
  detail: Record<string, unknown> | null;
  /** Defaults to the database's now(). */
  at?: Date | undefined;
}

export interface StoredAuditEntry extends Required<Omit<AuditEntry, 'at'>> {
  id: number;
  at: Date;
}

export interface AuditQuery {
  /** Entries at or after this time. */
  from?: Date | undefined;
  /** Entries before this time. */
  to?: Date | undefined;
  /** Keyset cursor: only entries with a smaller id (the `next` of the previous page). */
  before?: number | undefined;
  /** Page size, 1–1000 (default 100). */
  limit?: number | undefined;
}

export interface AuditPage {
  entries: StoredAuditEntry[];
  /** Pass as `before` for the next (older) page; null when this page is the last. */
  next: number | null;
}

export const AUDIT_PAGE_MAX = 1000;

export async function appendAudit(store: Store, e: AuditEntry): Promise<number> {
  const row = await store.db
    .insertInto('audit_log')
    .values({
      subject: e.subject,
      role: e.role,
      action: e.action,
      target: e.target,
      outcome: e.outcome,
      detail: e.detail === null ? null : JSON.stringify(e.detail),
      ...(e.at ? { at: e.at } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** One page of entries in [from, to), newest (highest id) first. */
export async function listAudit(store: Store, q: AuditQuery = {}): Promise<AuditPage> {
  const limit = Math.min(Math.max(Math.trunc(q.limit ?? 100), 1), AUDIT_PAGE_MAX);
  let query = store.db
    .selectFrom('audit_log')
    .select(['id', 'at', 'subject', 'role', 'action', 'target', 'outcome', 'detail']);
  if (q.from) query = query.where('at', '>=', q.from);
  if (q.to) query = query.where('at', '<', q.to);
  if (q.before !== undefined) query = query.where('id', '<', q.before);
  const rows = await query
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit).map((r) => ({
    id: Number(r.id),
    at: new Date(r.at),
    subject: r.subject,
    role: r.role,
    action: r.action,
    target: r.target,
    outcome: r.outcome,
    detail: (r.detail ?? null) as Record<string, unknown> | null,
  }));
  return { entries: page, next: rows.length > limit ? page[page.length - 1]!.id : null };
}
