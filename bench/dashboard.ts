// Dashboard benchmark (issue #18): the overview page (`GET /`) as the server renders it, against
// the API's `GET /api/v1/posture` on the same store in the same run (both in-process through the
// real app, p50); then, in headless chromium (playwright-core, /usr/bin/chromium) on loopback,
// navigation start → first contentful paint of the overview, against the same for /login (a page
// that reads nothing) in the same browser. The fleet is the propagation benchmark's generator
// (bench/propagation.ts): 100k containers / 2k images / 500k findings on PGlite by default.
//
// Knobs: RUNSIGHT_BENCH_DASHBOARD_SCALE=N divides the fleet by N; `--quick` divides it by 20.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { chromium } from 'playwright-core';
import type { Principal } from '../src/core/access.js';
import { silentLogger } from '../src/core/logger.js';
import { createApp } from '../src/server/app.js';
import { createTestStore } from '../src/store/test-support/stores.js';
import { type Bench, type BenchRow, percentile, timeIt } from './harness.js';
import { type Fleet, rolledUpFleet, scaleFleet } from './propagation.js';

const FLEET: Fleet = {
  containers: 100_000,
  images: 2_000,
  findingsPerImage: 250,
  clusters: 4,
  namespaces: 200,
};
const SCALE = Number(process.env.RUNSIGHT_BENCH_DASHBOARD_SCALE ?? 1) || 1;
const TOKEN = 'bench-dashboard-token';
const CHROMIUM = '/usr/bin/chromium';

export const bench: Bench = {
  area: 'dashboard',
  async run({ quick, log }) {
    const by = (quick ? 20 : 1) * SCALE;
    const fleet = scaleFleet(FLEET, by);
    const label = `PGlite ${fleet.containers.toLocaleString('en')} containers`;
    const store = await createTestStore('pglite');
    try {
      await rolledUpFleet(store, fleet, log, label);
      const viewer: Principal = { subject: 'token:bench', role: 'viewer', scope: {}, via: 'token' };
      const app = createApp({
        store,
        config: {},
        logger: silentLogger,
        authenticate: async (h) =>
          h === `Bearer ${TOKEN}` ? viewer : { status: 401, message: 'unknown or revoked token' },
      });
      const headers = { authorization: `Bearer ${TOKEN}` };
      const rows: BenchRow[] = [];

      // Server render: the overview page against the posture API, alternating, after one warm-up each.
      const get = async (path: string) => {
        const r = await app.request(path, { headers });
        const body = await r.text();
        if (r.status !== 200) throw new Error(`${path} answered ${r.status}: ${body.slice(0, 200)}`);
        return body;
      };
      await get('/');
      await get('/api/v1/posture');
      const page: number[] = [];
      const api: number[] = [];
      const RUNS = 10;
      for (let i = 0; i < RUNS; i++) {
        page.push((await timeIt(() => get('/'))).ms);
        api.push((await timeIt(() => get('/api/v1/posture'))).ms);
      }
      log(`overview p50 ${ms(percentile(page, 50))} ms, /api/v1/posture p50 ${ms(percentile(api, 50))} ms`);
      rows.push({
        name: 'overview page server render (GET /, p50)',
        value: ms(percentile(page, 50)),
        unit: 'ms',
        baseline: { name: 'GET /api/v1/posture (p50)', value: ms(percentile(api, 50)) },
        ratio: percentile(page, 50) / percentile(api, 50),
        goal: 'page/API',
        notes: `p95 ${ms(percentile(page, 95))} ms vs ${ms(percentile(api, 95))} ms; ${RUNS} runs in-process; ${label}`,
      });

      // First contentful paint in headless chromium, over HTTP on loopback.
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
      await new Promise<void>((resolve) => server.once('listening', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
      try {
        const context = await browser.newContext({ extraHTTPHeaders: headers });
        const tab = await context.newPage();
        const fcp = async (path: string): Promise<number> => {
          const r = await tab.goto(`${url}${path}`, { waitUntil: 'load' });
          if (r?.status() !== 200) throw new Error(`${path} answered ${r?.status()} in the browser`);
          // The paint entry may be reported just after `load`: wait for it (buffered), at most 5 s.
          const t = await tab.evaluate(
            () =>
              new Promise<number>((resolve) => {
                new PerformanceObserver((list) => {
                  const e = list.getEntriesByName('first-contentful-paint')[0];
                  if (e) resolve(e.startTime);
                  // 'paint' is a browser entry type that Node's type declarations lack.
                }).observe({ type: 'paint' as 'mark', buffered: true });
                setTimeout(() => resolve(Number.NaN), 5000);
              }),
          );
          if (!Number.isFinite(t)) throw new Error(`${path}: the browser reported no first-contentful-paint`);
          return t;
        };
        await fcp('/');
        await fcp('/login');
        const over: number[] = [];
        const login: number[] = [];
        const NAVS = 8;
        for (let i = 0; i < NAVS; i++) {
          over.push(await fcp('/'));
          login.push(await fcp('/login'));
        }
        log(`FCP overview p50 ${ms(percentile(over, 50))} ms, /login p50 ${ms(percentile(login, 50))} ms`);
        rows.push({
          name: 'overview navigation → first contentful paint (chromium, p50)',
          value: ms(percentile(over, 50)),
          unit: 'ms',
          baseline: { name: '/login (reads nothing) FCP (p50)', value: ms(percentile(login, 50)) },
          ratio: percentile(over, 50) / percentile(login, 50),
          goal: 'overview/login',
          notes: `p95 ${ms(percentile(over, 95))} ms vs ${ms(percentile(login, 95))} ms; ${NAVS} navigations, headless chromium over loopback HTTP; ${label}`,
        });
      } finally {
        await browser.close();
        await new Promise((resolve) => server.close(resolve));
      }
      return rows;
    } finally {
      await store.dispose();
    }
  },
};

function ms(x: number): number {
  return Math.round(x * 10) / 10;
}
