// Dashboard sessions: the login form's token is verified once (the same authenticate as the API),
// then only a random session id travels in the cookie; the server maps it to the verified
// principal, the token (kept in this process's memory only, so every page checks it again through
// the same cached authentication: a revoked or expired token ends its session within the
// verification cache's 60 s) and the session's CSRF token. Held in memory for this slice: a
// restart signs everyone out and sessions are not shared between replicas.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../../core/access.js';

export const SESSION_COOKIE = 'rs_session';
/** The pre-login CSRF cookie (double submit: the login form carries the same value). */
export const LOGIN_CSRF_COOKIE = 'rs_login_csrf';
export const SESSION_TTL_MS = 8 * 3600e3;
/** At most this many live sessions; the oldest is dropped first. */
const MAX_SESSIONS = 10_000;

export interface Session {
  principal: Principal;
  /** The `Bearer …` the user signed in with, checked again on every page. */
  authorization: string;
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

export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  constructor(private readonly now: () => number = Date.now) {}

  create(principal: Principal, authorization: string): { id: string; session: Session } {
    this.#sweep();
    while (this.#sessions.size >= MAX_SESSIONS) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest === undefined) break;
      this.#sessions.delete(oldest);
    }
    const id = randomToken();
    const session = { principal, authorization, csrf: randomToken(), expiresAt: this.now() + SESSION_TTL_MS };
    this.#sessions.set(id, session);
    return { id, session };
  }

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.#sessions.get(id);
    if (s && s.expiresAt <= this.now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return s;
  }

  delete(id: string | undefined): void {
    if (id) this.#sessions.delete(id);
  }

  #sweep(): void {
    const t = this.now();
    for (const [id, s] of this.#sessions) if (s.expiresAt <= t) this.#sessions.delete(id);
  }
}
