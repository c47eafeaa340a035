// What the dashboard's handlers share: the stored sessions on the deps' clock, the session cookie,
// the `next` rule (a local path only) and the error page (a message, never a stack trace).
import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import type { AppEnv } from '../context.js';
import { html } from './html.js';
import { SESSION_COOKIE, SESSION_TTL_MS, SessionStore } from './sessions.js';
import { refresherFor, type SessionRefresher } from './sso-flow.js';

/** The stored sessions, on the deps' clock. */
export function sessionsOf(c: Context<AppEnv>): SessionStore {
  const deps = c.var.deps;
  let refresher: SessionRefresher | undefined;
  try {
    refresher = refresherFor(deps.config, deps.logger);
  } catch {
    refresher = undefined; // a misconfigured SSO is reported by its pages (sso.ts)
  }
  return new SessionStore(deps.store, () => (deps.now?.() ?? new Date()).getTime(), refresher);
}

/** Sets the session cookie of a new session (HttpOnly, SameSite=Strict, Secure under TLS). */
export function setSessionCookie(c: Context<AppEnv>, id: string, expiresAt?: number): void {
  const now = (c.var.deps.now?.() ?? new Date()).getTime();
  setCookie(c, SESSION_COOKIE, id, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: secure(c),
    path: '/',
    maxAge: Math.max(
      0,
      Math.floor(expiresAt === undefined ? SESSION_TTL_MS / 1000 : (expiresAt - now) / 1000),
    ),
  });
}

export function secure(c: Context<AppEnv>): boolean {
  return new URL(c.req.url).protocol === 'https:';
}

/** Where to go after login: a local path only (never `//host` or a URL: no open redirect). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) && next.length < 2000 ? next : '/';
}

export function errorPage(
  c: Context<AppEnv>,
  status: 400 | 401 | 403 | 404 | 500 | 502 | 503,
  message: string,
) {
  return c.html(
    `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><title>${String(status)} · Runsight</title><link rel="stylesheet" href="/static/dashboard.css"></head><body><main id="main"><h1>${status === 404 ? 'Not found' : `Error ${status}`}</h1><p class="error">${message}</p><p><a href="/">Overview</a></p></main></body></html>`}`,
    status,
  );
}
