// The dashboard in a real browser (playwright-core driving the system's headless Chromium) against
// the real app on loopback over the demo fleet (test-support/fleet.ts) with real API tokens: log in
// through the form, compare the overview's figures with /api/v1/posture for the same token (an
// unscoped and a c1-scoped one), click down cluster → namespace → workload → container, open the
// CVE page and compare its containers with /api/v1/vulnerabilities/{id}/where. Screenshots land in
// test-results/dashboard/. Under CI=true a browser that cannot start fails the run.
import { mkdirSync, rmSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { openStore, type Store } from '../../store/index.js';
import { probeOrSkip } from '../../test-support/require-or-skip.js';
import { createApp } from '../app.js';
import { authenticate, createTokenVerifier } from '../auth/index.js';
import { type RunningServer, startServer } from '../serve.js';
import { buildFleet, CVE, type Fleet } from '../test-support/fleet.js';
import { FIGURE_COLUMNS } from './figures.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = 'test-results/dashboard';

const browserWorks = await probeOrSkip(`headless Chromium at ${CHROMIUM}`, async () => {
  const b = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  await b.close();
  return true;
});

let fleet: Fleet;
let store: Store;
let server: RunningServer;
let browser: Browser;
const tokens: Record<'all' | 'c1', string> = { all: '', c1: '' };

beforeAll(async () => {
  if (!browserWorks) return;
  mkdirSync(SHOTS, { recursive: true });
  fleet = await buildFleet();
  for (const [name, scope] of [
    ['all', []],
    ['c1', ['--scope', 'cluster=c1']],
  ] as const) {
    const r = await fleet.cli(
      '--format',
      'json',
      'token',
      'create',
      '--name',
      `dash-${name}`,
      '--role',
      'viewer',
      ...scope,
    );
    expect(r.code, r.stderr).toBe(0);
    tokens[name] = r.json<{ token: string }>().token;
  }
  store = await openStore({ dataDir: fleet.dataDir });
  const deps = { tokens: createTokenVerifier(store) };
  const app = createApp({
    store,
    config: {},
    authenticate: (header) => authenticate(deps, header),
    logger: silentLogger,
  });
  server = await startServer(app, { listen: '127.0.0.1:0' });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await store?.close();
  if (fleet) rmSync(fleet.dir, { recursive: true, force: true });
});

async function api<T>(path: string, token: string): Promise<T> {
  const r = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(r.status, path).toBe(200);
  return (await r.json()) as T;
}

async function logIn(token: string, width = 1280): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${server.url}/`);
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.locator('#token').fill(token);
  await Promise.all([
    page.waitForURL(`${server.url}/`),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  expect(errors, 'no CSP violation or script error').toEqual([]);
  return page;
}

async function shownFigures(page: Page, cards: 'distinct' | 'instances'): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const k of FIGURE_COLUMNS)
    out[k] = Number(await page.locator(`[data-figures="${cards}"] [data-figure="${k}"]`).textContent());
  return out;
}

interface Totals {
  totals: {
    containers: number;
    distinctVulnerabilities: Record<string, number>;
    instances: Record<string, number>;
  };
}
const pick = (f: Record<string, number>) => Object.fromEntries(FIGURE_COLUMNS.map((k) => [k, f[k]]));

describe.skipIf(!browserWorks)('dashboard in a browser', () => {
  it('the overview equals /api/v1/posture for an unscoped and a scoped token', async () => {
    for (const [name, expectedContainers] of [
      ['all', 5],
      ['c1', 2],
    ] as const) {
      const page = await logIn(tokens[name]);
      const posture = await api<Totals>('/api/v1/posture', tokens[name]);
      expect(posture.totals.containers).toBe(expectedContainers);
      expect(Number(await page.locator('[data-total="containers"]').textContent())).toBe(expectedContainers);
      expect(await shownFigures(page, 'distinct')).toEqual(pick(posture.totals.distinctVulnerabilities));
      expect(await shownFigures(page, 'instances')).toEqual(pick(posture.totals.instances));
      await page.screenshot({ path: `${SHOTS}/overview-${name}.png`, fullPage: true });
      await page.context().close();
    }
  }, 180_000);

  it('clicks down to a container and to the CVE page, which lists exactly vuln where', async () => {
    const page = await logIn(tokens.all);
    await page.getByRole('link', { name: 'clusters' }).click();
    await page.getByRole('link', { name: 'c1', exact: true }).click();
    await page.getByRole('link', { name: 'c1/ns-a', exact: true }).click();
    await page.screenshot({ path: `${SHOTS}/posture-workloads.png`, fullPage: true });
    await page.getByRole('link', { name: 'c1/ns-a/Deployment/api', exact: true }).click();
    await page.getByRole('link', { name: 'app (cmdb/vm-1)' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Container cmdb/vm-1');
    await page.screenshot({ path: `${SHOTS}/container.png`, fullPage: true });
    await page.getByRole('link', { name: CVE }).first().click();
    await expect.poll(() => page.locator('h1').textContent()).toBe(CVE);
    const listed = await page
      .locator('[data-container]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-container')));
    const where = await api<{ containers: { containerId: string }[] }>(
      `/api/v1/vulnerabilities/${CVE}/where`,
      tokens.all,
    );
    expect(listed.sort()).toEqual(where.containers.map((c) => c.containerId).sort());
    expect(listed.sort()).toEqual(['cmdb/vm-1', 'cmdb/vm-3', 'cmdb/vm-4']);
    await page.screenshot({ path: `${SHOTS}/vulnerability.png`, fullPage: true });
    await page.context().close();
  }, 180_000);

  it('works on a narrow screen and logs out', async () => {
    const page = await logIn(tokens.c1, 390);
    await page.screenshot({ path: `${SHOTS}/overview-narrow.png`, fullPage: true });
    await Promise.all([
      page.waitForURL(`${server.url}/login`),
      page.getByRole('button', { name: 'Log out' }).click(),
    ]);
    await page.goto(`${server.url}/validate`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.context().close();
  }, 180_000);
});
