// Paged and sorted lists in-process over the small fleet of test-support/fleet.ts.
// GET /api/v1/vulnerabilities/{id}/where (`limit`, `after` or its earlier name `cursor` → `next`):
// the CVE reaches vm-1 (c1/ns-a), vm-3 (c2/ns-a) and vm-4 (c2/ns-b); pages of 1 and 2 walk the three
// containers once each, in the unpaged order; workloads and images stay whole on every page;
// without `limit` the document has no `next`; a cursor the listing did not return (tampered with,
// or the container-id cursor of before), a bad limit, or `after` and `cursor` that differ, is 400.
// The streamed answer parses to the same document as the CLI's.
// GET /api/v1/containers?sort=: two containers of a second source (`zz`) pushed beside the fleet's
// five make the three orders differ (worked by hand below); every page size walks each order
// once, and a cursor of one order is 400 under another. sort=severity puts the unpatched image's
// containers first, the patched image's next, the unresolved zz ones last.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../core/access.js';
import { silentLogger } from '../../core/logger.js';
import { openStore, type Store } from '../../store/index.js';
import { type App, createApp } from '../app.js';
import { buildFleet, CVE, type Fleet } from '../test-support/fleet.js';

const OPERATOR: Principal = { subject: 'token:op', role: 'operator', scope: {}, via: 'token' };

interface Where {
  ids: string[];
  containers: { containerId: string }[];
  workloads: unknown[];
  images: string[];
  next?: string | null;
}

let fleet: Fleet;
let store: Store;
let app: App;
let cli: Where;

beforeAll(async () => {
  fleet = await buildFleet();
  const r = await fleet.cli('--format', 'json', 'vuln', 'where', CVE);
  expect(r.code, r.stderr).toBe(0);
  cli = r.json<Where>();
  store = await openStore({ dataDir: fleet.dataDir });
  app = createApp({ store, config: {}, authenticate: async () => OPERATOR, logger: silentLogger });
}, 600_000);
afterAll(async () => {
  await store?.close();
  if (fleet) rmSync(fleet.dir, { recursive: true, force: true });
});

