// vuln where a page at a time (PGlite and PostgreSQL), over a hand-built fleet whose order has every
// awkward case: NULL cluster, namespace, kind and workload name (a bare pod shows its pod name), a
// kind-less workload and a bare pod that show the same name, ids that do not sort like their
// workloads, a removed carrier and a container whose image does not carry the CVE. For every scope
// and page size the pages, joined, are exactly the whole list (no repeat, no gap, same order), and
// every page's workloads and images (aggregated in SQL) equal the whole list's (gathered from all
// rows). A cursor is the last row's place, so it survives that container going; a cursor the
// listing did not return is an input error (400 through the API), never a crash. An id that two
// canonical ids alias, both on one image, lists its containers once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessScope } from '../core/access.js';
import { InputError } from '../core/errors.js';
import type { ContainerObservation } from '../core/types.js';
import { applyInventoryMutation } from '../inventory/apply-inventory-mutation.js';
import { syncPosture } from '../propagation/sync.js';
import { addManifest, addScan, digestOf } from '../propagation/test-support/fleet.js';
import { queryVulnWhere, saveScan } from '../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { type VulnWhere, vulnWhere } from './vuln-where.js';

const kinds = await storeKindsToTest();

const CVE = 'CVE-2031-0001'; // on A (HIGH, two packages) and B (CRITICAL)
const ALIAS = 'CVE-2031-0009'; // named by GHSA-0001 and GHSA-0002, both on G
const A = digestOf('vw-A');
const B = digestOf('vw-B');
const C = digestOf('vw-C');
const G = digestOf('vw-G');

// id, cluster, namespace, kind, workload name, pod, image, owner
type Row = [
  string,
  string | null,
  string | null,
  string | null,
  string | null,
  string,
  string,
  string | null,
];
const FLEET: Row[] = [
  ['p-web-2', 'prod', 'a', 'Deployment', 'web', 'web-2', A, 'team-a'],
  ['p-web-1', 'prod', 'a', 'Deployment', 'web', 'web-1', A, 'team-a'],
  ['p-api-1', 'prod', 'a', 'Deployment', 'api', 'api-1', B, 'team-a'],
  ['p-job', 'prod', 'a', 'Job', 'batch', 'batch-x', A, 'team-b'],
  ['p-bare', 'prod', 'a', null, null, 'web', B, 'team-b'],
  ['p-named', 'prod', 'a', null, 'web', 'other', A, 'team-b'],
  ['p-bare2', 'prod', 'a', null, null, 'aaa', A, 'team-b'],
  ['p-nons', 'prod', null, 'Deployment', 'web', 'w', A, 'team-a'],
  ['s-web-1', 'stage', 'b', 'Deployment', 'web', 'web-1', B, 'team-b'],
  ['s-c', 'stage', 'b', 'Deployment', 'web', 'web-3', C, 'team-b'],
  ['s-gone', 'stage', 'b', 'Deployment', 'web', 'web-9', A, 'team-b'],
  ['x-1', null, null, null, null, 'x-pod', B, null],
  ['a-1', null, null, null, null, 'a-pod', A, null],
  ['g-1', 'stage', 'b', 'Deployment', 'alias', 'al-1', G, 'team-a'],
];
// By hand: cluster, namespace, kind, stored workload name, id; NULLs last.
const ORDER = [
  'p-api-1',
  'p-web-1',
  'p-web-2',
  'p-job',
  'p-named',
  'p-bare',
  'p-bare2',
  'p-nons',
  's-web-1',
  'a-1',
  'x-1',
];

function observation([id, cluster, namespace, kind, name, pod, digest, owner]: Row): ContainerObservation {
  return {
    id,
    cluster: cluster ?? undefined,
    namespace: namespace ?? undefined,
    workloadKind: kind ?? undefined,
    workloadName: name ?? undefined,
    pod,
    container: 'app',
    containerKind: 'regular',
    platform: { os: 'linux', architecture: 'amd64' },
    image: `img-${id}:1`,
    digest,
    digestKind: 'repo',
    state: 'running',
    owner: owner ?? undefined,
    labels: {},
  };
}

const SCOPES: [string, AccessScope][] = [
  ['the fleet', {}],
  ['namespace a', { namespaces: ['a'] }],
  ['cluster prod', { clusters: ['prod'] }],
  ['team-b', { owners: ['team-b'] }],
  ['stage or a NULL-free nowhere', { clusters: ['stage', 'nowhere'] }],
  ['nothing', { namespaces: ['nowhere'] }],
];

