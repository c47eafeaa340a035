// The web dashboard (issue #18, docs/api.md "Dashboard"): server-rendered pages on the API's app,
// registered as one middleware ahead of the API's bearer authentication. It answers only its own
// method + path pairs (ROUTES; none under /api) and passes every other request on, so the API and
// its 401s are unchanged and the API's route enumeration does not see the pages.
//
// A page accepts `Authorization: Bearer …` like the API, or the session cookie set by /login
// (a token pasted into the form) or by /login/oidc/callback (SSO, sso.ts; the issuer ends SSO
// sessions by POST /login/oidc/backchannel-logout, backchannel-logout.ts); without either it
// redirects to /login. Sessions live in the store, or in a signed cookie when the store is
// read-only (sessions.ts). Every page carries DASHBOARD_CSP (no inline script).

import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { decodeJwt } from 'jose';
import type { Principal } from '../../core/access.js';
import { InputError } from '../../core/errors.js';
import { NotFoundError } from '../../views/index.js';
import type { App } from '../app.js';
import { isAuthFailure, WWW_AUTHENTICATE } from '../auth/index.js';
import type { AppEnv } from '../context.js';
import { BACKCHANNEL_LOGOUT_PATH, backchannelLogout } from './backchannel-logout.js';
import { containerPage, imagePage, validatePage, vulnerabilityPage } from './detail-pages.js';
import { escapeText, layout } from './html.js';
import { loginHtml } from './login-page.js';
import { overviewPage, prioritiesPage } from './overview-page.js';
import { type Page, type PageContext, PageInputError } from './page-context.js';
import { posturePage } from './posture-page.js';
import { REPORT_DOWNLOAD_PATH, reportDownload } from './report-download.js';
import { errorPage, safeNext, secure, sessionsOf, setSessionCookie } from './respond.js';
import { LOGIN_CSRF_COOKIE, randomToken, SESSION_COOKIE, type SessionStore, sameToken } from './sessions.js';
import { sourcesPage } from './sources-page.js';
import { isSsoPath, ssoRequest } from './sso.js';
import { staticResponse } from './static-assets.js';

export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/** Largest login or logout form body read. */
const MAX_FORM_BYTES = 32 * 1024;

type Render = (ctx: PageContext, param: string) => Promise<Page>;

/** The pages: GET path pattern → renderer (the one capture, URL-decoded, is its parameter). */
const PAGES: [RegExp, Render][] = [
  [/^\/$/, (ctx) => overviewPage(ctx)],
  [/^\/overview\/priorities$/, (ctx) => prioritiesPage(ctx)],
  [/^\/posture$/, (ctx) => posturePage(ctx)],
  [/^\/validate$/, (ctx) => validatePage(ctx)],
  [/^\/sources$/, (ctx) => sourcesPage(ctx)],
  [/^\/vulnerabilities\/([^/]+)$/, vulnerabilityPage],
  [/^\/containers\/([^/]+)$/, containerPage],
  [/^\/images\/([^/]+)$/, imagePage],
];

/** Whether the dashboard answers this request (else it goes on to the API). */
export function isDashboardRequest(method: string, path: string): boolean {
  if (path === '/login') return method === 'GET' || method === 'POST';
  if (path === '/logout' || path === BACKCHANNEL_LOGOUT_PATH) return method === 'POST';
  if (method !== 'GET') return false;
  if (isSsoPath(path)) return true;
  if (path === REPORT_DOWNLOAD_PATH) return true;
  return path === '/favicon.ico' || path.startsWith('/static/') || PAGES.some(([re]) => re.test(path));
}

export function registerDashboard(app: App): void {
  app.use('*', async (c, next) => {
    const { method } = c.req;
    const path = c.req.path;
    if (!isDashboardRequest(method, path)) return next();
    // No icon of its own: an empty answer rather than the API's 401 for the browser's automatic request.
    if (path === '/favicon.ico')
      return new Response(null, { status: 204, headers: { 'cache-control': 'public, max-age=86400' } });
    if (path.startsWith('/static/'))
      return staticResponse(path.slice('/static/'.length), c.req.header('if-none-match'));
    const sessions = sessionsOf(c);
    if (path === BACKCHANNEL_LOGOUT_PATH) return backchannelLogout(c, sessions);
    c.header('Content-Security-Policy', DASHBOARD_CSP);
    c.header('Cache-Control', 'no-store');
    if (isSsoPath(path)) return ssoRequest(c, sessions);
    if (path === '/login') return method === 'GET' ? loginForm(c) : login(c, sessions);
    if (path === '/logout') return logout(c, sessions);
    return page(c, sessions);
  });
}

function loginForm(c: Context<AppEnv>, error?: string, status: 200 | 400 | 401 | 403 | 503 = 200) {
  const csrf = randomToken();
  setCookie(c, LOGIN_CSRF_COOKIE, csrf, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: secure(c),
    path: '/login',
    maxAge: 3600,
  });
  const sso = c.var.deps.config.server?.oidc?.clientId !== undefined;
  return c.html(loginHtml(csrf, safeNext(c.req.query('next')), error, sso), status);
}

