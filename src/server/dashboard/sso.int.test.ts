// Dashboard SSO end to end against a real OIDC issuer started on loopback (test-support/
// oidc-issuer.ts: discovery, JWKS, /authorize, /token checking the PKCE verifier). The browser is
// played by hand through the Hono app in-process: /login offers SSO, /login/oidc redirects to the
// issuer, its redirect comes back to /login/oidc/callback, which stores a session whose role and
// scope come from server.oidc.mappings. Refusals: a user with no mapped group (403), a forged
// state (400), a wrong code verifier and a replayed code (the issuer refuses: 502), a denied sign-in.
// Back-channel logout: logout tokens signed by the issuer end the sessions of their sid or sub; a
// replayed jti and tokens that are not valid logout tokens (key, aud, iss, events, nonce, iat) are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { openStore, type Store } from '../../store/index.js';
import { type App, createApp } from '../app.js';
import { authenticate, createAuthDeps, type OidcConfig } from '../auth/index.js';
import { startTestIssuer, type TestIssuer } from '../test-support/oidc-issuer.js';

const REDIRECT = 'http://runsight.test/login/oidc/callback';
let issuer: TestIssuer;
let store: Store;
let app: App;

beforeAll(async () => {
  issuer = await startTestIssuer({ redirectUrl: REDIRECT, clientSecret: 's3cret' });
  store = await openStore({ dataDir: 'memory://' });
  const oidc: OidcConfig = {
    issuer: issuer.url,
    audience: 'runsight-api',
    clientId: issuer.clientId,
    clientSecret: 's3cret',
    redirectUrl: REDIRECT,
    mappings: [
      { group: 'sre', role: 'admin' },
      { group: 'shop-team', role: 'viewer', scopes: ['namespace=shop'] },
    ],
  };
  const auth = createAuthDeps(store, oidc);
  app = createApp({
    store,
    config: { server: { oidc } },
    authenticate: (h) => authenticate(auth, h),
    logger: silentLogger,
  });
});
afterAll(async () => {
  await store?.close();
  await issuer?.close();
});

function cookies(r: Response): Record<string, { value: string; line: string }> {
  const out: Record<string, { value: string; line: string }> = {};
  for (const line of r.headers.getSetCookie()) {
    const pair = line.split(';')[0]!;
    const i = pair.indexOf('=');
    out[pair.slice(0, i)] = { value: pair.slice(i + 1), line };
  }
  return out;
}

/** /login/oidc → the issuer's /authorize → the callback address; answers what the callback needs. */
async function startSignIn(next = '/') {
  const start = await app.request(`/login/oidc?next=${encodeURIComponent(next)}`);
  expect(start.status).toBe(302);
  const pending = cookies(start).rs_oidc!;
  const authorize = new URL(start.headers.get('location')!);
  const back = await fetch(authorize, { redirect: 'manual' });
  expect(back.status).toBe(302);
  const callback = new URL(back.headers.get('location')!);
  return { authorize, pending, callback };
}

function callbackRequest(callback: URL, pendingValue: string) {
  return app.request(`${callback.pathname}${callback.search}`, {
    headers: { cookie: `rs_oidc=${pendingValue}` },
  });
}

