// Dashboard sessions, kept in the store (migration 21, docs/api.md "Dashboard"): a restart keeps
// people signed in and server processes on one database share them. Only a random session id
// travels in the cookie; the store holds its SHA-256, the verified principal, the SHA-256 of the
// session's CSRF token (an HMAC of the id, so it is never stored either), and the times.
//
// A session ends at its absolute end (8 h, or a pasted ID token's own expiry when sooner), after
// an hour without a page, on logout, and — for a session signed in with an API token — as soon
// as that token is revoked or expires (each page reads the token's state with the session).
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { formatScope, type Principal, parseScope } from '../../core/access.js';
import {
  createDashboardSession,
  deleteDashboardSession,
  deleteEndedDashboardSessions,
  findDashboardSession,
  type Store,
  touchDashboardSession,
} from '../../store/index.js';

export const SESSION_COOKIE = 'rs_session';
/** The pre-login CSRF cookie (double submit: the login form carries the same value). */
export const LOGIN_CSRF_COOKIE = 'rs_login_csrf';
/** Absolute lifetime of a session. */
export const SESSION_TTL_MS = 8 * 3600e3;
/** A session not used for this long ends. */
export const SESSION_IDLE_MS = 3600e3;
/** Least time between two sweeps of ended sessions by one process. */
const SWEEP_INTERVAL_MS = 10 * 60e3;

export interface Session {
  principal: Principal;
  /** The session's CSRF token, for the forms of its pages. */
  csrf: string;
  expiresAt: number;
}

export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison of two tokens (false when either is missing). */
export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** The CSRF token of session `id`: only who holds the (HttpOnly) id can compute it. */
function csrfOf(id: string): string {
  return createHmac('sha256', id).update('runsight dashboard csrf').digest('base64url');
}

const lastSweep = new WeakMap<Store, number>();

export class SessionStore {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** Stores a new session for `principal`; `notAfter` (ms) caps its end (a pasted ID token's exp). */
  async create(principal: Principal, notAfter?: number): Promise<{ id: string; session: Session }> {
    await this.#sweep();
    const id = randomToken();
    const csrf = csrfOf(id);
    const t = this.now();
    const expiresAt = Math.min(t + SESSION_TTL_MS, notAfter ?? Number.POSITIVE_INFINITY);
    await createDashboardSession(this.store, {
      idHash: sha256(id),
      csrfHash: sha256(csrf),
      subject: principal.subject,
      role: principal.role,
      scopes: formatScope(principal.scope),
      via: principal.via === 'token' ? 'token' : 'oidc',
      tokenId: principal.via === 'token' ? (principal.tokenId ?? null) : null,
      createdAt: new Date(t),
      expiresAt: new Date(expiresAt),
    });
    return { id, session: { principal, csrf, expiresAt } };
  }

  /** The live session of cookie value `id`; an ended one is deleted and answers undefined. */
  async get(id: string | undefined): Promise<Session | undefined> {
    if (!id || id.length > 100) return undefined;
    const idHash = sha256(id);
    const row = await findDashboardSession(this.store, idHash);
    if (!row) return undefined;
    const t = this.now();
    const csrf = csrfOf(id);
    const ended =
      row.expiresAt.getTime() <= t ||
      row.lastSeenAt.getTime() + SESSION_IDLE_MS <= t ||
      !sameToken(sha256(csrf), row.csrfHash) ||
      (row.tokenId !== null &&
        (!row.tokenFound ||
          row.tokenRevokedAt !== null ||
          (row.tokenExpiresAt !== null && row.tokenExpiresAt.getTime() <= t)));
    let principal: Principal | undefined;
    if (!ended) {
      try {
        principal = {
          subject: row.subject,
          role: row.role,
          scope: parseScope(row.scopes),
          via: row.via,
          ...(row.tokenId ? { tokenId: row.tokenId } : {}),
        };
      } catch {
        principal = undefined; // a stored scope that no longer parses grants nothing
      }
    }
    // Deleting an ended row and noting the last use are housekeeping: a store that refuses the
    // write (a read-only one) does not fail the page; the checks above stand either way.
    if (!principal) {
      await deleteDashboardSession(this.store, idHash).catch(() => false);
      return undefined;
    }
    await touchDashboardSession(this.store, idHash, new Date(t)).catch(() => false);
    return { principal, csrf, expiresAt: row.expiresAt.getTime() };
  }

  async delete(id: string | undefined): Promise<void> {
    if (id && id.length <= 100) await deleteDashboardSession(this.store, sha256(id));
  }

  async #sweep(): Promise<void> {
    const t = this.now();
    if (t - (lastSweep.get(this.store) ?? Number.NEGATIVE_INFINITY) < SWEEP_INTERVAL_MS) return;
    lastSweep.set(this.store, t);
    await deleteEndedDashboardSessions(this.store, new Date(t), new Date(t - SESSION_IDLE_MS));
  }
}
