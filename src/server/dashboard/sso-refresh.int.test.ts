// Dashboard SSO sessions re-checked with the issuer's refresh token (ADR 0023), against the real
// loopback issuer (test-support/oidc-issuer.ts: refresh grant with rotation, revocation, `down`).
// The app's clock is moved past server.oidc.refreshSeconds; the next page refreshes the claims:
// changed groups apply from that page on; a revoked grant signs the user out (303 to /login for a
// page, 401 for a JSON request); an unreachable issuer keeps the session with a warning until the
// grace; two concurrent pages make one refresh; refresh tokens are encrypted at rest, never logged.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../core/logger.js';
import { openStore, type Store } from '../../store/index.js';
import { type App, createApp } from '../app.js';
import { authenticate, createAuthDeps, type OidcConfig } from '../auth/index.js';
import { startTestIssuer, type TestIssuer } from '../test-support/oidc-issuer.js';

const REDIRECT = 'http://runsight.test/login/oidc/callback';
const SECRET = 'h5-test-session-secret-0123456789abcdef';
let issuer: TestIssuer;
let store: Store;
let skew = 0;
const logs: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
const logger: Logger = {
  debug() {},
  info: (msg, fields = {}) => logs.push({ level: 'info', msg, fields }),
  warn: (msg, fields = {}) => logs.push({ level: 'warn', msg, fields }),
  error: (msg, fields = {}) => logs.push({ level: 'error', msg, fields }),
};

function oidcConfig(): OidcConfig {
  return {
    issuer: issuer.url,
    audience: 'runsight-api',
    clientId: issuer.clientId,
    clientSecret: 's3cret',
    redirectUrl: REDIRECT,
    refreshSeconds: 300,
    refreshGraceSeconds: 900,
    mappings: [
      { group: 'sre', role: 'admin' },
      { group: 'shop-team', role: 'viewer', scopes: ['namespace=shop'] },
      { group: 'pay-team', role: 'viewer', scopes: ['namespace=pay'] },
    ],
  };
}

function makeApp(sessionSecret: string | undefined, more: Partial<OidcConfig> = {}): App {
  const oidc = { ...oidcConfig(), ...more };
  const auth = createAuthDeps(store, oidc);
  return createApp({
    store,
    config: { server: { oidc, ...(sessionSecret ? { sessionSecret } : {}) } },
    authenticate: (h) => authenticate(auth, h),
    logger,
    now: () => new Date(Date.now() + skew),
  });
}

beforeAll(async () => {
  issuer = await startTestIssuer({ redirectUrl: REDIRECT, clientSecret: 's3cret' });
  store = await openStore({ dataDir: 'memory://' });
});
afterAll(async () => {
  await store?.close();
  await issuer?.close();
});
beforeEach(() => {
  issuer.down = false;
  issuer.refreshAnswersIdToken = true;
  issuer.userinfoSubject = undefined;
  logs.length = 0;
});

function cookieOf(r: Response, name: string): string | undefined {
  for (const line of r.headers.getSetCookie()) {
    const pair = line.split(';')[0]!;
    const i = pair.indexOf('=');
    if (pair.slice(0, i) === name) return pair.slice(i + 1);
  }
  return undefined;
}

/** A full SSO sign-in of `sub` with `groups`: the session cookie's value. */
async function signIn(app: App, sub: string, groups: string[]): Promise<string> {
  issuer.user = { sub, groups };
  const start = await app.request('/login/oidc?next=%2Fsources');
  expect(start.status).toBe(302);
  const back = await fetch(start.headers.get('location')!, { redirect: 'manual' });
  const callback = new URL(back.headers.get('location')!);
  const done = await app.request(`${callback.pathname}${callback.search}`, {
    headers: { cookie: `rs_oidc=${cookieOf(start, 'rs_oidc')}` },
  });
  expect(done.status, await done.clone().text()).toBe(200);
  return cookieOf(done, 'rs_session')!;
}

const page = (app: App, cookie: string, accept?: string) =>
  app.request('/sources', { headers: { cookie: `rs_session=${cookie}`, ...(accept ? { accept } : {}) } });

