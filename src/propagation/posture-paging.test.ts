// Posture groups a page at a time (docs/adr/0024-posture-sort-key-and-paging.md), on both stores:
// the pages of every order and finding filter, followed by `next`, are the whole answer in the
// same order; that order is worst first by the weight of the figures the document shows (KEV ×
// 10¹², critical × 10⁹, high × 10⁶, medium × 10³, low), ties by key; the stored key equals that
// weight; a scoped viewer's pages hold only its scope's groups with the scope's figures; a cursor
// that is not one the report made is an InputError (the API's and the dashboard's 400).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessScope } from '../core/access.js';
import { InputError } from '../core/errors.js';
import { toCells } from '../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { getPosture, type PostureBy, type PostureGroup, type PostureQuery } from '../views/posture.js';
import type { Figures } from './cells.js';
import { readRollups } from './rollups.js';
import { maintainPosture } from './sync.js';
import { addContainers, addManifest, addScan, addSource, digestOf } from './test-support/fleet.js';

const kinds = await storeKindsToTest();

const IMG = {
  a: digestOf('paging-a'), // 2 critical (fixable), 1 high
  b: digestOf('paging-b'), // 3 high
  c: digestOf('paging-c'), // 2 medium (1 fixable), 4 low
  d: digestOf('paging-d'), // 1 low
  e: digestOf('paging-e'), // clean
};

async function seed(store: TestStore) {
  const src = await addSource(store);
  for (const d of Object.values(IMG)) await addManifest(store, d);
  await addScan(store, IMG.a, [
    { id: 'CVE-2030-0001', severity: 'CRITICAL', pkg: 'openssl', fixed: '3.1' },
    { id: 'CVE-2030-0002', severity: 'CRITICAL', pkg: 'glibc', fixed: '2.40' },
    { id: 'CVE-2030-0003', severity: 'HIGH', pkg: 'zlib' },
  ]);
  await addScan(store, IMG.b, [
    { id: 'CVE-2030-0003', severity: 'HIGH', pkg: 'zlib' },
    { id: 'CVE-2030-0004', severity: 'HIGH', pkg: 'curl' },
    { id: 'CVE-2030-0005', severity: 'HIGH', pkg: 'bash' },
  ]);
  await addScan(store, IMG.c, [
    { id: 'CVE-2030-0006', severity: 'MEDIUM', pkg: 'tar', fixed: '1.35' },
    { id: 'CVE-2030-0007', severity: 'MEDIUM', pkg: 'gzip' },
    { id: 'CVE-2030-0008', severity: 'LOW', pkg: 'less' },
    { id: 'CVE-2030-0009', severity: 'LOW', pkg: 'sed' },
    { id: 'CVE-2030-0010', severity: 'LOW', pkg: 'grep' },
    { id: 'CVE-2030-0011', severity: 'LOW', pkg: 'awk' },
  ]);
  await addScan(store, IMG.d, [{ id: 'CVE-2030-0008', severity: 'LOW', pkg: 'less' }]);
  await addScan(store, IMG.e, []);
  // 2 clusters × 3 namespaces × 4 workloads; replicas and images vary, and repeat across
  // namespaces (equal weights: the key decides). Keys mix case and punctuation ("A-x", "a.x", "b").
  const images = Object.values(IMG);
  const names = ['A-x', 'a.x', 'b', 'Zed'];
  const containers = [];
  let n = 0;
  for (const cluster of ['c1', 'c2'])
    for (const [ni, namespace] of ['shop', 'edge', 'ops'].entries())
      for (const [wi, workloadName] of names.entries()) {
        const digest = images[(ni + wi) % images.length]!;
        const replicas = 1 + ((wi + (cluster === 'c2' ? 1 : 0)) % 3);
        for (let r = 0; r < replicas; r++)
          containers.push({
            id: `${cluster}/${namespace}/${workloadName}/${r}`,
            image: `img:${n}`,
            digest,
            cluster,
            namespace,
            workloadName,
            owner: wi % 2 ? 'team-a' : 'team-b',
          });
        n++;
      }
  // Two workloads running two images each (distinct is a union there).
  containers.push(
    {
      id: 'c1/shop/mix/0',
      image: 'mix:1',
      digest: IMG.a,
      cluster: 'c1',
      namespace: 'shop',
      workloadName: 'mix',
      owner: 'team-a',
    },
    {
      id: 'c1/shop/mix/1',
      image: 'mix:2',
      digest: IMG.c,
      cluster: 'c1',
      namespace: 'shop',
      workloadName: 'mix',
      owner: 'team-a',
    },
  );
  await addContainers(store, src, containers);
  await maintainPosture(store);
}