async function readForm(c: Context<AppEnv>): Promise<Record<string, string> | undefined> {
  const length = Number(c.req.header('content-length') ?? 'NaN');
  if (!(length <= MAX_FORM_BYTES)) return undefined;
  const type = c.req.header('content-type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) return undefined;
  const text = await c.req.text();
  if (text.length > MAX_FORM_BYTES) return undefined;
  return Object.fromEntries(new URLSearchParams(text));
}

async function login(c: Context<AppEnv>, sessions: SessionStore) {
  const form = await readForm(c);
  if (!form)
    return loginForm(c, 'Send the login form (application/x-www-form-urlencoded, under 32 KiB).', 400);
  if (!sameToken(form.csrf, getCookie(c, LOGIN_CSRF_COOKIE)))
    return loginForm(c, 'The form expired or came from elsewhere: sign in again.', 403);
  const authorization = `Bearer ${(form.token ?? '').trim()}`;
  const who = await c.var.deps.authenticate(authorization);
  if (isAuthFailure(who)) {
    if (who.subject) c.set('auditSubject', who.subject);
    return loginForm(c, who.message, who.status);
  }
  c.set('principal', who);
  // A pasted ID token's session ends when the token does (an API token's: when it is revoked or expires).
  const notAfter = who.via === 'oidc' ? idTokenExpiry(form.token ?? '') : undefined;
  const { id } = await sessions.create(who, notAfter);
  setSessionCookie(c, id);
  setCookie(c, LOGIN_CSRF_COOKIE, '', {
    httpOnly: true,
    sameSite: 'Strict',
    secure: secure(c),
    path: '/login',
    maxAge: 0,
  });
  return c.redirect(safeNext(form.next), 303);
}

/** The `exp` of a (verified) JWT in ms, or undefined. */
function idTokenExpiry(jwt: string): number | undefined {
  try {
    const { exp } = decodeJwt(jwt.trim());
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

async function logout(c: Context<AppEnv>, sessions: SessionStore) {
  const id = getCookie(c, SESSION_COOKIE);
  const session = await sessions.get(id);
  const form = await readForm(c);
  if (session) {
    if (!form || !sameToken(form.csrf, session.csrf))
      return errorPage(c, 403, 'The logout form expired or came from elsewhere.');
    c.set('principal', session.principal);
    await sessions.delete(id);
  }
  setCookie(c, SESSION_COOKIE, '', {
    httpOnly: true,
    sameSite: 'Strict',
    secure: secure(c),
    path: '/',
    maxAge: 0,
  });
  return c.redirect('/login', 303);
}

async function page(c: Context<AppEnv>, sessions: SessionStore) {
  const deps = c.var.deps;
  let principal: Principal;
  let csrf: string | undefined;
  const authorization = c.req.header('authorization');
  if (authorization) {
    const who = await deps.authenticate(authorization);
    if (isAuthFailure(who)) {
      if (who.status === 401) c.header('WWW-Authenticate', WWW_AUTHENTICATE);
      if (who.subject) c.set('auditSubject', who.subject);
      return errorPage(c, who.status, who.message);
    }
    principal = who;
  } else {
    // An ended session (expired, idle, logged out, its API token revoked or expired) answers none.
    const session = await sessions.get(getCookie(c, SESSION_COOKIE));
    if (!session) {
      // A script's request (it asks for JSON, not a page) gets a 401 rather than the login page.
      const accept = c.req.header('accept') ?? '';
      if (accept.includes('json') && !accept.includes('text/html')) {
        c.header('WWW-Authenticate', WWW_AUTHENTICATE);
        return c.json({ error: 'unauthorized', message: 'the session has ended: sign in again' }, 401);
      }
      const url = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
    }
    principal = session.principal;
    csrf = session.csrf;
    if (session.renewed) setSessionCookie(c, session.renewed, session.expiresAt);
  }
  c.set('principal', principal);
  const url = new URL(c.req.url);
  const ctx: PageContext = { deps, principal, url, now: deps.now?.() ?? new Date() };
  try {
    if (c.req.path === REPORT_DOWNLOAD_PATH) return await reportDownload(ctx);
    for (const [re, render] of PAGES) {
      const m = re.exec(c.req.path);
      if (!m) continue;
      let param = '';
      try {
        param = m[1] === undefined ? '' : decodeURIComponent(m[1]);
      } catch {
        throw new PageInputError('the address is not valid percent-encoding');
      }
      const { title, body, head } = await render(ctx, param);
      // A panel loaded after first paint (web/fragments.js) asks for the main content alone.
      if (c.req.header('x-runsight-fragment') === '1') return c.html(String(body));
      return c.html(layout({ title, principal, csrf, body, head }));
    }
    return errorPage(c, 404, `no page ${c.req.path}`);
  } catch (err) {
    if (err instanceof NotFoundError) return errorPage(c, 404, err.message);
    if (err instanceof PageInputError || err instanceof InputError) return errorPage(c, 400, err.message);
    deps.logger.error('dashboard page failed', {
      path: escapeText(c.req.path).slice(0, 300),
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
    return errorPage(c, 500, 'The page could not be built; the server log has the details.');
  }
}
