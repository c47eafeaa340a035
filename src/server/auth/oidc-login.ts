// Dashboard sign-in through the OIDC issuer (`server.oidc` with clientId and redirectUrl; docs/api.md
// "Dashboard"): the authorization code flow of OpenID Connect Core 1.0 §3.1 with PKCE S256
// (RFC 7636), a `state` against forged callbacks and a `nonce` bound into the ID token.
//
// - start(): discovery (authorization_endpoint, token_endpoint; the document's issuer must equal
//   the configured one), fresh state, nonce and code verifier, and the URL to send the browser to.
//   The caller keeps the three values (an HttpOnly cookie) until the callback.
// - finish(): the callback's state must equal the kept one; the code is exchanged at the token
//   endpoint with the code verifier (client_secret_basic when a secret is configured, else a public
//   client); the ID token is verified by the same verifier as Bearer JWTs (oidc.ts: keys, algorithms,
//   issuer, expiry), with audience = clientId and the nonce — and mapped to a role and scope by the
//   same `server.oidc.mappings`.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../../core/access.js';
import { ConfigError } from '../../core/errors.js';
import { createOidcVerifier, type OidcConfig, type OidcResult, type OidcVerifierOptions } from './oidc.js';

export interface OidcLoginPending {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Why a sign-in could not go on; the message is safe to show (never a code or a token). */
export class OidcLoginError extends Error {
  constructor(
    readonly status: 400 | 502 | 503,
    message: string,
  ) {
    super(message);
    this.name = 'OidcLoginError';
  }
}

/** A sign-in's outcome, with the refresh token (a secret: never logged) when the issuer granted one. */
export type OidcSignIn = OidcResult & {
  refreshToken?: string | undefined;
  /** The access token's lifetime in seconds (`expires_in`), when the issuer said. */
  expiresIn?: number | undefined;
};

/** What a refresh of a session's claims with its refresh token gives (ADR 0023). */
export type OidcRefresh =
  /**
   * The issuer confirmed the session; `principal`: its claims now (undefined when the issuer
   * answered neither an ID token nor a UserInfo endpoint: the claims stay); `refreshToken`: the
   * rotated token when the issuer issued a new one.
   */
  | {
      kind: 'ok';
      principal?: Principal | undefined;
      refreshToken?: string | undefined;
      expiresIn?: number | undefined;
    }
  /** The issuer refused (invalid_grant: user disabled, token revoked) or the claims no longer map: the session ends. */
  | { kind: 'refused'; reason: string }
  /** The issuer could not be reached or failed (network, timeout, HTTP 5xx): the session may go on for a while. */
  | { kind: 'unreachable'; reason: string };

export interface OidcLogin {
  start(): Promise<{ url: string; pending: OidcLoginPending }>;
  /** The callback's query (`code`, `state`, or `error`) checked against `pending`. */
  finish(query: Record<string, string | undefined>, pending: OidcLoginPending): Promise<OidcSignIn>;
  /** Refreshes the claims of `subject`'s session with `refreshToken` at the token endpoint. */
  refresh(refreshToken: string, subject: string): Promise<OidcRefresh>;
}

interface Endpoints {
  authorization: string;
  token: string;
  userinfo?: string | undefined;
}

interface TokenAnswer {
  id_token?: unknown;
  access_token?: unknown;
  refresh_token?: unknown;
  expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
}

const TIMEOUT_MS = 10_000;

/** The SSO flow for `config`, or undefined when it names no clientId and redirectUrl. */
export function createOidcLogin(config: OidcConfig, opts: OidcVerifierOptions = {}): OidcLogin | undefined {
  const { clientId, clientSecret, redirectUrl } = config;
  if (!clientId && !redirectUrl) return undefined;
  if (!clientId || !redirectUrl || !URL.canParse(redirectUrl))
    throw new ConfigError(
      'server.oidc',
      'dashboard SSO needs both clientId and redirectUrl (a URL ending in /login/oidc/callback)',
    );
  const verifier = createOidcVerifier({ ...config, audience: clientId }, opts);
  let endpoints: Promise<Endpoints> | undefined;
  function discovered(): Promise<Endpoints> {
    if (!endpoints) {
      endpoints = discoverEndpoints(config.issuer);
      endpoints.catch(() => {
        endpoints = undefined;
      });
    }
    return endpoints;
  }

  return {
    async start() {
      const ep = await discovered();
      const pending = { state: random(), nonce: random(), codeVerifier: random() };
      const url = new URL(ep.authorization);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', clientId);
      url.searchParams.set('redirect_uri', redirectUrl);
      url.searchParams.set('scope', `openid profile email${config.offlineAccess ? ' offline_access' : ''}`);
      url.searchParams.set('state', pending.state);
      url.searchParams.set('nonce', pending.nonce);
      url.searchParams.set('code_challenge', challengeOf(pending.codeVerifier));
      url.searchParams.set('code_challenge_method', 'S256');
      return { url: url.href, pending };
    },

    async finish(query, pending) {
      if (!same(query.state, pending.state))
        throw new OidcLoginError(400, 'the sign-in answer does not belong to this browser: sign in again');
      if (query.error)
        throw new OidcLoginError(
          400,
          `the identity provider refused the sign-in: ${clean(query.error)}${query.error_description ? ` (${clean(query.error_description)})` : ''}`,
        );
      if (!query.code) throw new OidcLoginError(400, 'the sign-in answer carries no code: sign in again');
      const ep = await discovered();
      const body = new URLSearchParams({
        grant_type: 'authorization_code',
        code: query.code,
        redirect_uri: redirectUrl,
        code_verifier: pending.codeVerifier,
      });
      let res: Response;
      try {
        res = await tokenRequest(ep.token, body);
      } catch (err) {
        throw new OidcLoginError(503, `the token endpoint could not be reached: ${(err as Error).message}`);
      }
      let doc: TokenAnswer;
      try {
        doc = (await res.json()) as TokenAnswer;
      } catch {
        throw new OidcLoginError(502, `the token endpoint answered HTTP ${res.status} without JSON`);
      }
      if (!res.ok)
        throw new OidcLoginError(
          502,
          `the token endpoint refused the code (HTTP ${res.status}${typeof doc.error === 'string' ? `, ${clean(doc.error)}` : ''})`,
        );
      if (typeof doc.id_token !== 'string')
        throw new OidcLoginError(502, 'the token endpoint answered no id_token');
      const result = await verifier.verify(doc.id_token, { nonce: pending.nonce });
      return {
        ...result,
        ...(typeof doc.refresh_token === 'string' && doc.refresh_token
          ? { refreshToken: doc.refresh_token }
          : {}),
        ...(lifetimeOf(doc) !== undefined ? { expiresIn: lifetimeOf(doc) } : {}),
      };
    },

    async refresh(refreshToken, subject) {
      let ep: Endpoints;
      try {
        ep = await discovered();
      } catch (err) {
        return { kind: 'unreachable', reason: (err as Error).message };
      }
      let res: Response;
      let doc: TokenAnswer;
      try {
        res = await tokenRequest(
          ep.token,
          new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
        );
        doc = (await res.json().catch(() => ({}))) as TokenAnswer;
      } catch (err) {
        return {
          kind: 'unreachable',
          reason: `the token endpoint could not be reached: ${(err as Error).message}`,
        };
      }
      if (res.status >= 500 || res.status === 429)
        return { kind: 'unreachable', reason: `the token endpoint answered HTTP ${res.status}` };
      if (!res.ok)
        // RFC 6749 §5.2: invalid_grant is a revoked, expired or rotated-away token, or a disabled user.
        return {
          kind: 'refused',
          reason: `the token endpoint refused the refresh (HTTP ${res.status}${typeof doc.error === 'string' ? `, ${clean(doc.error)}` : ''})`,
        };
      const rotated =
        typeof doc.refresh_token === 'string' && doc.refresh_token ? doc.refresh_token : undefined;
      const more = {
        ...(rotated ? { refreshToken: rotated } : {}),
        ...(lifetimeOf(doc) !== undefined ? { expiresIn: lifetimeOf(doc) } : {}),
      };
      let claims: OidcResult | undefined;
      if (typeof doc.id_token === 'string') claims = await verifier.verify(doc.id_token);
      else if (ep.userinfo && typeof doc.access_token === 'string') {
        try {
          const u = await fetch(ep.userinfo, {
            headers: { authorization: `Bearer ${doc.access_token}`, accept: 'application/json' },
            redirect: 'error',
            signal: AbortSignal.timeout(TIMEOUT_MS),
          });
          if (u.status >= 500)
            return { kind: 'unreachable', reason: `the UserInfo endpoint answered HTTP ${u.status}` };
          if (!u.ok) return { kind: 'refused', reason: `the UserInfo endpoint answered HTTP ${u.status}` };
          claims = verifier.map((await u.json()) as Record<string, unknown>);
        } catch (err) {
          return {
            kind: 'unreachable',
            reason: `the UserInfo endpoint could not be reached: ${(err as Error).message}`,
          };
        }
      }
      if (!claims) return { kind: 'ok', ...more };
      switch (claims.kind) {
        case 'ok':
          // OpenID Connect Core §12.2: the refreshed claims are the same user's.
          if (claims.principal.subject !== subject)
            return { kind: 'refused', reason: 'the refreshed claims name another subject' };
          return { kind: 'ok', principal: claims.principal, ...more };
        case 'unmapped':
          return { kind: 'refused', reason: claims.reason };
        case 'invalid':
          return { kind: 'refused', reason: claims.reason };
        case 'unavailable':
          return { kind: 'unreachable', reason: claims.reason };
      }
    },
  };

  /** A POST to the token endpoint with the client's authentication (client_secret_basic, or client_id for a public client). */
  function tokenRequest(url: string, body: URLSearchParams): Promise<Response> {
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (clientSecret)
      headers.authorization = `Basic ${Buffer.from(`${formEncode(clientId as string)}:${formEncode(clientSecret)}`).toString('base64')}`;
    else body.set('client_id', clientId as string);
    return fetch(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  }
}

/** The access token's lifetime in seconds, when the answer states a sane one. */
function lifetimeOf(doc: TokenAnswer): number | undefined {
  const v = typeof doc.expires_in === 'string' ? Number(doc.expires_in) : doc.expires_in;
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

/** RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))). */
export function challengeOf(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier).digest('base64url');
}

function random(): string {
  return randomBytes(32).toString('base64url');
}

function same(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** RFC 6749 §2.3.1: client id and secret are form-encoded before Basic. */
function formEncode(s: string): string {
  return new URLSearchParams({ s }).toString().slice(2);
}

/** A provider's error text, shown on a page: printable, short. */
function clean(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
}

async function discoverEndpoints(issuer: string): Promise<Endpoints> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let doc: {
    issuer?: unknown;
    authorization_endpoint?: unknown;
    token_endpoint?: unknown;
    userinfo_endpoint?: unknown;
  };
  try {
    const res = await fetch(url, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: { accept: 'application/json' },
    });
    if (!res.ok) throw new Error(`answered HTTP ${res.status}`);
    doc = (await res.json()) as typeof doc;
  } catch (err) {
    throw new OidcLoginError(503, `OIDC discovery failed: ${url}: ${(err as Error).message}`);
  }
  if (doc.issuer !== issuer)
    throw new OidcLoginError(
      503,
      `${url} names the issuer ${JSON.stringify(doc.issuer)}, expected exactly ${JSON.stringify(issuer)} (server.oidc.issuer)`,
    );
  const { authorization_endpoint: a, token_endpoint: t } = doc;
  if (typeof a !== 'string' || !URL.canParse(a) || typeof t !== 'string' || !URL.canParse(t))
    throw new OidcLoginError(503, `${url} has no valid authorization_endpoint and token_endpoint`);
  const u = doc.userinfo_endpoint;
  return { authorization: a, token: t, ...(typeof u === 'string' && URL.canParse(u) ? { userinfo: u } : {}) };
}
