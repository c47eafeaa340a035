// Dashboard benchmark (issue #18): the overview page (`GET /`) as the server renders it, against
// the API's `GET /api/v1/posture` on the same store in the same run (both in-process through the
// real app, p50); then, in headless chromium (playwright-core, /usr/bin/chromium) on loopback,
// navigation start → first contentful paint of the overview and of every drill-down level (fleet
// by cluster, namespace, workload and image; one cluster's namespaces; one namespace's workloads;
// one workload's containers; a container, an image and a vulnerability page), each against the
// same for /login (a page that reads nothing) in the same browser, in the same rounds. The fleet is
// the propagation benchmark's generator (bench/propagation.ts): 100k containers / 2k images / 500k
// findings on PGlite, 1M containers / 20k images / 5M findings on PostgreSQL.
//
// Knobs: RUNSIGHT_BENCH_DASHBOARD_STORES = `pglite` (default), `postgres` or `both`;
// RUNSIGHT_BENCH_DASHBOARD_SCALE=N divides the fleets by N; `--quick` divides them by 20;
// RUNSIGHT_BENCH_DASHBOARD_NAVS=N navigations per page (default 6; with 20 the p95 is the second
// slowest, not the slowest); RUNSIGHT_BENCH_FLEET_REUSE=<database> keeps the PostgreSQL fleet in that
// database for later runs of this and the api benchmark (bench/fleet-store.ts).
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { chromium } from 'playwright-core';
import type { TestStore } from '../src/store/test-support/stores.js';
import { overFleetStores, viewerApp } from './fleet-store.js';
import { type Bench, type BenchRow, percentile, timeIt } from './harness.js';
import type { Fleet } from './propagation.js';

const FLEETS: Record<'pglite' | 'postgres', Fleet> = {
  pglite: { containers: 100_000, images: 2_000, findingsPerImage: 250, clusters: 4, namespaces: 200 },
  postgres: { containers: 1_000_000, images: 20_000, findingsPerImage: 250, clusters: 10, namespaces: 2_000 },
};
const STORES = process.env.RUNSIGHT_BENCH_DASHBOARD_STORES ?? 'pglite';
const SCALE = Number(process.env.RUNSIGHT_BENCH_DASHBOARD_SCALE ?? 1) || 1;
const TOKEN = 'bench-dashboard-token';
const CHROMIUM = '/usr/bin/chromium';
/** Navigations per page after one warm-up (p50 and p95 of these): RUNSIGHT_BENCH_DASHBOARD_NAVS, 6 by default. */
const NAVS = Math.max(1, Number(process.env.RUNSIGHT_BENCH_DASHBOARD_NAVS ?? 6) || 6);
/** The goal of issue #18: first paint under 1 s. */
const GOAL_MS = 1000;

/**
 * The pages a person walks, with what each must show: workload w0 (image 0) is in namespace ns0 of
 * cluster cl0 (generate(): workload w → namespace ⌊w / ⌈images/namespaces⌉⌋ → cluster ns % clusters);
 * container c0 runs it; CVE-2024-0 is finding 0 of image 0.
 */
function pages(): [string, string][] {
  const workload = encodeURIComponent('cl0/ns0/Deployment/w0');
  return [
    ['overview', '/'],
    ['fleet by cluster', '/posture?by=cluster'],
    ['fleet by namespace', '/posture?by=namespace'],
    ['fleet by workload', '/posture?by=workload'],
    ['fleet by image', '/posture?by=image'],
    ['cluster → namespaces', '/posture?by=namespace&cluster=cl0'],
    ['namespace → workloads', '/posture?by=workload&cluster=cl0&namespace=ns0'],
    ['workload → containers', `/posture?by=container&cluster=cl0&namespace=ns0&workload=${workload}`],
    ['container page', '/containers/c0'],
    ['image page', `/images/sha256:${'0'.repeat(64)}`],
    ['vulnerability page', '/vulnerabilities/CVE-2024-0'],
  ];
}

export const bench: Bench = {
  area: 'dashboard',
  async run({ quick, log }) {
    return overFleetStores(STORES, FLEETS, (quick ? 20 : 1) * SCALE, log, (store, kind, _fleet, label) =>
      runOne(store, kind, label, log),
    );
  },
};

