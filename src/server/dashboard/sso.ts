// Dashboard SSO (docs/api.md "Dashboard"): `/login/oidc` sends the browser to the issuer with a
// fresh state, nonce and PKCE challenge (src/server/auth/oidc-login.ts); the three values and the
// page to return to wait in an HttpOnly cookie limited to /login/oidc for ten minutes (SameSite=Lax:
// the issuer's redirect back is a cross-site navigation). `/login/oidc/callback` checks the answer,
// exchanges the code, verifies the ID token and maps its groups like a Bearer JWT, then stores a
// session (with the issuer's refresh token, if any, for re-checks: sessions.ts, ADR 0023). The callback answers a small page that moves on to `next` by itself: a SameSite=Strict
// session cookie is not sent on the rest of a redirect chain that began at the issuer.
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { type OidcLogin, OidcLoginError } from '../auth/index.js';
import type { AppEnv } from '../context.js';
import { html } from './html.js';
import { errorPage, safeNext, secure, setSessionCookie } from './respond.js';
import type { SessionStore } from './sessions.js';
import { ssoFor } from './sso-flow.js';

export const SSO_START_PATH = '/login/oidc';
export const SSO_CALLBACK_PATH = '/login/oidc/callback';
const PENDING_COOKIE = 'rs_oidc';

export function isSsoPath(path: string): boolean {
  return path === SSO_START_PATH || path === SSO_CALLBACK_PATH;
}

export async function ssoRequest(c: Context<AppEnv>, sessions: SessionStore): Promise<Response> {
  let flow: OidcLogin | undefined;
  try {
    flow = ssoFor(c.var.deps.config.server?.oidc);
  } catch (err) {
    return errorPage(c, 503, `Single sign-on is misconfigured: ${(err as Error).message}`);
  }
  if (!flow)
    return errorPage(
      c,
      404,
      'Single sign-on is not configured on this server (server.oidc.clientId and redirectUrl).',
    );
  try {
    return c.req.path === SSO_START_PATH ? await start(c, flow) : await callback(c, flow, sessions);
  } catch (err) {
    if (err instanceof OidcLoginError) return errorPage(c, err.status, err.message);
    c.var.deps.logger.error('dashboard sign-in failed', {
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
    return errorPage(c, 500, 'The sign-in could not be completed; the server log has the details.');
  }
}

async function start(c: Context<AppEnv>, flow: OidcLogin): Promise<Response> {
  const { url, pending } = await flow.start();
  const next = Buffer.from(safeNext(c.req.query('next'))).toString('base64url');
  setCookie(c, PENDING_COOKIE, [pending.state, pending.nonce, pending.codeVerifier, next].join('.'), {
    httpOnly: true,
    sameSite: 'Lax',
    secure: secure(c),
    path: SSO_START_PATH,
    maxAge: 600,
  });
  return c.redirect(url, 302);
}

async function callback(c: Context<AppEnv>, flow: OidcLogin, sessions: SessionStore): Promise<Response> {
  const parts = (getCookie(c, PENDING_COOKIE) ?? '').split('.');
  setCookie(c, PENDING_COOKIE, '', {
    httpOnly: true,
    sameSite: 'Lax',
    secure: secure(c),
    path: SSO_START_PATH,
    maxAge: 0,
  });
  const [state, nonce, codeVerifier, nextB64] = parts;
  if (parts.length !== 4 || !state || !nonce || !codeVerifier)
    return errorPage(c, 400, 'This sign-in expired or was started in another browser: sign in again.');
  const result = await flow.finish(c.req.query(), { state, nonce, codeVerifier });
  switch (result.kind) {
    case 'unmapped':
      c.set('auditSubject', result.subject);
      return errorPage(c, 403, `You are signed in at the identity provider, but ${result.reason}.`);
    case 'invalid':
      return errorPage(c, 401, `The identity provider's answer was refused: ${result.reason}.`);
    case 'unavailable':
      return errorPage(c, 503, result.reason);
  }
  c.set('principal', result.principal);
  // The issuer's session id goes with it: a back-channel logout naming it ends this session.
  // The refresh token (when the issuer granted one) lets the server re-check the claims (ADR 0023).
  const { id } = await sessions.create(
    result.principal,
    undefined,
    result.sid,
    result.refreshToken ? { token: result.refreshToken, expiresIn: result.expiresIn } : undefined,
  );
  setSessionCookie(c, id);
  const next = safeNext(Buffer.from(nextB64 ?? '', 'base64url').toString());
  return c.html(
    `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${next}"><title>Signed in · Runsight</title><link rel="stylesheet" href="/static/dashboard.css"></head><body><main id="main"><h1>Signed in</h1><p>Signed in as ${result.principal.subject}. <a href="${next}">Continue</a></p></main></body></html>`}`,
  );
}
