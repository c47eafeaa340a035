// Dashboard sessions, kept in the store (migration 21, docs/api.md "Dashboard"): a restart keeps
// people signed in and server processes on one database share them. Only a random session id
// travels in the cookie; the store holds its SHA-256, the verified principal, the SHA-256 of the
// session's CSRF token (an HMAC of the id, so it is never stored either), and the times.
//
// A session ends at its absolute end (8 h, or a pasted ID token's own expiry when sooner), after
// an hour without a page, on logout, and — for a session signed in with an API token — as soon
// as that token is revoked or expires (each page reads the token's state with the session).
//
// On a store that refuses writes (opened read-only, or a PostgreSQL standby) a sign-in gets a
// signed session instead (ADR 0019): the cookie carries the principal and times, HMAC-SHA256 under
// a key this process drew at start. The same ends apply — the idle end by re-signing the cookie at
// most once a minute, the token check by reading the token's row each page — but a signed session
// is good in this process only (a restart or another process asks to sign in again) and its logout
// is remembered by this process until the session's absolute end.
//
// An SSO session whose issuer granted a refresh token is re-checked with the issuer (ADR 0023):
// on the first page after its refresh is due (server.oidc.refreshSeconds, default 300 s, or the
// access token's lifetime when shorter) the refresh grant gives the current claims, and the role
// and scope they map to apply from that page on. A refused refresh (invalid_grant: user disabled,
// token revoked; or groups that no longer map) ends the session; an unreachable issuer keeps it,
// with a warning each try, until server.oidc.refreshGraceSeconds (default 900 s) after the issuer
// last confirmed it. One refresh at a time per session: concurrent pages of this process wait for
// the same one, another process holding the row's lease serves the claims it has. Refresh tokens
// are stored AES-256-GCM-encrypted (server.sessionSecret), or without a key kept in this process's
// memory only; they are never logged. Signed sessions (read-only store) are not refreshed.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { formatScope, type Principal, parseScope } from '../../core/access.js';
import {
  claimSessionRefresh,
  createDashboardSession,
  type DashboardSessionRow,
  deleteDashboardSession,
  deleteEndedDashboardSessions,
  deleteSsoSessions,
  findDashboardSession,
  findSessionTokenState,
  finishSessionRefresh,
  recordLogoutToken,
  type Store,
  touchDashboardSession,
} from '../../store/index.js';
import type { SessionRefresher } from './sso-flow.js';

export const SESSION_COOKIE = 'rs_session';
/** The pre-login CSRF cookie (double submit: the login form carries the same value). */
export const LOGIN_CSRF_COOKIE = 'rs_login_csrf';
/** Absolute lifetime of a session. */
export const SESSION_TTL_MS = 8 * 3600e3;
/** A session not used for this long ends. */
export const SESSION_IDLE_MS = 3600e3;
/** Least time between two sweeps of ended sessions by one process. */
const SWEEP_INTERVAL_MS = 10 * 60e3;
/** How long a refresh holds its session's lease (other processes do not start one meanwhile). */
const REFRESH_LEASE_MS = 30_000;
/** Least time before an unreachable issuer is tried again for one session. */
const REFRESH_RETRY_MS = 30_000;

/** Refreshes in progress in this process: session id hash → the principal after it (undefined: ended). */
const refreshing = new Map<string, Promise<Principal | undefined>>();

export interface Session {
  principal: Principal;
  /** The session's CSRF token, for the forms of its pages. */
  csrf: string;
  expiresAt: number;
  /** A signed session (the store refused the write): good in this process only. */
  signed?: boolean;
  /** A new cookie value to send (a signed session re-signed with its last use). */
  renewed?: string | undefined;
}

/** Whether `err` is the store refusing a write because it is read-only (SQLSTATE 25006). */
export function isReadOnlyRefusal(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  return e?.code === '25006' || (typeof e?.message === 'string' && /read-only transaction/.test(e.message));
}

const SIGNED_PREFIX = 'v1.';
/** The key of signed sessions: drawn once per process, never stored. */
const SIGNING_KEY = randomBytes(32);
/** Signed sessions logged out in this process: their nonce → their absolute end. */
const loggedOut = new Map<string, number>();

