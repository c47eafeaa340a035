// A real OpenID Connect issuer for tests, on loopback (node:http): discovery, JWKS, and the
// authorization code flow with PKCE — /authorize checks the client and redirect URI and remembers
// the code challenge (S256 only) and nonce; /token checks the code (once only, ten minutes), the
// redirect URI, the client (secret by client_secret_basic when one is registered) and that
// BASE64URL(SHA-256(code_verifier)) equals the challenge (RFC 7636 §4.6), then answers an ID token
// signed RS256 with iss, aud = client id, sub, groups, nonce and a ten-minute exp.
// The user who "signs in" at /authorize is `issuer.user` (set by the test).
// Refresh tokens (ADR 0023): the code exchange also answers a refresh token; the refresh_token grant
// answers a new ID token with the user's groups as `issuer.groups` holds them now, and rotates the
// token (the used one is refused from then on: invalid_grant). `revoke(sub)` refuses a user's
// tokens; `down` makes the issuer drop every connection (an unreachable issuer). With
// `refreshAnswersIdToken` false a refresh answers no ID token, and the claims come from /userinfo
// (the access token's user, groups as `issuer.groups` holds them; `userinfoSubject` overrides `sub`).
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface TestIssuer {
  url: string;
  clientId: string;
  clientSecret: string | undefined;
  redirectUrl: string;
  /** Who signs in at /authorize; `undefined` makes /authorize answer error=access_denied. */
  user: { sub: string; groups: string[] } | undefined;
  /** Token requests refused so far, with the OAuth error code. */
  refusals: string[];
  /** The issuer's session id (`sid`) put in the last ID token issued. */
  lastSid: string | undefined;
  /** Each user's groups now (set at sign-in from `user`; a test changes them to see a refresh apply). */
  groups: Map<string, string[]>;
  /** Refresh grants answered with new tokens so far. */
  refreshes: number;
  /** Every refresh token issued (a test checks none reaches a log or the store in plaintext). */
  issuedRefreshTokens: string[];
  /** Whether the code exchange answers a refresh token (default true). */
  grantRefreshTokens: boolean;
  /** The access token's `expires_in` (default 600). */
  accessTokenSeconds: number;
  /** Whether a refresh answers an ID token (default true); false: the claims come from /userinfo. */
  refreshAnswersIdToken: boolean;
  /** When set, /userinfo answers this `sub` (a test of an answer naming another user). */
  userinfoSubject: string | undefined;
  /** UserInfo requests answered so far. */
  userinfoRequests: number;
  /** True: every connection is dropped (the issuer is unreachable). */
  down: boolean;
  /** Refuses every refresh token of `sub` from now on (a revoked grant or a disabled user). */
  revoke(sub: string): void;
  /** A JWT with `claims` signed by the issuer's key (or by `foreignKey`: another key), for logout tokens. */
  sign(claims: Record<string, unknown>, opts?: { foreignKey?: boolean; typ?: string }): Promise<string>;
  close(): Promise<void>;
}

interface Grant {
  challenge: string;
  nonce: string | undefined;
  redirectUri: string;
  sub: string;
  groups: string[];
  at: number;
}

