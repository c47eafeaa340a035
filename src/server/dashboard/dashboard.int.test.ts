// The dashboard in a real browser (playwright-core driving the system's headless Chromium) against
// the real app on loopback over the demo fleet (test-support/fleet.ts) with real API tokens: log in
// through the form, compare the overview's figures with /api/v1/posture for the same token (an
// unscoped and a c1-scoped one), click down cluster → namespace → workload → container, open the
// CVE page and compare its containers with /api/v1/vulnerabilities/{id}/where; the trend chart is
// drawn by /static/trend-chart.js under the page's CSP (uPlot's series in the DOM, the high series'
// colour on the canvas, no securitypolicyviolation event, no console error) and the sources page
// lists the fleet's source. Screenshots land in test-results/dashboard/. Under CI=true a browser
// that cannot start fails the run.
import { mkdirSync, rmSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { insertSnapshots, openStore, type Store } from '../../store/index.js';
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
/** Console errors and uncaught exceptions per page (CSP refusals show as console errors too). */
const pageErrors = new Map<Page, string[]>();

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
  await addHistory(store);
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

/** The fleet's figures of three earlier days (HIGH distinct: 0, 1, 0; then today's 1) as snapshots
 * of every scope the fleet has: the chart gets a multi-point series for each. */
const EARLIER_HIGH = [0, 1, 0];
let pointsBefore = 0;
async function addHistory(s: Store): Promise<void> {
  const rows = await s.db.selectFrom('posture_snapshots').selectAll().execute();
  pointsBefore = rows.filter((r) => r.scope_kind === 'fleet').length;
  expect(pointsBefore).toBeGreaterThan(0);
  const day = 86_400_000;
  for (const [i, high] of EARLIER_HIGH.entries()) {
    const at = new Date(Date.now() - (EARLIER_HIGH.length - i) * day);
    await insertSnapshots(
      s,
      rows.map((r) => {
        const counts = (c: unknown) => {
          const o = { ...((typeof c === 'string' ? JSON.parse(c) : c) as Record<string, number>) };
          if (high === 0) o.high = 0;
          return o;
        };
        return {
          scopeKind: r.scope_kind,
          scopeKey: r.scope_key,
          containers: r.containers,
          distinctCounts: counts(r.distinct_counts),
          instanceCounts: counts(r.instance_counts),
          digests: r.digests ?? [],
        };
      }),
      at,
    );
  }
}

async function api<T>(path: string, token: string): Promise<T> {
  const r = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(r.status, path).toBe(200);
  return (await r.json()) as T;
}

async function logIn(token: string, width = 1280): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  // Injected by the browser driver (not subject to the page's CSP): records every CSP violation.
  await context.addInitScript({
    content:
      "window.cspViolations = []; document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));",
  });
  const page = await context.newPage();
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
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
      // The prioritised list arrives after first paint (web/fragments.js) and equals the API's.
      await page.locator('#priorities').waitFor({ timeout: 60_000 });
      const shown = await page
        .locator('#priorities tbody tr')
        .evaluateAll((rows) =>
          rows.map((r) => [r.querySelector('a')?.textContent, Number(r.children[5]?.textContent)]),
        );
      const top = await api<{ priorities: { vulnerabilityId: string; containers: number }[] }>(
        '/api/v1/priorities?top=10',
        tokens[name],
      );
      expect(shown).toEqual(top.priorities.map((p) => [p.vulnerabilityId, p.containers]));
      expect(shown.length).toBeGreaterThan(0);
      expect(pageErrors.get(page), 'no CSP violation or script error').toEqual([]);
      expect(
        await page.evaluate(() => (globalThis as unknown as { cspViolations: string[] }).cspViolations),
      ).toEqual([]);
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

  it('draws the trend chart under the CSP, and lists the sources', async () => {
    const page = await logIn(tokens.all);
    const chart = page.locator('#trend-0-chart');
    await expect.poll(() => chart.getAttribute('data-series')).toBe('5');
    const data = JSON.parse((await page.locator('script#trend-0').textContent()) ?? 'null') as {
      times: number[];
      series: Record<string, number[]>;
    };
    // The fixture's three earlier days and today's snapshot(s): a series, not a single point.
    expect(data.times.length).toBe(EARLIER_HIGH.length + pointsBefore);
    expect(data.series.high!.slice(0, EARLIER_HIGH.length)).toEqual(EARLIER_HIGH);
    expect(data.series.high!.at(-1)).toBe(1);
    // What uPlot plotted: every one of the five series holds every point.
    expect(await chart.getAttribute('data-points')).toBe(String(data.times.length));
    expect(await chart.getAttribute('data-series-points')).toBe(
      Array(5).fill(String(data.times.length)).join(','),
    );
    // uPlot's legend: the x series and the five drawn.
    expect(await chart.locator('.u-legend .u-series').count()).toBe(6);
    // The canvas holds the high series' colour (#d9480f, anti-aliased): the data was drawn.
    /** The few members of a canvas used here (the project compiles without the DOM library). */
    type Canvas = {
      width: number;
      height: number;
      getContext(kind: '2d'): {
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      };
    };
    const orange = await chart.locator('canvas').evaluate((el) => {
      const c = el as unknown as Canvas;
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < px.length; i += 4)
        if (px[i]! > 170 && px[i + 1]! > 40 && px[i + 1]! < 110 && px[i + 2]! < 60 && px[i + 3]! > 100) n++;
      return n;
    });
    expect(orange).toBeGreaterThan(0);
    // Without script the same numbers are in the table.
    await page.locator('details.trend-table summary').first().click();
    expect(await page.locator('[data-trend-table="trend-0"] tbody tr').count()).toBe(data.times.length);
    await page.screenshot({ path: `${SHOTS}/overview-trend.png`, fullPage: true });
    await page.getByRole('link', { name: 'Sources and jobs' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sources and jobs');
    expect(await page.locator('[data-source="cmdb"] [data-containers]').textContent()).toBe('5');
    await page.screenshot({ path: `${SHOTS}/sources.png`, fullPage: true });
    // A drill-down's chart too.
    await page.goto(`${server.url}/posture?by=workload&cluster=c1&namespace=ns-a`);
    await expect.poll(() => page.locator('#trend-0-chart').getAttribute('data-series')).toBe('5');
    await page.screenshot({ path: `${SHOTS}/posture-trend.png`, fullPage: true });
    expect(await page.evaluate('window.cspViolations')).toEqual([]);
    expect(pageErrors.get(page), 'no CSP violation or script error').toEqual([]);
    // The detector works: an inline script added now is refused by the CSP and recorded.
    await page.evaluate(
      "const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.body.append(s)",
    );
    await expect.poll(() => page.evaluate('window.cspViolations.length')).toBe(1);
    expect(await page.evaluate('window.ran')).toBeUndefined();
    await page.context().close();
  }, 180_000);

  it('the validation page runs the checklist for a chosen image and shows what the API answers', async () => {
    const page = await logIn(tokens.c1);
    await page.getByRole('link', { name: 'Validate' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Validate propagation');
    expect(await page.locator('[data-empty]').count()).toBe(1);
    await page.getByLabel('image', { exact: true }).fill(fleet.vulnerable);
    await page.getByLabel('vulnerability').fill(CVE);
    await page.getByLabel('fixed image').fill(fleet.patched);
    await Promise.all([page.waitForURL(/\/validate\?/), page.getByRole('button', { name: 'Check' }).click()]);
    // The choice is in the URL (shareable) and the six checks equal GET /api/v1/validate's for it.
    const query = new URL(page.url()).search;
    expect(new URL(page.url()).searchParams.get('vulnerability')).toBe(CVE);
    const shown = await page.locator('tr[data-check]').evaluateAll((rows) =>
      rows.map((r) => ({
        name: r.getAttribute('data-check'),
        status: r.getAttribute('data-status'),
        evidence: r.querySelector('[data-evidence]')?.textContent,
      })),
    );
    const answer = await api<{ checks: { name: string; status: string; evidence: string }[] }>(
      `/api/v1/validate${query}`,
      tokens.c1,
    );
    expect(shown).toEqual(answer.checks.map(({ name, status, evidence }) => ({ name, status, evidence })));
    expect(shown.map((c) => c.status).slice(0, 2)).toEqual(['pass', 'pass']);
    await page.screenshot({ path: `${SHOTS}/validate.png`, fullPage: true });
    expect(pageErrors.get(page), 'no CSP violation or script error').toEqual([]);
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
