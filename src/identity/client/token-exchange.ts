// Registry authentication (distribution/docs/spec/auth/token.md, oauth.md): learns the registry's
// WWW-Authenticate challenge from a 401, then authorises each request — Basic with the resolved
// credentials, a configured bearer token as is, or a bearer token fetched from the challenge's realm
// for the request's scope (GET with Basic or anonymous, or POST with an identity/refresh token),
// cached per (realm, service, scope) until shortly before expiry, one fetch in flight per key.

import type { Logger } from '../../core/logger.js';
import { AuthError, RegistryError, RegistryUnavailableError } from '../errors.js';
import { tokenResponseSchema } from '../schema.js';
import type { CredentialResolver, Credentials } from './credentials.js';
import { causeText } from './error-mapping.js';
import { loggableUrl } from './transport.js';
import { type Challenge, parseWwwAuthenticate } from './www-authenticate.js';

export interface TokenExchangeOptions {
  registry: string;
  credentials: CredentialResolver;
  /** Time allowed for the token server's response. */
  timeoutMs: number;
  userAgent: string;
  /** Token requests are logged at debug level (method, URL without query, status, ms). */
  logger?: Logger | undefined;
}

export class TokenExchange {
  private readonly registry: string;
  private readonly resolve: CredentialResolver;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly logger: Logger | undefined;
  private challenge: Challenge | undefined;
  private readonly tokens = new Map<string, { value: string; expiresAt: number }>();
  private readonly tokenRequests = new Map<string, Promise<string>>();

  constructor(opts: TokenExchangeOptions) {
    this.registry = opts.registry;
    this.resolve = opts.credentials;
    this.timeoutMs = opts.timeoutMs;
    this.userAgent = opts.userAgent;
    this.logger = opts.logger;
  }

  /** The credentials found for this registry, if any. */
  credentials(): Promise<Credentials | undefined> {
    return this.resolve(this.registry);
  }

  /** The Authorization header for a request of `scope`, or undefined before any challenge (anonymous). */
  async authorization(
    scope: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    const ch = this.challenge;
    if (!ch) return undefined;
    const creds = await this.credentials();
    if (ch.scheme === 'basic')
      return creds?.kind === 'basic' ? basicHeader(creds.username, creds.password) : undefined;
    if (ch.scheme === 'bearer') {
      if (creds?.kind === 'token') return `Bearer ${creds.token}`;
      return `Bearer ${await this.token(ch, scope, creds, signal)}`;
    }
    return undefined;
  }

  /**
   * Takes the challenge of a 401 answer to `what`: a new Bearer realm forgets every token; a repeat
   * challenge after an authorised request drops that scope's token. Throws AuthError when the
   * registry offers neither Bearer nor Basic.
   */
  acceptChallenge(header: string, what: string, scope: string | undefined, hadAuth: boolean): void {
    const challenges = parseWwwAuthenticate(header);
    const ch = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
    if (!ch)
      throw new AuthError(
        `${this.registry} answered 401 to ${what} without a Bearer or Basic challenge (WWW-Authenticate: ${header || 'absent'})`,
        { registry: this.registry, status: 401 },
      );
    if (ch.scheme === 'bearer' && ch.params.realm !== this.challenge?.params.realm) this.tokens.clear();
    else if (hadAuth) this.tokens.delete(tokenKey(ch, scope));
    this.challenge = ch;
  }

  private async token(
    ch: Challenge,
    scope: string | undefined,
    creds: Credentials | undefined,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const key = tokenKey(ch, scope);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.value;
    let pending = this.tokenRequests.get(key);
    if (!pending) {
      pending = this.fetchToken(ch, scope, creds, signal).finally(() => this.tokenRequests.delete(key));
      this.tokenRequests.set(key, pending);
    }
    const value = await pending;
    return value;
  }

  private async fetchToken(
    ch: Challenge,
    scope: string | undefined,
    creds: Credentials | undefined,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const realm = ch.params.realm;
    if (!realm)
      throw new AuthError(
        `${this.registry} sent a Bearer challenge without a realm; expected realm="https://…/token"`,
        { registry: this.registry, status: 401 },
      );
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new AuthError(`${this.registry} sent a Bearer realm that is not a URL: ${realm}`, {
        registry: this.registry,
        status: 401,
      });
    }
    const service = ch.params.service;
    const scopes = [scope ?? ch.params.scope].filter((s): s is string => Boolean(s));
    const headers: Record<string, string> = { 'user-agent': this.userAgent, accept: 'application/json' };
    let init: RequestInit;
    if (creds?.kind === 'identity') {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.identityToken,
        client_id: 'runsight',
      });
      if (service) form.set('service', service);
      if (scopes.length) form.set('scope', scopes.join(' '));
      init = {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      };
    } else {
      if (service) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      if (creds?.kind === 'basic') headers.authorization = basicHeader(creds.username, creds.password);
      init = { method: 'GET', headers };
    }
    const issuedAt = Date.now();
    let res: Response;
    const t0 = performance.now();
    const logged = { method: init.method, url: loggableUrl(url.toString()) };
    try {
      res = await fetch(url, { ...init, redirect: 'follow', signal: timeoutSignal(this.timeoutMs, signal) });
      this.logger?.debug('registry token request', {
        ...logged,
        status: res.status,
        ms: Math.round(performance.now() - t0),
      });
    } catch (err) {
      this.logger?.debug('registry token request', {
        ...logged,
        error: causeText(err),
        ms: Math.round(performance.now() - t0),
      });
      throw new RegistryUnavailableError(
        `token server ${url.origin} for ${this.registry} could not be reached: ${causeText(err)}`,
        { registry: this.registry, cause: err },
      );
    }
    const text = await res.text().catch(() => '');
    if (res.status === 401 || res.status === 403)
      throw new AuthError(
        `token server ${url.origin} refused ${creds ? `the credentials from ${creds.origin}` : 'an anonymous token'} for ${scopes.join(' ') || 'the registry'} (HTTP ${res.status}); ${creds ? 'check the username and password' : 'log in (docker login, or registries.<host> in the Runsight config)'}`,
        { registry: this.registry, status: res.status },
      );
    if (!res.ok)
      throw new RegistryError(
        `token server ${url.origin} answered HTTP ${res.status}: ${text.slice(0, 200)}`,
        { registry: this.registry, status: res.status },
      );
    let parsed: {
      token?: string | undefined;
      access_token?: string | undefined;
      expires_in?: number | undefined;
    };
    try {
      parsed = tokenResponseSchema.parse(JSON.parse(text));
    } catch (err) {
      throw new AuthError(
        `token server ${url.origin} answered without a token (expected JSON {token} or {access_token}): ${(err as Error).message}`,
        { registry: this.registry },
      );
    }
    const value = (parsed.token ?? parsed.access_token)!;
    const ttl = Math.max(parsed.expires_in ?? 60, 10) * 1000;
    this.tokens.set(tokenKey(ch, scope), { value, expiresAt: issuedAt + ttl - 5000 });
    return value;
  }
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function tokenKey(ch: Challenge, scope: string | undefined): string {
  return `${ch.params.realm} ${ch.params.service ?? ''} ${scope ?? ''}`;
}

function timeoutSignal(ms: number, signal?: AbortSignal): AbortSignal {
  const t = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([t, signal]) : t;
}