async function where(query = ''): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await app.request(`/api/v1/vulnerabilities/${CVE}/where${query}`, {
    headers: { authorization: 'Bearer v' },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function walk(limit: number, param = 'cursor'): Promise<{ ids: string[]; pages: Where[] }> {
  const pages: Where[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 10; i++) {
    const r = await where(`?limit=${limit}${cursor ? `&${param}=${encodeURIComponent(cursor)}` : ''}`);
    expect(r.status).toBe(200);
    const page = r.body as unknown as Where;
    pages.push(page);
    if (!page.next) break;
    cursor = page.next;
  }
  return { ids: pages.flatMap((p) => p.containers.map((c) => c.containerId)), pages };
}

describe('vuln where, paged', () => {
  it('unpaged, the streamed answer is the CLI document (no next)', async () => {
    const r = await where();
    expect(r.status).toBe(200);
    expect(r.body).toEqual(cli);
    expect('next' in r.body).toBe(false);
    expect(cli.containers.map((c) => c.containerId)).toEqual(['cmdb/vm-1', 'cmdb/vm-3', 'cmdb/vm-4']);
  });

  it.each([1, 2, 3, 1000])('pages of %i walk every container once, in order', async (limit) => {
    const { ids, pages } = await walk(limit);
    expect(ids).toEqual(['cmdb/vm-1', 'cmdb/vm-3', 'cmdb/vm-4']);
    expect(pages).toHaveLength(Math.ceil(3 / limit));
    expect(pages.at(-1)!.next).toBeNull();
    for (const p of pages) {
      expect(p.containers.length).toBeLessThanOrEqual(limit);
      expect(p.workloads).toEqual(cli.workloads);
      expect(p.images).toEqual(cli.images);
    }
  });

  it.each([1, 2])('pages of %i walk the same with after= as with cursor=', async (limit) => {
    const { ids, pages } = await walk(limit, 'after');
    expect(ids).toEqual(['cmdb/vm-1', 'cmdb/vm-3', 'cmdb/vm-4']);
    expect(pages.map((p) => p.next)).toEqual((await walk(limit)).pages.map((p) => p.next));
  });

  it('summary=false: the same pages without workloads and images (not empty lists)', async () => {
    const whole = await walk(1, 'after');
    let after: string | null | undefined = whole.pages[0]!.next;
    const ids = whole.pages[0]!.containers.map((c) => c.containerId);
    while (after) {
      const r = await where(`?limit=1&summary=false&after=${encodeURIComponent(after)}`);
      expect(r.status).toBe(200);
      expect('workloads' in r.body || 'images' in r.body).toBe(false);
      const page = r.body as unknown as Where;
      ids.push(...page.containers.map((c) => c.containerId));
      after = page.next;
    }
    expect(ids).toEqual(whole.ids);
    expect((await where('?limit=1&summary=true')).body.workloads).toEqual(cli.workloads);
    expect((await where('?limit=1&summary=maybe')).status).toBe(400);
  });

  const b64 = (text: string) => Buffer.from(text).toString('base64url');
  it.each([
    ['?cursor=bm9wZQ', 'bad_request'], // "nope": not a cursor of this listing
    ['?limit=2&cursor=%25%25', 'bad_request'],
    ['?limit=2&after=%25%25', 'bad_request'],
    [`?limit=2&after=${b64('cmdb/vm-1')}`, 'bad_request'], // the container-id cursor of before
    [`?limit=2&after=${b64('["c1","ns-a",null,null]')}`, 'bad_request'], // a key cut short
    [`?limit=2&after=${b64('[1,2,3,4,5]')}`, 'bad_request'],
    [`?limit=2&after=${b64('{"__proto__":{"x":1}}')}`, 'bad_request'],
    [`?limit=1&after=${b64('["c1"]')}&cursor=${b64('["c2"]')}`, 'invalid_request'],
    ['?limit=0', 'invalid_request'],
    ['?limit=many', 'invalid_request'],
    ['?limit=10001', 'invalid_request'],
  ])('%s is 400', async (query, code) => {
    const r = await where(query);
    expect(r.status).toBe(400);
    expect((r.body as { error: { code: string } }).error.code).toBe(code);
  });
});

const ZZ = [
  {
    id: 'a-1',
    cluster: 'c3',
    namespace: 'ns-a',
    workloadKind: 'Deployment',
    workloadName: 'api',
    pod: 'p',
    container: 'app',
    image: 'registry.example/other:1',
  },
  {
    id: 'a-2',
    cluster: 'c1',
    namespace: 'ns-b',
    workloadKind: 'Deployment',
    workloadName: 'aaa',
    pod: 'zzz',
    container: 'app',
    image: 'registry.example/other:1',
  },
];
// By hand: source = cmdb (its five in cluster/namespace/pod/id order) then zz (c1 a-2, c3 a-1);
// id = a-1, a-2, cmdb/…; workload = c1/ns-a vm-1, c1/ns-b Deployment/aaa a-2 before Deployment/web
// vm-2, c2 vm-3 vm-4 vm-5, c3 a-1.
const VM = (n: number) => `cmdb/vm-${n}`;
const ORDERS: Record<string, string[]> = {
  source: [VM(1), VM(2), VM(3), VM(4), VM(5), 'a-2', 'a-1'],
  id: ['a-1', 'a-2', VM(1), VM(2), VM(3), VM(4), VM(5)],
  workload: [VM(1), 'a-2', VM(2), VM(3), VM(4), VM(5), 'a-1'],
  // The unpatched image's containers (more vulnerabilities), the patched image's, then zz's two
  // (unresolved: no posture), each group by id.
  severity: [VM(1), VM(3), VM(4), VM(2), VM(5), 'a-1', 'a-2'],
};

async function containers(query: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await app.request(`/api/v1/containers${query}`, { headers: { authorization: 'Bearer o' } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('containers, sorted and paged', () => {
  beforeAll(async () => {
    const res = await app.request('/api/v1/inventory/zz/batches', {
      method: 'POST',
      body: JSON.stringify({ type: 'full', containers: ZZ }),
      headers: { authorization: 'Bearer o', 'content-type': 'application/json' },
    });
    expect(res.status, await res.text()).toBe(201);
  });

  it.each(Object.keys(ORDERS).flatMap((sort) => [1, 2, 3, 7, 100].map((limit) => [sort, limit] as const)))(
    'sort=%s in pages of %i: every container once, in order',
    async (sort, limit) => {
      const ids: string[] = [];
      let after: string | null = null;
      for (let i = 0; i < 20; i++) {
        const q = `?sort=${sort}&limit=${limit}${after ? `&after=${encodeURIComponent(after)}` : ''}`;
        const r = await containers(q);
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        const page = r.body as { items: { id: string }[]; next: string | null };
        expect(page.items.length).toBeLessThanOrEqual(limit);
        ids.push(...page.items.map((x) => x.id));
        if (!page.next) break;
        after = page.next;
      }
      expect(ids).toEqual(ORDERS[sort]);
    },
  );

  it('sort=severity: the image figures never rise from one item to the next', async () => {
    const r = await containers('?sort=severity&limit=100');
    const items = (
      r.body as {
        items: {
          counts: Record<string, number> | null;
          summary: { vulnerabilities: { kev: number } } | null;
        }[];
      }
    ).items;
    const key = (x: (typeof items)[number]) =>
      x.counts
        ? [
            x.summary!.vulnerabilities.kev,
            x.counts.critical,
            x.counts.high,
            x.counts.medium,
            x.counts.low,
            x.counts.unknown,
          ]
        : [-1, -1, -1, -1, -1, -1];
    const keys = items.map(key);
    expect(keys[0]![1]! + keys[0]![2]!).toBeGreaterThan(0); // the unpatched image has findings
    for (let i = 1; i < keys.length; i++) {
      const a = keys[i - 1]!.join(',');
      const b = keys[i]!.join(',');
      const ordered = [...[keys[i - 1]!, keys[i]!]].sort((x, y) => {
        for (let j = 0; j < 6; j++) if (x[j] !== y[j]) return y[j]! - x[j]!;
        return 0;
      });
      expect(ordered[0]!.join(','), `${a} then ${b}`).toBe(a);
    }
  });

  it('the default order is sort=source', async () => {
    const r = await containers('?limit=100');
    expect((r.body as { items: { id: string }[] }).items.map((x) => x.id)).toEqual(ORDERS.source);
  });

  it('a cursor of one order is 400 under another; an unknown sort is 400', async () => {
    const first = (await containers('?sort=id&limit=2')).body as { next: string };
    for (const sort of ['source', 'workload']) {
      const r = await containers(`?sort=${sort}&limit=2&after=${encodeURIComponent(first.next)}`);
      expect(r.status).toBe(400);
      expect((r.body as { error: { code: string; message: string } }).error.message).toMatch(
        new RegExp(`not one this listing returned for sort=${sort}`),
      );
    }
    const bad = await containers('?sort=worst');
    expect(bad.status).toBe(400);
    expect((bad.body as { error: { message: string } }).error.message).toMatch(/^query\.sort: /);
  });
});