async function walk(store: TestStore, id: string, scope: AccessScope, limit: number) {
  const pages: VulnWhere[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await vulnWhere(store, id, {}, { scope, limit, cursor });
    pages.push(page);
    if (!page.next) break;
    cursor = page.next;
  }
  return pages;
}

const b64 = (x: unknown) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');

describe.each(kinds)('vuln where, paged, on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
    for (const d of [A, B, C, G]) await addManifest(store, d);
    await addScan(store, A, [
      { id: CVE, severity: 'HIGH', pkg: 'openssl', fixed: '2.0' },
      { id: CVE, severity: 'HIGH', pkg: 'zlib' },
    ]);
    await addScan(store, B, [{ id: CVE, severity: 'CRITICAL', pkg: 'curl' }]);
    await addScan(store, C, [{ id: 'CVE-2031-0002', severity: 'LOW', pkg: 'bash' }]);
    await saveScan(store, {
      imageDigest: G,
      source: 'runsight',
      status: 'complete',
      errors: [],
      packages: [{ ecosystem: 'Debian:12', name: 'libx', version: '1.0' }],
      findings: ['GHSA-0001', 'GHSA-0002'].map((id, i) => ({
        id,
        aliases: [ALIAS],
        package: { ecosystem: 'Debian:12', name: 'libx' },
        installedVersion: '1.0',
        severity: i ? 'CRITICAL' : 'LOW',
        kev: false,
        status: 'affected',
        source: 'runsight',
      })),
    });
    const source = { name: 'k8s', kind: 'kubernetes' as const };
    await applyInventoryMutation(store, source, {
      type: 'delta',
      added: FLEET.map(observation),
      removed: [],
    });
    await applyInventoryMutation(store, source, { type: 'delta', added: [], removed: ['s-gone'] });
    await syncPosture(store);
  }, 240_000);
  afterAll(async () => {
    await store?.dispose();
  });

  it('lists the whole fleet in the order worked by hand, with its workloads and images', async () => {
    const whole = await vulnWhere(store, CVE);
    expect(whole.containers.map((c) => c.containerId)).toEqual(ORDER);
    expect(whole.workloads).toEqual([
      { cluster: 'prod', namespace: 'a', kind: 'Deployment', name: 'api', containers: 1 },
      { cluster: 'prod', namespace: 'a', kind: 'Deployment', name: 'web', containers: 2 },
      { cluster: 'prod', namespace: 'a', kind: 'Job', name: 'batch', containers: 1 },
      // p-named (stored name web) and p-bare (pod web) show the same workload.
      { cluster: 'prod', namespace: 'a', kind: null, name: 'web', containers: 2 },
      { cluster: 'prod', namespace: 'a', kind: null, name: 'aaa', containers: 1 },
      { cluster: 'prod', namespace: null, kind: 'Deployment', name: 'web', containers: 1 },
      { cluster: 'stage', namespace: 'b', kind: 'Deployment', name: 'web', containers: 1 },
      { cluster: null, namespace: null, kind: null, name: 'a-pod', containers: 1 },
      { cluster: null, namespace: null, kind: null, name: 'x-pod', containers: 1 },
    ]);
    expect(whole.images).toEqual([B, A]);
    expect(whole.containers.find((c) => c.containerId === 'p-web-1')!.packages).toHaveLength(2);
    expect('next' in whole).toBe(false);
  });

  it.each(
    SCOPES.flatMap(([name, scope]) => [1, 2, 3, 4, 11, 12, 1000].map((n) => [name, scope, n] as const)),
  )(
    '%s in pages of %i: the pages are the whole list, each with its workloads and images',
    async (_name, scope, limit) => {
      const whole = await vulnWhere(store, CVE, {}, { scope });
      const pages = await walk(store, CVE, scope, limit);
      expect(pages.flatMap((p) => p.containers)).toEqual(whole.containers);
      expect(pages).toHaveLength(Math.max(1, Math.ceil(whole.containers.length / limit)));
      expect(pages.at(-1)!.next).toBeNull();
      for (const p of pages) {
        expect(p.containers.length).toBeLessThanOrEqual(limit);
        expect(p.workloads).toEqual(whole.workloads);
        expect(p.images).toEqual(whole.images);
        expect([p.known, p.ids]).toEqual([whole.known, whole.ids]);
      }
    },
  );

  it('keeps a scoped viewer to its scope on every page and in the figures', async () => {
    const pages = await walk(store, CVE, { owners: ['team-b'] }, 2);
    // team-b: p-job, p-named, p-bare, p-bare2, s-web-1 (s-c carries nothing, s-gone is gone).
    expect(pages.map((p) => p.containers.map((c) => c.containerId))).toEqual([
      ['p-job', 'p-named'],
      ['p-bare', 'p-bare2'],
      ['s-web-1'],
    ]);
    expect(pages[0]!.workloads.reduce((n, w) => n + w.containers, 0)).toBe(5);
    expect(pages[0]!.images).toEqual([A, B]);
    const none = await vulnWhere(store, CVE, {}, { scope: { namespaces: ['nowhere'] }, limit: 5 });
    expect(none).toMatchObject({
      known: false,
      ids: [],
      containers: [],
      workloads: [],
      images: [],
      next: null,
    });
  });

  it('reads one page (limit + 1 rows) in SQL and keys it by the stored workload name', async () => {
    const page = await queryVulnWhere(store, [CVE], undefined, { limit: 6 });
    expect(page.rows.map((r) => r.containerId)).toEqual(ORDER.slice(0, 6));
    // p-bare: a bare pod, its stored workload name NULL (shown as its pod, "web").
    expect(page.rows[5]!.workloadName).toBe('web');
    expect(page.next).toEqual(['prod', 'a', null, null, 'p-bare']);
    const rest = await queryVulnWhere(store, [CVE], undefined, { after: page.next! });
    expect(rest.rows.map((r) => r.containerId)).toEqual(ORDER.slice(6));
    expect(rest.next).toBeNull();
    await expect(queryVulnWhere(store, [CVE], undefined, { limit: 0 })).rejects.toThrow(/positive integer/);
  });

  it('lists once a container whose image carries two ids that alias the one asked for', async () => {
    const whole = await vulnWhere(store, ALIAS);
    expect(whole.ids.sort()).toEqual(['GHSA-0001', 'GHSA-0002']);
    expect(whole.containers.map((c) => [c.containerId, c.severity])).toEqual([['g-1', 'CRITICAL']]);
    expect(whole.workloads).toEqual([
      { cluster: 'stage', namespace: 'b', kind: 'Deployment', name: 'alias', containers: 1 },
    ]);
    const pages = await walk(store, ALIAS, {}, 1);
    expect(pages.flatMap((p) => p.containers)).toEqual(whole.containers);
  });

  it.each([
    ['not base64 JSON', 'bm9wZQ'],
    ['not base64 at all', '%%'],
    ['numbers', b64([1, 2, 3, 4, 5])],
    ['four parts', b64(['prod', 'a', 'Deployment', 'api'])],
    ['a NULL id', b64(['prod', 'a', 'Deployment', 'api', null])],
    ['an object', b64({ sort: 'x', key: [] })],
    ['JSON written otherwise', b64('[ "prod","a","Deployment","api","p-api-1"]')],
    ['an id cursor of before', b64('p-api-1')],
  ])('a cursor the listing did not return (%s) is an input error', async (_what, cursor) => {
    await expect(vulnWhere(store, CVE, {}, { limit: 2, cursor })).rejects.toBeInstanceOf(InputError);
    await expect(vulnWhere(store, CVE, {}, { limit: 2, cursor })).rejects.toThrow(
      /cursor .* not one this listing returned/,
    );
  });

  it('refuses a limit that is not a positive integer', async () => {
    for (const limit of [0, -1, 1.5])
      await expect(vulnWhere(store, CVE, {}, { limit })).rejects.toBeInstanceOf(InputError);
  });

  // Last: it changes the fleet.
  it('continues after a cursor whose container has gone since', async () => {
    const first = await vulnWhere(store, CVE, {}, { limit: 2 });
    expect(first.containers.map((c) => c.containerId)).toEqual(['p-api-1', 'p-web-1']);
    await applyInventoryMutation(
      store,
      { name: 'k8s', kind: 'kubernetes' },
      {
        type: 'delta',
        added: [],
        removed: ['p-web-1'],
      },
    );
    const second = await vulnWhere(store, CVE, {}, { limit: 2, cursor: first.next! });
    expect(second.containers.map((c) => c.containerId)).toEqual(['p-web-2', 'p-job']);
    expect(second.workloads.find((w) => w.kind === 'Deployment' && w.name === 'web')!.containers).toBe(1);
  });
});
