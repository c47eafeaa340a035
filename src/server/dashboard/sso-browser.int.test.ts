// Dashboard SSO in headless Chromium (playwright-core, /usr/bin/chromium) against the loopback test
// issuer (test-support/oidc-issuer.ts), the server addressed as `localhost` and the issuer as
// `127.0.0.1`: two sites, so the return from the issuer is a real cross-site navigation. The
// browser clicks "Sign in with SSO", follows the issuer's redirects, lands on the page it asked for
// signed in with the mapped role (the SameSite=Strict session cookie is sent), and logs out.
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { openStore, type Store } from '../../store/index.js';
import { probeOrSkip } from '../../test-support/require-or-skip.js';
import { createApp } from '../app.js';
import { authenticate, createAuthDeps, type OidcConfig } from '../auth/index.js';
import { type RunningServer, startServer } from '../serve.js';
import { startTestIssuer, type TestIssuer } from '../test-support/oidc-issuer.js';

const CHROMIUM = '/usr/bin/chromium';
const browserWorks = await probeOrSkip(`headless Chromium at ${CHROMIUM}`, async () => {
  const b = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  await b.close();
  return true;
});

let issuer: TestIssuer;
let store: Store;
let server: RunningServer;
let base = '';

beforeAll(async () => {
  if (!browserWorks) return;
  issuer = await startTestIssuer({ redirectUrl: 'http://placeholder.invalid/' });
  store = await openStore({ dataDir: 'memory://' });
  const oidc: OidcConfig = {
    issuer: issuer.url,
    audience: 'runsight-api',
    clientId: issuer.clientId,
    redirectUrl: 'http://placeholder.invalid/',
    mappings: [{ group: 'sre', role: 'admin' }],
  };
  const auth = createAuthDeps(store, oidc);
  const app = createApp({
    store,
    config: { server: { oidc } },
    authenticate: (h) => authenticate(auth, h),
    logger: silentLogger,
  });
  server = await startServer(app, { listen: '127.0.0.1:0' });
  base = server.url.replace('127.0.0.1', 'localhost');
  // Known only now: the flow reads it at the first sign-in.
  oidc.redirectUrl = `${base}/login/oidc/callback`;
  issuer.redirectUrl = oidc.redirectUrl;
}, 120_000);
afterAll(async () => {
  await server?.close();
  await store?.close();
  await issuer?.close();
});

describe.skipIf(!browserWorks)('dashboard SSO in a browser', () => {
  it('signs in through the issuer (public client, PKCE) and lands on the asked page', async () => {
    issuer.user = { sub: 'carol', groups: ['sre'] };
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
    try {
      const page = await browser.newPage();
      await page.goto(`${base}/sources`);
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.getByRole('link', { name: 'Sign in with SSO' }).click();
      await page.waitForURL(`${base}/sources`, { timeout: 20_000 });
      const text = (await page.locator('body').textContent()) ?? '';
      expect(text).toContain('oidc:carol');
      expect(text).not.toContain('Sign in to Runsight');
      const cookies = await page.context().cookies(base);
      const session = cookies.find((c) => c.name === 'rs_session');
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
      expect(cookies.find((c) => c.name === 'rs_oidc')).toBeUndefined();
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL(`${base}/login`);
      expect(await store.db.selectFrom('dashboard_sessions').select('subject').execute()).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