describe('dashboard SSO', () => {
  it('signs in through the issuer with PKCE, state and nonce; the session carries the mapped scope', async () => {
    const login = await (await app.request('/login')).text();
    expect(login).toContain('href="/login/oidc?next=%2F"');
    expect(login).toContain('Sign in with SSO');

    issuer.user = { sub: 'alice', groups: ['staff', 'shop-team'] };
    const { authorize, pending, callback } = await startSignIn('/sources');
    expect(authorize.origin + authorize.pathname).toBe(`${issuer.url}/authorize`);
    const q = authorize.searchParams;
    expect(q.get('client_id')).toBe('runsight-dashboard');
    expect(q.get('redirect_uri')).toBe(REDIRECT);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('scope')).toContain('openid');
    expect(pending.line).toMatch(/HttpOnly/);
    expect(pending.line).toMatch(/SameSite=Lax/);
    expect(pending.line).toMatch(/Path=\/login\/oidc/);
    expect(pending.value).not.toContain(q.get('code_challenge')); // the verifier, not the challenge
    expect(callback.pathname).toBe('/login/oidc/callback');

    const done = await callbackRequest(callback, pending.value);
    const doneText = await done.text();
    expect(done.status, doneText).toBe(200);
    expect(doneText).toContain('content="0;url=/sources"');
    expect(doneText).toContain('oidc:alice');
    const session = cookies(done).rs_session!;
    expect(session.line).toMatch(/HttpOnly/);
    expect(session.line).toMatch(/SameSite=Strict/);
    expect(cookies(done).rs_oidc!.line).toMatch(/Max-Age=0/);

    const row = await store.db
      .selectFrom('dashboard_sessions')
      .selectAll()
      .where('subject', '=', 'oidc:alice')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ role: 'viewer', scopes: ['namespace=shop'], via: 'oidc', token_id: null });
    const page = await app.request('/sources', { headers: { cookie: `rs_session=${session.value}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('oidc:alice');

    // The code is good once: replaying the callback is refused by the issuer.
    const again = await callbackRequest(callback, pending.value);
    expect(again.status).toBe(502);
    expect(issuer.refusals.at(-1)).toBe('invalid_grant');
  });

  it('a user whose groups map to no role gets a 403 page and no session', async () => {
    issuer.user = { sub: 'mallory', groups: ['contractors'] };
    const { pending, callback } = await startSignIn();
    const r = await callbackRequest(callback, pending.value);
    const text = await r.text();
    expect(r.status).toBe(403);
    expect(text).toContain('no server.oidc mapping matches');
    expect(text).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect(cookies(r).rs_session).toBeUndefined();
  });

  it('refuses a forged state, a wrong PKCE verifier and a denied sign-in', async () => {
    issuer.user = { sub: 'alice', groups: ['sre'] };
    const a = await startSignIn();
    const forged = new URL(a.callback);
    forged.searchParams.set('state', 'x'.repeat(43));
    const r1 = await callbackRequest(forged, a.pending.value);
    expect(r1.status).toBe(400);
    expect(await r1.text()).toContain('does not belong to this browser');

    // Flow b's code presented with a's state and nonce but another flow's verifier.
    const b = await startSignIn();
    const c = await startSignIn();
    const [state, nonce, , next] = b.pending.value.split('.');
    const otherVerifier = c.pending.value.split('.')[2];
    const refusalsBefore = issuer.refusals.length;
    const r2 = await callbackRequest(b.callback, [state, nonce, otherVerifier, next].join('.'));
    expect(r2.status).toBe(502);
    expect(issuer.refusals.slice(refusalsBefore)).toEqual(['invalid_grant']);
    expect(cookies(r2).rs_session).toBeUndefined();

    const r3 = await app.request('/login/oidc/callback?code=abc&state=s');
    expect(r3.status).toBe(400);
    expect(await r3.text()).toContain('sign in again');

    issuer.user = undefined;
    const d = await startSignIn();
    const r4 = await callbackRequest(d.callback, d.pending.value);
    expect(r4.status).toBe(400);
    expect(await r4.text()).toContain('access_denied');
  });

  /** A full SSO sign-in of `sub`: the session cookie's value and the issuer's sid for it. */
  async function signIn(sub: string): Promise<{ cookie: string; sid: string }> {
    issuer.user = { sub, groups: ['sre'] };
    const { pending, callback } = await startSignIn('/sources');
    const done = await callbackRequest(callback, pending.value);
    expect(done.status).toBe(200);
    return { cookie: cookies(done).rs_session!.value, sid: issuer.lastSid! };
  }
  const pageStatus = async (cookie: string) =>
    (await app.request('/sources', { headers: { cookie: `rs_session=${cookie}` } })).status;
  function logout(token: string, type = 'application/x-www-form-urlencoded') {
    const body = new URLSearchParams({ logout_token: token }).toString();
    return app.request('/login/oidc/backchannel-logout', {
      method: 'POST',
      body,
      headers: { 'content-type': type, 'content-length': String(Buffer.byteLength(body)) },
    });
  }
  const EVENTS = { 'http://schemas.openid.net/event/backchannel-logout': {} };
  const claims = (more: Record<string, unknown>) => ({
    iss: issuer.url,
    aud: issuer.clientId,
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 120,
    jti: `j-${Math.random().toString(36).slice(2)}`,
    events: EVENTS,
    ...more,
  });

  it('back-channel logout: a logout token naming a sid ends that session only; a replay is refused', async () => {
    const a = await signIn('carol');
    const b = await signIn('carol');
    expect(a.sid).not.toBe(b.sid);
    const row = await store.db
      .selectFrom('dashboard_sessions')
      .select('sid')
      .where('sid', '=', a.sid)
      .executeTakeFirst();
    expect(row?.sid, 'the session keeps the ID token sid').toBe(a.sid);
    expect(await pageStatus(a.cookie)).toBe(200);

    const token = await issuer.sign(claims({ sub: 'carol', sid: a.sid }), { typ: 'logout+jwt' });
    const r = await logout(token);
    expect(r.status, await r.clone().text()).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(await pageStatus(a.cookie), 'the named session ended').toBe(303);
    expect(await pageStatus(b.cookie), 'the other session of carol stays').toBe(200);

    const again = await logout(token);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error_description: string }).error_description).toContain(
      'used before',
    );

    // A sub-only token ends every SSO session of that user.
    const c = await signIn('carol');
    const other = await signIn('dave');
    expect(await pageStatus(c.cookie)).toBe(200);
    const bySub = await logout(await issuer.sign(claims({ sub: 'carol' })));
    expect(bySub.status).toBe(200);
    expect(await pageStatus(b.cookie)).toBe(303);
    expect(await pageStatus(c.cookie)).toBe(303);
    expect(await pageStatus(other.cookie), "dave's session is not carol's").toBe(200);
  });

  it('back-channel logout refuses a token that is not a valid logout token, and ends nothing', async () => {
    const s = await signIn('erin');
    const cases: [string, string, string][] = [
      ['another key', await issuer.sign(claims({ sub: 'erin' }), { foreignKey: true }), 'verified'],
      ['another audience', await issuer.sign(claims({ sub: 'erin', aud: 'someone-else' })), '"aud"'],
      ['another issuer', await issuer.sign(claims({ sub: 'erin', iss: 'https://evil.example' })), '"iss"'],
      ['no events', await issuer.sign(claims({ sub: 'erin', events: undefined })), 'events'],
      [
        'another event',
        await issuer.sign(claims({ sub: 'erin', events: { 'https://example/other': {} } })),
        'events',
      ],
      ['a nonce (an ID token)', await issuer.sign(claims({ sub: 'erin', nonce: 'n' })), 'nonce'],
      ['neither sid nor sub', await issuer.sign(claims({})), 'neither'],
      ['no jti', await issuer.sign(claims({ sub: 'erin', jti: undefined })), '"jti"'],
      [
        'issued an hour ago',
        await issuer.sign(claims({ sub: 'erin', iat: Math.floor(Date.now() / 1000) - 3600 })),
        '"iat"',
      ],
      ['not a JWT', 'abc.def.ghi', 'verified'],
    ];
    for (const [what, token, says] of cases) {
      const r = await logout(token);
      const body = (await r.json()) as { error: string; error_description: string };
      expect(r.status, what).toBe(400);
      expect(body.error, what).toBe('invalid_request');
      expect(body.error_description, what).toContain(says);
    }
    expect((await logout(await issuer.sign(claims({ sub: 'erin' })), 'application/json')).status).toBe(400);
    expect(await pageStatus(s.cookie), 'nothing ended').toBe(200);
  });

  it('without a client configured there is no SSO button and /login/oidc is a 404 page', async () => {
    const plain = createApp({
      store,
      config: { server: { oidc: { issuer: issuer.url, audience: 'runsight-api', mappings: [] } } },
      authenticate: async () => ({ status: 401, message: 'no' }),
      logger: silentLogger,
    });
    expect(await (await plain.request('/login')).text()).not.toContain('Sign in with SSO');
    const r = await plain.request('/login/oidc');
    expect(r.status).toBe(404);
    expect(await r.text()).toContain('not configured');
  });
});