export async function startTestIssuer(opts: {
  redirectUrl: string;
  clientId?: string;
  clientSecret?: string;
}): Promise<TestIssuer> {
  const pair = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const grants = new Map<string, Grant>();
  const refreshTokens = new Map<string, { sub: string; sid: string }>();
  const accessTokens = new Map<string, string>();
  const issuer: TestIssuer = {
    url: '',
    clientId: opts.clientId ?? 'runsight-dashboard',
    clientSecret: opts.clientSecret,
    redirectUrl: opts.redirectUrl,
    user: undefined,
    refusals: [],
    lastSid: undefined,
    groups: new Map(),
    refreshes: 0,
    issuedRefreshTokens: [],
    grantRefreshTokens: true,
    accessTokenSeconds: 600,
    refreshAnswersIdToken: true,
    userinfoSubject: undefined,
    userinfoRequests: 0,
    down: false,
    revoke(sub) {
      for (const [t, r] of refreshTokens) if (r.sub === sub) refreshTokens.delete(t);
    },
    async sign(claims, o = {}) {
      const key = o.foreignKey ? (await generateKeyPair('RS256')).privateKey : pair.privateKey;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1', ...(o.typ ? { typ: o.typ } : {}) })
        .sign(key);
    },
    close: () => new Promise((r) => server.close(() => r())),
  };

  function json(res: import('node:http').ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  }

  async function tokenRequest(req: IncomingMessage): Promise<[number, unknown]> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString());
    const refuse = (error: string): [number, unknown] => {
      issuer.refusals.push(error);
      return [error === 'invalid_client' ? 401 : 400, { error }];
    };
    let clientId = form.get('client_id');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (basic) {
      const [id, secret] = Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent);
      if (id !== issuer.clientId || secret !== issuer.clientSecret) return refuse('invalid_client');
      clientId = id;
    } else if (issuer.clientSecret !== undefined) return refuse('invalid_client');
    if (clientId !== issuer.clientId) return refuse('invalid_client');
    if (form.get('grant_type') === 'refresh_token') {
      const old = form.get('refresh_token') ?? '';
      const r = refreshTokens.get(old);
      refreshTokens.delete(old); // rotated: good once
      if (!r) return refuse('invalid_grant');
      issuer.refreshes++;
      const answer = await tokens(r.sub, issuer.groups.get(r.sub) ?? [], r.sid, undefined);
      if (!issuer.refreshAnswersIdToken) delete answer.id_token;
      return [200, answer];
    }
    if (form.get('grant_type') !== 'authorization_code') return refuse('unsupported_grant_type');
    const code = form.get('code') ?? '';
    const grant = grants.get(code);
    grants.delete(code); // a code is good once
    if (!grant || Date.now() - grant.at > 600_000) return refuse('invalid_grant');
    if (form.get('redirect_uri') !== grant.redirectUri) return refuse('invalid_grant');
    const verifier = form.get('code_verifier') ?? '';
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return refuse('invalid_grant');
    if (createHash('sha256').update(verifier, 'ascii').digest('base64url') !== grant.challenge)
      return refuse('invalid_grant');
    issuer.lastSid = randomBytes(8).toString('hex');
    return [200, await tokens(grant.sub, grant.groups, issuer.lastSid, grant.nonce)];
  }

  /** A token answer: ID token, access token and (when granted) a new refresh token. */
  async function tokens(sub: string, groups: string[], sid: string, nonce: string | undefined) {
    const idToken = await new SignJWT({ groups, sid, ...(nonce ? { nonce } : {}) })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(issuer.url)
      .setAudience(issuer.clientId)
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(pair.privateKey);
    const accessToken = randomBytes(16).toString('hex');
    accessTokens.set(accessToken, sub);
    const answer: Record<string, unknown> = {
      id_token: idToken,
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: issuer.accessTokenSeconds,
    };
    if (issuer.grantRefreshTokens) {
      const refresh = randomBytes(24).toString('base64url');
      refreshTokens.set(refresh, { sub, sid });
      issuer.issuedRefreshTokens.push(refresh);
      answer.refresh_token = refresh;
    }
    return answer;
  }

  const server = createServer((req, res) => {
    if (issuer.down) {
      req.socket.destroy();
      return;
    }
    const u = new URL(req.url ?? '/', issuer.url);
    if (u.pathname === '/.well-known/openid-configuration')
      return json(res, 200, {
        issuer: issuer.url,
        jwks_uri: `${issuer.url}/jwks`,
        authorization_endpoint: `${issuer.url}/authorize`,
        token_endpoint: `${issuer.url}/token`,
        userinfo_endpoint: `${issuer.url}/userinfo`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
      });
    if (u.pathname === '/jwks') return json(res, 200, { keys: [jwk] });
    if (u.pathname === '/userinfo') {
      const sub = accessTokens.get(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
      if (sub === undefined) return json(res, 401, { error: 'invalid_token' });
      issuer.userinfoRequests++;
      return json(res, 200, { sub: issuer.userinfoSubject ?? sub, groups: issuer.groups.get(sub) ?? [] });
    }
    if (u.pathname === '/authorize' && req.method === 'GET') {
      const q = u.searchParams;
      const redirectUri = q.get('redirect_uri') ?? '';
      // An unknown client or redirect URI is never redirected to (RFC 6749 §4.1.2.1).
      if (q.get('client_id') !== issuer.clientId || redirectUri !== issuer.redirectUrl)
        return json(res, 400, { error: 'invalid_request' });
      const back = new URL(redirectUri);
      if (q.get('state')) back.searchParams.set('state', q.get('state')!);
      const challenge = q.get('code_challenge') ?? '';
      if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !challenge)
        back.searchParams.set('error', 'invalid_request');
      else if (!issuer.user) back.searchParams.set('error', 'access_denied');
      else {
        const code = randomBytes(16).toString('base64url');
        grants.set(code, {
          challenge,
          nonce: q.get('nonce') ?? undefined,
          redirectUri,
          sub: issuer.user.sub,
          groups: issuer.user.groups,
          at: Date.now(),
        });
        issuer.groups.set(issuer.user.sub, [...issuer.user.groups]);
        back.searchParams.set('code', code);
      }
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (u.pathname === '/token' && req.method === 'POST') {
      tokenRequest(req).then(
        ([status, body]) => json(res, status, body),
        () => json(res, 500, { error: 'server_error' }),
      );
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  issuer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return issuer;
}