/** The order's rule written out here (not the code's): worst first, ties by key in code-unit order. */
function weight(f: Figures): number {
  return f.kev * 1e12 + f.critical * 1e9 + f.high * 1e6 + f.medium * 1e3 + f.low;
}
const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const ORDER = {
  instances: (a: PostureGroup, b: PostureGroup) =>
    weight(b.instances) - weight(a.instances) || byKey(a.key, b.key),
  distinct: (a: PostureGroup, b: PostureGroup) =>
    weight(b.distinctVulnerabilities) - weight(a.distinctVulnerabilities) || byKey(a.key, b.key),
  containers: (a: PostureGroup, b: PostureGroup) => b.containers - a.containers || byKey(a.key, b.key),
  key: (a: PostureGroup, b: PostureGroup) => byKey(a.key, b.key),
};

/** Every page of `size`, following `next` (at most 100). */
async function allPages(store: TestStore, q: PostureQuery, size: number) {
  const pages: PostureGroup[][] = [];
  let after: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await getPosture(store, { ...q, top: 0, limit: size, after });
    expect(page.groups.length).toBeLessThanOrEqual(size);
    pages.push(page.groups);
    if (page.next === null) return pages;
    expect(page.next).toEqual(expect.any(String));
    after = page.next!;
  }
  throw new Error('more than 100 pages');
}

