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

export interface OidcLogin {
  start(): Promise<{ url: string; pending: OidcLoginPending }>;
  /** The callback's query (`code`, `state`, or `error`) checked against `pending`. */
  finish(query: Record<string, string | undefined>, pending: OidcLoginPending): Promise<OidcResult>;
}

interface Endpoints {
  authorization: string;
  token: string;
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
      url.searchParams.set('scope', 'openid profile email');
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
      const headers: Record<string, string> = {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      };
      if (clientSecret)
        headers.authorization = `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`;
      else body.set('client_id', clientId);
      let res: Response;
      try {
        res = await fetch(ep.token, {
          method: 'POST',
          headers,
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (err) {
        throw new OidcLoginError(503, `the token endpoint could not be reached: ${(err as Error).message}`);
      }
      let doc: { id_token?: unknown; error?: unknown; error_description?: unknown };
      try {
        doc = (await res.json()) as typeof doc;
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
      return verifier.verify(doc.id_token, { nonce: pending.nonce });
    },
  };
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
  let doc: { issuer?: unknown; authorization_endpoint?: unknown; token_endpoint?: unknown };
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
  return { authorization: a, token: t };
}
