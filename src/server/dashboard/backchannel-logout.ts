// OIDC back-channel logout (OpenID Connect Back-Channel Logout 1.0; docs/api.md "Dashboard"): the
// issuer POSTs `logout_token=JWT` (application/x-www-form-urlencoded) to
// /login/oidc/backchannel-logout when a user signs out there or is disabled. The token is checked
// as §2.6 says — signature by a key of the issuer's JWKS (the one discovery names; RS256, ES256,
// PS256 or EdDSA), `iss` = server.oidc.issuer, `aud` = server.oidc.clientId, `iat` recent, `exp`
// when present, a `jti`, an `events` claim holding the back-channel-logout event, a `sid` or a
// `sub`, and no `nonce` (so an ID token cannot pass for one) — and a `jti` seen before is refused.
// Then the SSO sessions it names end: those of issuer session `sid`, or every SSO session of `sub`.
// Answers 200 (Cache-Control: no-store) or 400 `{error, error_description}`; no cookie, no CSRF:
// the caller is the issuer, proven by the signature.
import type { Context } from 'hono';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { durationToMs } from '../../core/duration.js';
import { discover, OIDC_ALGORITHMS, type OidcConfig } from '../auth/index.js';
import type { AppEnv } from '../context.js';
import type { SessionStore } from './sessions.js';

export const BACKCHANNEL_LOGOUT_PATH = '/login/oidc/backchannel-logout';
export const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** Oldest `iat` accepted (a logout token is sent as the user signs out, not replayed later). */
const MAX_TOKEN_AGE_S = 600;
const MAX_BODY_BYTES = 32 * 1024;

export type LogoutClaims = { sub?: string | undefined; sid?: string | undefined; jti: string; exp: number };
export type LogoutCheck = { ok: true; claims: LogoutClaims } | { ok: false; reason: string };

export interface LogoutTokenVerifier {
  verify(jwt: string, now?: Date): Promise<LogoutCheck>;
}

/** A verifier of logout tokens from `config.issuer` for `config.clientId` (keys fetched on first use). */
export function createLogoutTokenVerifier(config: OidcConfig & { clientId: string }): LogoutTokenVerifier {
  const skewMs = config.clockSkew === undefined ? 60_000 : (durationToMs(config.clockSkew) ?? 60_000);
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const keySet = () => {
    if (!keys) {
      keys = discover(config.issuer, 10_000).then((uri) =>
        createRemoteJWKSet(uri, { timeoutDuration: 5_000, cooldownDuration: 30_000 }),
      );
      keys.catch(() => {
        keys = undefined;
      });
    }
    return keys;
  };
  return {
    async verify(jwt, now = new Date()) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(jwt, await keySet(), {
          issuer: config.issuer,
          audience: config.clientId,
          algorithms: [...OIDC_ALGORITHMS],
          clockTolerance: Math.round(skewMs / 1000),
          requiredClaims: ['iat', 'jti'],
          maxTokenAge: MAX_TOKEN_AGE_S,
          currentDate: now,
        }));
      } catch (err) {
        const e = err as Error & { claim?: string; reason?: string };
        return {
          ok: false,
          reason: e.claim
            ? `the "${e.claim}" claim is not accepted (${e.reason ?? e.message})`
            : `the logout token could not be verified (${e.message})`,
        };
      }
      const events = payload.events;
      if (
        !events ||
        typeof events !== 'object' ||
        Array.isArray(events) ||
        typeof (events as Record<string, unknown>)[LOGOUT_EVENT] !== 'object' ||
        (events as Record<string, unknown>)[LOGOUT_EVENT] === null
      )
        return { ok: false, reason: `the "events" claim does not hold ${LOGOUT_EVENT}` };
      if ('nonce' in payload) return { ok: false, reason: 'a logout token must not carry a nonce' };
      const sub = typeof payload.sub === 'string' && payload.sub ? payload.sub : undefined;
      const sid = typeof payload.sid === 'string' && payload.sid ? payload.sid : undefined;
      if (!sub && !sid) return { ok: false, reason: 'the logout token names neither a "sid" nor a "sub"' };
      if (typeof payload.jti !== 'string' || !payload.jti || payload.jti.length > 256)
        return { ok: false, reason: 'the "jti" claim is not a usable token id' };
      const exp =
        typeof payload.exp === 'number'
          ? payload.exp * 1000
          : ((payload.iat as number) + MAX_TOKEN_AGE_S) * 1000 + skewMs;
      return { ok: true, claims: { sub, sid, jti: payload.jti, exp } };
    },
  };
}

const verifiers = new WeakMap<OidcConfig, LogoutTokenVerifier>();

function refuse(c: Context<AppEnv>, description: string) {
  c.header('Cache-Control', 'no-store');
  return c.json({ error: 'invalid_request', error_description: description }, 400);
}

export async function backchannelLogout(c: Context<AppEnv>, sessions: SessionStore): Promise<Response> {
  const config = c.var.deps.config.server?.oidc;
  const clientId = config?.clientId;
  if (!config || !clientId) {
    c.header('Cache-Control', 'no-store');
    return c.json({ error: 'not_found', error_description: 'single sign-on is not configured' }, 404);
  }
  const type = c.req.header('content-type') ?? '';
  const length = Number(c.req.header('content-length') ?? '0');
  if (!type.startsWith('application/x-www-form-urlencoded') || length > MAX_BODY_BYTES)
    return refuse(c, 'send logout_token as application/x-www-form-urlencoded, under 32 KiB');
  const text = await c.req.text();
  if (text.length > MAX_BODY_BYTES) return refuse(c, 'the request body is over 32 KiB');
  const token = new URLSearchParams(text).get('logout_token');
  if (!token) return refuse(c, 'the request carries no logout_token');
  let verifier = verifiers.get(config);
  if (!verifier) {
    verifier = createLogoutTokenVerifier({ ...config, clientId });
    verifiers.set(config, verifier);
  }
  const check = await verifier.verify(token, c.var.deps.now?.() ?? new Date());
  if (!check.ok) return refuse(c, check.reason);
  const { sub, sid, jti, exp } = check.claims;
  const subject = sub ? `oidc:${sub}` : undefined;
  c.set('auditSubject', subject ?? `oidc-sid:${sid}`);
  const done = await sessions.endSso({ subject, sid, jti, expiresAt: exp });
  if (done.replayed) return refuse(c, 'this logout token was used before (jti)');
  c.var.deps.logger.info('dashboard sessions ended by back-channel logout', {
    subject: subject ?? '-',
    sid: sid ?? '-',
    ended: done.ended,
  });
  c.header('Cache-Control', 'no-store');
  return c.body(null, 200);
}