async function sessionRow(subject: string) {
  return store.db
    .selectFrom('dashboard_sessions')
    .selectAll()
    .where('subject', '=', subject)
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
}

describe('dashboard SSO session refresh', () => {
  it('applies groups changed at the issuer from the first page after the refresh is due', async () => {
    const app = makeApp(SECRET);
    const cookie = await signIn(app, 'alice', ['shop-team']);
    const row = await sessionRow('oidc:alice');
    expect(row.refresh_token, 'the refresh token is stored encrypted').toMatch(/^v1:/);
    expect(row.refresh_due_at).not.toBeNull();

    issuer.groups.set('alice', ['pay-team']);
    const before = await page(app, cookie);
    expect(await before.text(), 'not due yet: the sign-in claims').toContain('scope namespaces=shop');
    expect(issuer.refreshes).toBe(0);

    skew += 301_000;
    const after = await page(app, cookie);
    const text = await after.text();
    expect(after.status).toBe(200);
    expect(text).toContain('scope namespaces=pay');
    expect(text).not.toContain('scope namespaces=shop');
    expect(issuer.refreshes).toBe(1);
    const refreshed = await sessionRow('oidc:alice');
    expect(refreshed.scopes).toEqual(['namespace=pay']);
    expect(refreshed.refresh_token, 'the rotated token replaced the old one').not.toBe(row.refresh_token);

    // Groups that no longer map to any role end the session at the next refresh.
    issuer.groups.set('alice', ['contractors']);
    skew += 301_000;
    expect((await page(app, cookie)).status).toBe(303);
  });

  it('takes the claims from UserInfo when a refresh answers no ID token, and ends a session whose UserInfo names another user', async () => {
    const app = makeApp(SECRET);
    const cookie = await signIn(app, 'uma', ['shop-team']);
    issuer.refreshAnswersIdToken = false;
    issuer.groups.set('uma', ['pay-team']);
    const asked = issuer.userinfoRequests;
    skew += 301_000;
    const after = await page(app, cookie);
    expect(after.status).toBe(200);
    const text = await after.text();
    expect(text).toContain('scope namespaces=pay');
    expect(text).not.toContain('scope namespaces=shop');
    expect(issuer.userinfoRequests).toBe(asked + 1);
    expect((await sessionRow('oidc:uma')).scopes).toEqual(['namespace=pay']);

    // OpenID Connect Core §5.3.2: a UserInfo answer for another subject must not be used.
    issuer.userinfoSubject = 'mallory';
    skew += 301_000;
    expect((await page(app, cookie)).status).toBe(303);
    expect(
      logs.some((l) => /refused its refresh/.test(l.msg) && /another subject/.test(String(l.fields.reason))),
    ).toBe(true);
  });

  it('a revoked grant signs the user out at the next refresh: 303 to /login for a page, 401 for JSON', async () => {
    const app = makeApp(SECRET);
    const a = await signIn(app, 'bob', ['sre']);
    const b = await signIn(app, 'bob', ['sre']);
    expect((await page(app, a)).status).toBe(200);
    issuer.revoke('bob');
    skew += 301_000;
    const r = await page(app, a);
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toMatch(/^\/login\?next=/);
    expect(issuer.refusals.at(-1)).toBe('invalid_grant');
    const api = await page(app, b, 'application/json');
    expect(api.status).toBe(401);
    expect(((await api.json()) as { error: string }).error).toBe('unauthorized');
    expect(
      await store.db.selectFrom('dashboard_sessions').where('subject', '=', 'oidc:bob').selectAll().execute(),
    ).toEqual([]);
  });

  it('an unreachable issuer keeps the session with a warning, until the grace after the last confirmation', async () => {
    const app = makeApp(SECRET);
    const cookie = await signIn(app, 'carol', ['sre']);
    issuer.down = true;
    skew += 301_000;
    const r = await page(app, cookie);
    expect(r.status).toBe(200);
    const warning = logs.find((l) => l.level === 'warn' && /unreachable/.test(l.msg));
    expect(warning?.fields).toMatchObject({ subject: 'oidc:carol' });
    // Still down past the grace (900 s after sign-in): the session ends.
    skew += 700_000;
    expect((await page(app, cookie)).status).toBe(303);
    expect(logs.some((l) => l.level === 'warn' && /within the grace/.test(l.msg))).toBe(true);
  });

  it('two concurrent pages make one refresh (the rotated token is used once) and both see the new claims', async () => {
    const app = makeApp(SECRET);
    const cookie = await signIn(app, 'dave', ['shop-team']);
    issuer.groups.set('dave', ['sre']);
    const refusals = issuer.refusals.length;
    const refreshes = issuer.refreshes;
    skew += 301_000;
    const [x, y] = await Promise.all([page(app, cookie), page(app, cookie)]);
    expect([x.status, y.status]).toEqual([200, 200]);
    for (const text of [await x.text(), await y.text()]) expect(text).toContain('all scopes');
    expect(issuer.refreshes - refreshes).toBe(1);
    expect(issuer.refusals.slice(refusals)).toEqual([]);
    // And the next due refresh works with the rotated token.
    skew += 301_000;
    expect((await page(app, cookie)).status).toBe(200);
    expect(issuer.refreshes - refreshes).toBe(2);
  });

  it('without a session secret the refresh token is kept in memory only, and a process without it ends the session', async () => {
    const app = makeApp(undefined);
    const cookie = await signIn(app, 'erin', ['shop-team']);
    expect((await sessionRow('oidc:erin')).refresh_token, 'nothing at rest').toBeNull();
    issuer.groups.set('erin', ['pay-team']);
    skew += 301_000;
    expect(await (await page(app, cookie)).text()).toContain('scope namespaces=pay');
    // A process with a key cannot use a token it never held (another process, or after a restart).
    const other = await signIn(app, 'erin', ['shop-team']);
    skew += 301_000;
    const keyed = makeApp(SECRET);
    expect((await page(keyed, other)).status).toBe(303);
  });

  it('asks for offline_access only when configured; a shorter access token lifetime shortens the interval', async () => {
    const scopeOf = async (app: App) =>
      new URL((await app.request('/login/oidc')).headers.get('location')!).searchParams
        .get('scope')!
        .split(' ');
    expect(await scopeOf(makeApp(SECRET))).not.toContain('offline_access');
    expect(await scopeOf(makeApp(SECRET, { offlineAccess: true }))).toContain('offline_access');

    issuer.accessTokenSeconds = 60;
    try {
      const app = makeApp(SECRET);
      const cookie = await signIn(app, 'gina', ['sre']);
      const row = await sessionRow('oidc:gina');
      expect(new Date(row.refresh_due_at!).getTime() - new Date(row.created_at).getTime()).toBe(60_000);
      const refreshes = issuer.refreshes;
      skew += 61_000;
      expect((await page(app, cookie)).status).toBe(200);
      expect(issuer.refreshes - refreshes).toBe(1);
    } finally {
      issuer.accessTokenSeconds = 600;
    }
  });

  it('never logs a refresh token, nor stores one in plaintext', async () => {
    const app = makeApp(SECRET);
    const cookie = await signIn(app, 'frank', ['sre']);
    issuer.down = true;
    skew += 301_000;
    await page(app, cookie);
    issuer.down = false;
    skew += 31_000;
    await page(app, cookie); // refreshed: a rotated token
    issuer.revoke('frank');
    skew += 301_000;
    expect((await page(app, cookie)).status).toBe(303);
    expect(
      logs.filter((l) => l.level === 'warn').length,
      'the unreachable issuer was logged',
    ).toBeGreaterThan(0);
    expect(logs.some((l) => /refused its refresh/.test(l.msg))).toBe(true);
    const logged = JSON.stringify(logs);
    const stored = JSON.stringify(await store.db.selectFrom('dashboard_sessions').selectAll().execute());
    expect(issuer.issuedRefreshTokens.length).toBeGreaterThan(0);
    for (const t of issuer.issuedRefreshTokens) {
      expect(logged).not.toContain(t);
      expect(stored).not.toContain(t);
    }
  });
});