async function runOne(
  store: TestStore,
  kind: string,
  label: string,
  log: (m: string) => void,
): Promise<BenchRow[]> {
  const app = viewerApp(store, TOKEN);
  const headers = { authorization: `Bearer ${TOKEN}` };
  const rows: BenchRow[] = [];

  const get = async (path: string) => {
    const r = await app.request(path, { headers });
    const body = await r.text();
    if (r.status !== 200) throw new Error(`${path} answered ${r.status}: ${body.slice(0, 200)}`);
    return body;
  };
  // Every page must show what it is about before its time means anything: a table row at least.
  const sizes = new Map<string, number>();
  for (const [name, path] of pages()) {
    const t0 = performance.now();
    const body = await get(path);
    if (!body.includes('<tr')) throw new Error(`${name} (${path}) shows no table row`);
    sizes.set(path, body.length);
    log(
      `${kind}: ${name} ${path}: ${(body.length / 1024).toFixed(0)} KiB, first render ${ms(performance.now() - t0)} ms`,
    );
  }

  // Server render: the overview page against the posture API, alternating, after one warm-up each.
  await get('/api/v1/posture');
  const page: number[] = [];
  const api: number[] = [];
  const RUNS = 10;
  for (let i = 0; i < RUNS; i++) {
    page.push((await timeIt(() => get('/'))).ms);
    api.push((await timeIt(() => get('/api/v1/posture'))).ms);
  }
  log(
    `${kind}: overview p50 ${ms(percentile(page, 50))} ms, /api/v1/posture p50 ${ms(percentile(api, 50))} ms`,
  );
  rows.push({
    name: `${kind}: overview page server render (GET /, p50)`,
    value: ms(percentile(page, 50)),
    unit: 'ms',
    baseline: { name: 'GET /api/v1/posture (p50)', value: ms(percentile(api, 50)) },
    ratio: percentile(page, 50) / percentile(api, 50),
    goal: 'page/API',
    notes: `p95 ${ms(percentile(page, 95))} ms vs ${ms(percentile(api, 95))} ms; ${RUNS} runs in-process; the page leaves the prioritised list to /overview/priorities, the API computes its top 20; ${label}`,
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
      const r = await tab.goto(`${url}${path}`, { waitUntil: 'load', timeout: 120_000 });
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
    const list = pages();
    const times = new Map<string, number[]>(list.map(([, path]) => [path, []]));
    const login: number[] = [];
    for (const [, path] of list) await fcp(path); // warm-up
    await fcp('/login');
    // Round-robin, so that the shared machine's load falls on every page alike.
    for (let i = 0; i < NAVS; i++) {
      for (const [, path] of list) times.get(path)!.push(await fcp(path));
      login.push(await fcp('/login'));
    }
    for (const [name, path] of list) {
      const t = times.get(path)!;
      const p95 = percentile(t, 95);
      log(`${kind}: FCP ${name} p50 ${ms(percentile(t, 50))} ms, p95 ${ms(p95)} ms`);
      rows.push({
        name: `${kind}: ${name} (${path}) navigation → first contentful paint (chromium, p50)`,
        value: ms(percentile(t, 50)),
        unit: 'ms',
        baseline: { name: '/login (reads nothing) FCP (p50)', value: ms(percentile(login, 50)) },
        ratio: percentile(t, 50) / percentile(login, 50),
        goal: `< ${GOAL_MS} ms${p95 < GOAL_MS ? '' : ' (MISSED at p95)'}`,
        notes: `p95 ${ms(p95)} ms vs ${ms(percentile(login, 95))} ms; ${NAVS} navigations; page ${((sizes.get(path) ?? 0) / 1024).toFixed(0)} KiB; headless chromium over loopback HTTP; ${label}`,
      });
    }
    // The overview's prioritised list arrives after first paint (web/fragments.js loads
    // /overview/priorities): time until it is on screen, from the navigation's start.
    const overviewFcp = times.get('/');
    if (overviewFcp) {
      const shown: number[] = [];
      for (let i = 0; i < NAVS; i++) {
        await tab.goto(`${url}/`, { waitUntil: 'load', timeout: 120_000 });
        await tab.waitForSelector('#priorities', { timeout: 120_000 });
        shown.push(await tab.evaluate(() => performance.now()));
      }
      log(`${kind}: overview prioritised list shown p50 ${ms(percentile(shown, 50))} ms`);
      rows.push({
        name: `${kind}: overview (/) navigation → prioritised list shown (chromium, p50)`,
        value: ms(percentile(shown, 50)),
        unit: 'ms',
        baseline: { name: 'overview first contentful paint (p50)', value: ms(percentile(overviewFcp, 50)) },
        ratio: percentile(shown, 50) / percentile(overviewFcp, 50),
        notes: `p95 ${ms(percentile(shown, 95))} ms; ${NAVS} navigations; loaded after first paint from /overview/priorities; ${label}`,
      });
    }
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
  return rows;
}

function ms(x: number): number {
  return Math.round(x * 10) / 10;
}
