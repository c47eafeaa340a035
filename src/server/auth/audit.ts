// The audit log's rules: what an entry holds and how request-derived text is cleaned before it is
// stored (docs/api.md "Authentication and roles"). The server records one entry per write request
// and per refused one; `readAudit` pages through them, newest first.
import type { Principal } from '../../core/access.js';
import { type AuditPage, type AuditQuery, appendAudit, listAudit, type Store } from '../../store/index.js';

export interface AuditEvent {
  /** Who: the principal, or undefined before authentication succeeded (recorded as `anonymous`). */
  principal?: Principal | undefined;
  /** A subject known without a principal (a valid OIDC identity without a mapping, say). */
  subject?: string | undefined;
  /** e.g. `POST /api/v1/imports`. */
  action: string;
  /** What it acted on (a token id, an image digest…). */
  target?: string | undefined;
  /** The HTTP status, or `ok` / `error`. */
  outcome: number | 'ok' | 'error';
  /** A few small facts (counts, a reason); more than 2 KiB of JSON is replaced by a note. */
  detail?: Record<string, unknown> | undefined;
}

export const AUDIT_DETAIL_MAX = 2048;

/** Appends one entry; text is cleaned (control characters removed, lengths capped). */
export async function recordAudit(store: Store, e: AuditEvent): Promise<number> {
  let detail: Record<string, unknown> | null = null;
  if (e.detail) {
    // Strings cleaned like the other fields (jsonb refuses \u0000); too big → a note of its size.
    const json = JSON.stringify(e.detail, (_k, v) =>
      typeof v === 'string' ? clean(v, AUDIT_DETAIL_MAX) : v,
    );
    detail = json.length > AUDIT_DETAIL_MAX ? { truncated: true, length: json.length } : JSON.parse(json);
  }
  return appendAudit(store, {
    subject: clean(e.principal?.subject ?? e.subject ?? 'anonymous', 300),
    role: e.principal?.role ?? null,
    action: clean(e.action, 300),
    target: e.target === undefined ? null : clean(e.target, 500),
    outcome: String(e.outcome),
    detail,
  });
}

/** One page of the audit log, newest first (pass `next` as `before` for the following page). */
export function readAudit(store: Store, q: AuditQuery = {}): Promise<AuditPage> {
  return listAudit(store, q);
}

/** Text without C0/C1 controls, bidi overrides or unpaired surrogates, at most `max` characters. */
function clean(text: string, max: number): string {
  const t = text
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '\uFFFD');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