interface SignedClaims {
  /** Random: the session's own secret (its CSRF token derives from it). */
  n: string;
  s: string;
  r: Principal['role'];
  sc: string[];
  v: 'token' | 'oidc';
  t: string | null;
  e: number;
  l: number;
  /** Created at (ms), and the issuer's session id of an SSO sign-in. */
  c: number;
  i?: string | undefined;
}

/**
 * What back-channel logouts ended in this process, for signed sessions (which have no row to
 * delete): issuer session id or subject → when. A signed session begun before that time ends.
 */
const ssoEnded = { sids: new Map<string, number>(), subjects: new Map<string, number>() };
/** Logout token ids seen by this process while the store refused to record them: jti → expiry. */
const seenLogoutTokens = new Map<string, number>();

function sign(claims: SignedClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const mac = createHmac('sha256', SIGNING_KEY)
    .update(SIGNED_PREFIX + body)
    .digest('base64url');
  return `${SIGNED_PREFIX}${body}.${mac}`;
}

/** The claims of a signed session cookie whose signature holds, else undefined. */
function verifySigned(id: string): SignedClaims | undefined {
  const [body, mac] = id.slice(SIGNED_PREFIX.length).split('.');
  if (!body || !mac) return undefined;
  const want = createHmac('sha256', SIGNING_KEY)
    .update(SIGNED_PREFIX + body)
    .digest('base64url');
  if (!sameToken(mac, want)) return undefined;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString()) as SignedClaims;
  } catch {
    return undefined;
  }
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
    private readonly refresher?: SessionRefresher | undefined,
  ) {}

  /**
   * Stores a new session for `principal`; `notAfter` (ms) caps its end (a pasted ID token's exp).
   * A store that refuses the write gets a signed session instead.
   */
  async create(
    principal: Principal,
    notAfter?: number,
    sid?: string | undefined,
    refresh?: { token: string; expiresIn?: number | undefined } | undefined,
  ): Promise<{ id: string; session: Session }> {
    const t = this.now();
    const expiresAt = Math.min(t + SESSION_TTL_MS, notAfter ?? Number.POSITIVE_INFINITY);
    try {
      await this.#sweep();
      const id = randomToken();
      const csrf = csrfOf(id);
      const idHash = sha256(id);
      const r = this.refresher ? refresh : undefined;
      const box = this.refresher?.box;
      if (r && !box) this.refresher?.memory.set(idHash, { token: r.token, expiresAt });
      await createDashboardSession(this.store, {
        refreshToken: r && box ? box.seal(r.token, idHash) : null,
        refreshDueAt: r ? new Date(t + this.#intervalMs(r.expiresIn)) : null,
        idHash,
        csrfHash: sha256(csrf),
        subject: principal.subject,
        role: principal.role,
        scopes: formatScope(principal.scope),
        via: principal.via === 'token' ? 'token' : 'oidc',
        tokenId: principal.via === 'token' ? (principal.tokenId ?? null) : null,
        createdAt: new Date(t),
        expiresAt: new Date(expiresAt),
        sid: sid ?? null,
      });
      return { id, session: { principal, csrf, expiresAt } };
    } catch (err) {
      if (!isReadOnlyRefusal(err)) throw err;
    }
    const n = randomToken();
    const id = sign({
      n,
      s: principal.subject,
      r: principal.role,
      sc: formatScope(principal.scope),
      v: principal.via === 'token' ? 'token' : 'oidc',
      t: principal.via === 'token' ? (principal.tokenId ?? null) : null,
      e: expiresAt,
      l: t,
      c: t,
      ...(sid ? { i: sid } : {}),
    });
    return { id, session: { principal, csrf: csrfOf(n), expiresAt, signed: true } };
  }

  /** The live signed session of cookie value `id`, re-checked now; undefined when it ended. */
  async #getSigned(id: string): Promise<Session | undefined> {
    const c = verifySigned(id);
    if (!c || typeof c.n !== 'string' || typeof c.e !== 'number' || typeof c.l !== 'number') return undefined;
    const t = this.now();
    if (c.e <= t || c.l + SESSION_IDLE_MS <= t || loggedOut.has(c.n)) return undefined;
    if (c.v === 'oidc') {
      const endedAt = Math.max(
        (c.i && ssoEnded.sids.get(c.i)) || Number.NEGATIVE_INFINITY,
        ssoEnded.subjects.get(c.s) ?? Number.NEGATIVE_INFINITY,
      );
      if (endedAt >= c.c) return undefined;
    }
    if (c.t !== null) {
      const token = await findSessionTokenState(this.store, c.t);
      if (!token || token.revokedAt !== null || (token.expiresAt !== null && token.expiresAt.getTime() <= t))
        return undefined;
    }
    let principal: Principal;
    try {
      principal = {
        subject: c.s,
        role: c.r,
        scope: parseScope(c.sc),
        via: c.v,
        ...(c.t ? { tokenId: c.t } : {}),
      };
    } catch {
      return undefined;
    }
    const renewed = t - c.l >= 60_000 ? sign({ ...c, l: t }) : undefined;
    return { principal, csrf: csrfOf(c.n), expiresAt: c.e, signed: true, renewed };
  }

  /** The live session of cookie value `id`; an ended one is deleted and answers undefined. */
  async get(id: string | undefined): Promise<Session | undefined> {
    if (id?.startsWith(SIGNED_PREFIX) && id.length <= 4096) return this.#getSigned(id);
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
    if (
      principal &&
      row.via === 'oidc' &&
      row.refreshDueAt &&
      row.refreshDueAt.getTime() <= t &&
      this.refresher
    )
      principal = await this.#refreshed(idHash, row, principal);
    if (!principal) {
      this.refresher?.memory.delete(idHash);
      await deleteDashboardSession(this.store, idHash).catch(() => false);
      return undefined;
    }
    await touchDashboardSession(this.store, idHash, new Date(t)).catch(() => false);
    return { principal, csrf, expiresAt: row.expiresAt.getTime() };
  }

  async delete(id: string | undefined): Promise<void> {
    if (id?.startsWith(SIGNED_PREFIX)) {
      const c = verifySigned(id);
      const t = this.now();
      for (const [n, end] of loggedOut) if (end <= t) loggedOut.delete(n);
      if (c && typeof c.n === 'string') loggedOut.set(c.n, c.e);
      return;
    }
    if (id && id.length <= 100) {
      this.refresher?.memory.delete(sha256(id));
      await deleteDashboardSession(this.store, sha256(id));
    }
  }

  /** Time until the next refresh: the configured interval, or the access token's lifetime when shorter. */
  #intervalMs(expiresIn: number | undefined): number {
    const interval = this.refresher?.intervalMs ?? Number.POSITIVE_INFINITY;
    return Math.max(1000, Math.min(interval, expiresIn === undefined ? interval : expiresIn * 1000));
  }

  /** The session's principal after its due refresh; concurrent callers in this process share one. */
  #refreshed(idHash: string, row: DashboardSessionRow, principal: Principal): Promise<Principal | undefined> {
    let p = refreshing.get(idHash);
    if (!p) {
      p = this.#refresh(idHash, row, principal).finally(() => refreshing.delete(idHash));
      refreshing.set(idHash, p);
    }
    return p;
  }

  async #refresh(
    idHash: string,
    row: DashboardSessionRow,
    principal: Principal,
  ): Promise<Principal | undefined> {
    const r = this.refresher as SessionRefresher;
    const log = r.logger;
    const t = this.now();
    // The lease: only one process refreshes; a session another one is refreshing keeps its claims.
    let claim: { refreshToken: string | null } | undefined;
    try {
      claim = await claimSessionRefresh(this.store, idHash, new Date(t), new Date(t + REFRESH_LEASE_MS));
    } catch (err) {
      // A read-only store (a standby serving replicated sessions) cannot keep a rotated token: the
      // session keeps its claims here, and is re-checked by a process that can write.
      if (isReadOnlyRefusal(err)) return principal;
      throw err;
    }
    if (!claim) {
      // Not due any more (a refresh ended since this page read the row) or another process holds
      // the lease: the claims the row has now.
      const now = await findDashboardSession(this.store, idHash);
      if (!now) return undefined;
      try {
        return { ...principal, role: now.role, scope: parseScope(now.scopes) };
      } catch {
        return undefined;
      }
    }
    const token =
      claim.refreshToken !== null ? r.box?.open(claim.refreshToken, idHash) : r.memory.get(idHash)?.token;
    if (token === undefined) {
      log.warn('dashboard SSO session ended: its refresh token is not available to this process', {
        subject: row.subject,
        reason:
          claim.refreshToken !== null
            ? 'it does not decrypt with the configured server.sessionSecret'
            : 'no server.sessionSecret: the token was kept in the memory of a process that no longer has it',
      });
      return undefined;
    }
    const outcome = await r.flow.refresh(token, row.subject);
    const now = this.now();
    if (outcome.kind === 'refused') {
      log.info('dashboard SSO session ended: the issuer refused its refresh', {
        subject: row.subject,
        reason: outcome.reason,
      });
      return undefined;
    }
    if (outcome.kind === 'unreachable') {
      const checkedAt = (row.checkedAt ?? row.createdAt).getTime();
      const until = checkedAt + r.graceMs;
      if (now >= until) {
        log.warn('dashboard SSO session ended: the issuer could not confirm it within the grace', {
          subject: row.subject,
          reason: outcome.reason,
          lastConfirmed: new Date(checkedAt).toISOString(),
        });
        return undefined;
      }
      log.warn('dashboard SSO session refresh failed: the issuer is unreachable; the session goes on', {
        subject: row.subject,
        reason: outcome.reason,
        until: new Date(until).toISOString(),
      });
      await finishSessionRefresh(this.store, idHash, {
        dueAt: new Date(now + Math.min(REFRESH_RETRY_MS, r.intervalMs)),
      });
      return principal;
    }
    const next = outcome.principal ?? principal;
    let sealed: string | null | undefined;
    if (outcome.refreshToken !== undefined) {
      if (r.box) sealed = r.box.seal(outcome.refreshToken, idHash);
      else r.memory.set(idHash, { token: outcome.refreshToken, expiresAt: row.expiresAt.getTime() });
    }
    await finishSessionRefresh(this.store, idHash, {
      dueAt: new Date(now + this.#intervalMs(outcome.expiresIn)),
      claims: {
        role: next.role,
        scopes: formatScope(next.scope),
        checkedAt: new Date(now),
        refreshToken: sealed,
      },
    });
    if (
      next.role !== principal.role ||
      formatScope(next.scope).join() !== formatScope(principal.scope).join()
    )
      log.info('dashboard SSO session claims changed at the issuer', {
        subject: row.subject,
        role: next.role,
        scopes: formatScope(next.scope),
      });
    return next;
  }

  /**
   * Ends the SSO sessions a verified back-channel logout token names (issuer session `sid`, else
   * every session of `subject`), unless its `jti` was seen before: then `replayed` and nothing ends.
   */
  async endSso(logout: {
    subject?: string | undefined;
    sid?: string | undefined;
    jti: string;
    expiresAt: number;
  }): Promise<{ replayed: boolean; ended: number }> {
    const t = this.now();
    for (const [jti, end] of seenLogoutTokens) if (end <= t) seenLogoutTokens.delete(jti);
    if (seenLogoutTokens.has(logout.jti)) return { replayed: true, ended: 0 };
    let ended = 0;
    try {
      if (!(await recordLogoutToken(this.store, logout.jti, new Date(logout.expiresAt))))
        return { replayed: true, ended: 0 };
      ended = await deleteSsoSessions(
        this.store,
        logout.sid !== undefined ? { sid: logout.sid } : { subject: logout.subject },
      );
    } catch (err) {
      if (!isReadOnlyRefusal(err)) throw err;
      seenLogoutTokens.set(logout.jti, logout.expiresAt);
    }
    // Signed sessions (made while the store refused writes) end in this process.
    if (logout.sid !== undefined) ssoEnded.sids.set(logout.sid, t);
    else if (logout.subject !== undefined) ssoEnded.subjects.set(logout.subject, t);
    return { replayed: false, ended };
  }

  async #sweep(): Promise<void> {
    const t = this.now();
    if (t - (lastSweep.get(this.store) ?? Number.NEGATIVE_INFINITY) < SWEEP_INTERVAL_MS) return;
    lastSweep.set(this.store, t);
    await deleteEndedDashboardSessions(this.store, new Date(t), new Date(t - SESSION_IDLE_MS));
    const memory = this.refresher?.memory;
    for (const [h, m] of memory ?? []) if (m.expiresAt <= t) memory?.delete(h);
  }
}
