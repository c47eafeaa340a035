// GET /api/v1/posture and the dashboard's /posture a page at a time (docs/api.md "Posture"): `limit`
// and `after` through HTTP follow the view's pages; a tampered cursor is a 400 on both; the
// dashboard links its next page with `after` and a viewer scoped to one cluster pages its groups only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../core/access.js';
import { silentLogger } from '../../core/logger.js';
import { maintainPosture } from '../../propagation/sync.js';
import {
  addContainers,
  addManifest,
  addScan,
  addSource,
  digestOf,
} from '../../propagation/test-support/fleet.js';
import { createTestStore, type TestStore } from '../../store/test-support/stores.js';
import { type App, createApp } from '../app.js';
import { authenticateAs } from '../test-support/authenticate.js';

const PRINCIPALS: Record<string, Principal> = {
  viewer: { subject: 'token:viewer', role: 'viewer', scope: {}, via: 'token' },
  'viewer-c1': { subject: 'token:viewer-c1', role: 'viewer', scope: { clusters: ['c1'] }, via: 'token' },
};

let store: TestStore;
let app: App;

beforeAll(async () => {
  store = await createTestStore('pglite');
  const src = await addSource(store);
  const bad = digestOf('http-paging-bad');
  const mild = digestOf('http-paging-mild');
  await addManifest(store, bad);
  await addManifest(store, mild);
  await addScan(store, bad, [{ id: 'CVE-2031-0001', severity: 'CRITICAL', pkg: 'openssl' }]);
  await addScan(store, mild, [{ id: 'CVE-2031-0002', severity: 'LOW', pkg: 'less' }]);
  const containers = [];
  for (const cluster of ['c1', 'c2'])
    for (let w = 0; w < 60; w++)
      containers.push({
        id: `${cluster}/w${w}`,
        image: 'x:1',
        digest: w % 7 ? mild : bad,
        cluster,
        namespace: 'shop',
        workloadName: `w${String(w).padStart(2, '0')}`,
      });
  await addContainers(store, src, containers);
  await maintainPosture(store);
  app = createApp({ store, config: {}, authenticate: authenticateAs(PRINCIPALS), logger: silentLogger });
}, 120_000);
afterAll(async () => {
  await store?.dispose();
});

/** The workload rows of a /posture page (other tables on it have row headers too). */
const ROW = /<tr><th scope="row"><a [^>]*>c\d\/shop\/Deployment\/w\d\d</g;

const get = (path: string, token = 'viewer') =>
  app.request(path, { headers: { authorization: `Bearer ${token}` } });

describe('posture pages through HTTP', () => {
  it('limit and after walk the groups in the whole answer’s order; a tampered cursor is a 400', async () => {
    const whole = (await (await get('/api/v1/posture?by=workload&top=1')).json()) as {
      groups: { key: string }[];
      next?: unknown;
    };
    expect(whole.groups).toHaveLength(120);
    expect(whole.next).toBeUndefined();
    // Critical first (every 7th workload of each cluster: 18 of them), ties by key.
    expect(whole.groups.slice(0, 3).map((g) => g.key)).toEqual([
      'c1/shop/Deployment/w00',
      'c1/shop/Deployment/w07',
      'c1/shop/Deployment/w14',
    ]);
    const keys: string[] = [];
    let after = '';
    for (let i = 0; i < 10; i++) {
      const r = await get(`/api/v1/posture?by=workload&top=1&limit=50${after}`);
      expect(r.status).toBe(200);
      const page = (await r.json()) as { groups: { key: string }[]; next: string | null };
      expect(page.groups).toHaveLength(i < 2 ? 50 : 20);
      keys.push(...page.groups.map((g) => g.key));
      if (!page.next) break;
      after = `&after=${encodeURIComponent(page.next)}`;
    }
    expect(keys).toEqual(whole.groups.map((g) => g.key));

    const first = (await (await get('/api/v1/posture?by=workload&limit=2')).json()) as { next: string };
    const forged = Buffer.from('{"sort":"instances","value":"x","key":"k"}').toString('base64url');
    for (const bad of ['garbage', `${first.next}A`, forged]) {
      const r = await get(`/api/v1/posture?by=workload&limit=2&after=${encodeURIComponent(bad)}`);
      expect(r.status, bad).toBe(400);
      expect(await r.text()).toMatch(/after/);
    }
    // The cursor of one order does not continue another.
    const other = await get(
      `/api/v1/posture?by=workload&limit=2&sort=key&after=${encodeURIComponent(first.next)}`,
    );
    expect(other.status).toBe(400);
    expect((await get('/api/v1/posture?by=workload&limit=0')).status).toBe(400);
  });

  it('the dashboard shows 50 rows and links the next page by cursor; a tampered one is a 400', async () => {
    const page = await (await get('/posture?by=workload')).text();
    expect(page.match(ROW)).toHaveLength(50);
    const next = /href="([^"]*after=[^"]*)" rel="next"/.exec(page)?.[1];
    expect(next).toBeDefined();
    const second = await (await get(next!.replaceAll('&amp;', '&'))).text();
    expect(second.match(ROW)).toHaveLength(50);
    expect(second).toContain('rel="first"');
    // The two pages are the API's whole order, its first 100.
    const keysOf = (html: string) =>
      [...html.matchAll(/<th scope="row"><a [^>]*>(c\d\/shop\/Deployment\/w\d\d)</g)].map((m) => m[1]);
    const whole = (await (await get('/api/v1/posture?by=workload&top=1')).json()) as {
      groups: { key: string }[];
    };
    expect([...keysOf(page), ...keysOf(second)]).toEqual(whole.groups.slice(0, 100).map((g) => g.key));
    expect((await get('/posture?by=workload&after=not-a-cursor')).status).toBe(400);
    // A viewer of c1 pages c1's 60 workloads only.
    const c1 = await (await get('/posture?by=workload', 'viewer-c1')).text();
    expect(c1).not.toMatch(/c2\/shop/);
    const c1Next = /href="([^"]*after=[^"]*)" rel="next"/.exec(c1)?.[1];
    const c1Second = await (await get(c1Next!.replaceAll('&amp;', '&'), 'viewer-c1')).text();
    expect(c1Second.match(ROW)).toHaveLength(10);
    expect(c1Second).not.toMatch(/c2\/shop/);
    expect(c1Second).not.toContain('rel="next"');
  });
});