describe.each(kinds)('posture paging on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
    await seed(store);
  }, 120_000);
  afterAll(async () => {
    await store?.dispose();
  });

  it('stores the default order key: the weight of each roll-up’s unfiltered instances', async () => {
    const rows = await store.db
      .selectFrom('scope_posture')
      .select(['scope_kind', 'scope_key', 'instance_cells', 'sort_weight'])
      .execute();
    expect(rows.length).toBeGreaterThan(30);
    const views = new Map<string, Figures>();
    for (const by of ['cluster', 'namespace', 'workload', 'owner', 'image'] as const)
      for (const r of await readRollups(store, by)) views.set(`${by} ${r.key}`, r.instances);
    let checked = 0;
    for (const r of rows) {
      const f = views.get(`${r.scope_kind} ${r.scope_key}`);
      if (!f) continue;
      expect(Number(r.sort_weight), `${r.scope_kind} ${r.scope_key}`).toBe(weight(f));
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
    // A hand check: c1/shop/Deployment/A-x runs image a with 1 replica: 2 critical, 1 high.
    const ax = rows.find((r) => r.scope_kind === 'workload' && r.scope_key === 'c1/shop/Deployment/A-x');
    expect(toCells(ax?.instance_cells).reduce((s, n) => s + n, 0)).toBe(3);
    expect(Number(ax?.sort_weight)).toBe(2e9 + 1e6);
  });

  const filters: Pick<PostureQuery, 'severity' | 'kev' | 'fixable'>[] = [
    {},
    { severity: 'HIGH' },
    { kev: true },
    { severity: 'MEDIUM', fixable: true },
  ];
  // Every order unfiltered, and the default order under each filter.
  const queries: Pick<PostureQuery, 'severity' | 'kev' | 'fixable' | 'sort'>[] = [
    ...filters.map((f) => ({ ...f, sort: 'instances' as const })),
    ...(['distinct', 'containers', 'key'] as const).map((sort) => ({ sort })),
    { severity: 'HIGH', sort: 'distinct' },
  ];
  const bys: PostureBy[] = ['workload', 'image', 'namespace', 'container'];

  it('pages of every order and filter, followed by next, are the whole answer in its order', async () => {
    let compared = 0;
    for (const by of bys)
      for (const where of [{}, { cluster: 'c2' }])
        for (const qf of queries) {
          const q: PostureQuery = { by, ...qf, ...where };
          const sort = qf.sort!;
          const label = JSON.stringify(q);
          const whole = await getPosture(store, { ...q, top: 0 });
          expect(whole.next, label).toBeUndefined(); // no page asked: today's whole answer
          expect(whole.groups, label).toEqual([...whole.groups].sort(ORDER[sort]));
          const pages = await allPages(store, q, 8);
          expect(pages.flat(), label).toEqual(whole.groups);
          compared += whole.groups.length;
        }
    expect(compared).toBeGreaterThan(500);
    // The default order of the default filter, worked by hand at the top: mix (a + c: 2 critical,
    // 1 high, 2 medium, 4 low) first among c1/shop's workloads.
    const shop = await getPosture(store, {
      by: 'workload',
      cluster: 'c1',
      namespace: 'shop',
      top: 0,
      limit: 2,
    });
    expect(shop.groups.map((g) => g.key)).toEqual(['c1/shop/Deployment/mix', 'c1/shop/Deployment/A-x']);
    expect(shop.next).toEqual(expect.any(String));
  }, 300_000);

  it('a scoped viewer’s pages hold only its scope’s groups, with the scope’s figures', async () => {
    const scopes: AccessScope[] = [
      { clusters: ['c1'] },
      { namespaces: ['edge', 'ops'] },
      { clusters: ['c2'], namespaces: ['shop'] },
      { owners: ['team-a'] },
    ];
    for (const scope of scopes)
      for (const by of ['workload', 'namespace', 'cluster', 'image'] as const)
        for (const f of [{}, { severity: 'HIGH' as const }]) {
          const label = `${JSON.stringify(scope)} ${by} ${JSON.stringify(f)}`;
          const pages = (await allPages(store, { by, scope, ...f }, 3)).flat();
          // The figures of the scope computed from its containers (posture_groups), not stored rows.
          const ff = { minSeverityRank: f.severity ? 3 : undefined };
          const computed = await readRollups(store, by, { scope }, ff);
          expect(pages.map((g) => g.key).sort(byKey), label).toEqual(computed.map((r) => r.key).sort(byKey));
          const byK = new Map(computed.map((r) => [r.key, r]));
          for (const g of pages) {
            expect(g.instances, `${label} ${g.key}`).toEqual(byK.get(g.key)!.instances);
            expect(g.distinctVulnerabilities, `${label} ${g.key}`).toEqual(byK.get(g.key)!.distinct);
            expect(g.containers).toBe(byK.get(g.key)!.containers);
            if (scope.clusters && g.labels.cluster !== undefined)
              expect(scope.clusters).toContain(g.labels.cluster);
            if (scope.namespaces && g.labels.namespace !== undefined)
              expect(scope.namespaces).toContain(g.labels.namespace);
          }
          expect(pages).toEqual([...pages].sort(ORDER.instances));
        }
    // c1 alone: 12 + 1 workloads, none of c2.
    const c1 = (await allPages(store, { by: 'workload', scope: { clusters: ['c1'] } }, 4)).flat();
    expect(c1).toHaveLength(13);
    expect(c1.every((g) => g.key.startsWith('c1/'))).toBe(true);
  }, 300_000);

  it('a cursor the report did not make, or of another order, is an input error', async () => {
    const first = await getPosture(store, { by: 'workload', top: 0, limit: 3 });
    const next = first.next!;
    const second = await getPosture(store, { by: 'workload', top: 0, limit: 3, after: next });
    expect(second.groups[0]!.key).not.toBe(first.groups[2]!.key);
    const tampered = [
      'not-a-cursor',
      `${next}x`,
      Buffer.from('{"sort":"instances","value":"1","key":"k"}').toString('base64url'),
      Buffer.from('{"sort":"instances","value":1}').toString('base64url'),
      Buffer.from('[1,2]').toString('base64url'),
    ];
    for (const after of tampered)
      await expect(getPosture(store, { by: 'workload', top: 0, limit: 3, after }), after).rejects.toThrow(
        InputError,
      );
    // Another order's cursor.
    await expect(
      getPosture(store, { by: 'workload', top: 0, limit: 3, after: next, sort: 'containers' }),
    ).rejects.toThrow(/sort=containers/);
    await expect(getPosture(store, { by: 'workload', top: 0, limit: 0 })).rejects.toThrow(InputError);
  });
});
