// The access scope holds in every read (PGlite and PostgreSQL): a hand-built fleet of 2 clusters ×
// 3 namespaces with environments and owners, and for each scope the figures worked out by hand
// below — list (with keyset paging), roll-ups and totals, priorities, coverage gaps, tag drift,
// match summary, exposure, vuln where / show, container, workload and image detail (not found
// outside the scope), snapshots and validate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessScope } from '../core/access.js';
import type { ContainerObservation } from '../core/types.js';
import { applyInventoryMutation } from '../inventory/apply-inventory-mutation.js';
import { syncPosture } from '../propagation/sync.js';
import { addManifest, addScan, digestOf } from '../propagation/test-support/fleet.js';
import { parseWorkloadSpec } from '../remediation/index.js';
import { queryExposureSummary, snapshotHistory } from '../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { listCoverageGaps } from './coverage.js';
import { showImageDiff } from './image-diff.js';
import { listContainerDocuments } from './list-containers.js';
import { getPosture } from './posture.js';
import { NotFoundError } from './scoped-read.js';
import { showContainer, showWorkload } from './show.js';
import { showImage } from './show-image.js';
import { validatePropagation } from './validate.js';
import { showVulnerability } from './vuln-show.js';
import { vulnWhere } from './vuln-where.js';

const kinds = await storeKindsToTest();

// Images and their findings (all affected; "fix" = has a fixed version):
//   A: CVE-1 CRITICAL (fix), CVE-2 HIGH          → 2 vulnerabilities
//   B: CVE-2 HIGH, CVE-3 MEDIUM (fix)             → 2 vulnerabilities
//   C: CVE-4 LOW                                  → 1 vulnerability
//   D: never scanned
const A = digestOf('scope-A');
const B = digestOf('scope-B');
const C = digestOf('scope-C');
const D = digestOf('scope-D');

// The fleet (running unless said), pod = `${id}-pod`, one inventory source:
//   id     cluster ns    environment owner  workload          image        digest
//   s1     prod    shop  production  team-a shop-web          shop:1       A
//   s2     prod    shop  production  team-a shop-web          shop:1       A
//   s3     prod    shop  production  team-a shop-api          shop-api:1   B
//   gone1  prod    shop  production  team-a shop-old          old:1        C   (removed)
//   c1     prod    cart  production  team-b cart-web          cart:1       B
//   c2     prod    cart  canary      team-b cart-worker       worker:1     C
//   p1     prod    pay   production  team-c pay-web           pay:1        D   (unscanned)
//   p2     prod    pay   production  team-c pay-lost          lost:1       -   (unresolved)
//   t1     stage   shop  staging     team-a shop-web          shop:1       A
//   t2     stage   cart  staging     team-b cart-web          cart:1       C
//   t3     stage   pay   staging     team-c pay-web           pay:1        B
//   d1     -       -     -           -      (pod d1-pod)      worker:1     C   (no cluster/namespace)
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
  ['s1', 'prod', 'shop', 'production', 'team-a', 'shop-web', 'shop:1', A],
  ['s2', 'prod', 'shop', 'production', 'team-a', 'shop-web', 'shop:1', A],
  ['s3', 'prod', 'shop', 'production', 'team-a', 'shop-api', 'shop-api:1', B],
  ['gone1', 'prod', 'shop', 'production', 'team-a', 'shop-old', 'old:1', C],
  ['c1', 'prod', 'cart', 'production', 'team-b', 'cart-web', 'cart:1', B],
  ['c2', 'prod', 'cart', 'canary', 'team-b', 'cart-worker', 'worker:1', C],
  ['p1', 'prod', 'pay', 'production', 'team-c', 'pay-web', 'pay:1', D],
  ['p2', 'prod', 'pay', 'production', 'team-c', 'pay-lost', 'lost:1', null],
  ['t1', 'stage', 'shop', 'staging', 'team-a', 'shop-web', 'shop:1', A],
  ['t2', 'stage', 'cart', 'staging', 'team-b', 'cart-web', 'cart:1', C],
  ['t3', 'stage', 'pay', 'staging', 'team-c', 'pay-web', 'pay:1', B],
  ['d1', null, null, null, null, 'd1', 'worker:1', C],
];

function observation([
  id,
  cluster,
  namespace,
  environment,
  owner,
  workload,
  image,
  digest,
]: Row): ContainerObservation {
  return {
    id,
    cluster: cluster ?? undefined,
    namespace: namespace ?? undefined,
    workloadKind: cluster ? 'Deployment' : undefined,
    workloadName: cluster ? workload : undefined,
    pod: `${id}-pod`,
    container: 'app',
    containerKind: 'regular',
    platform: { os: 'linux', architecture: 'amd64' },
    image,
    digest: digest ?? undefined,
    digestKind: digest ? 'repo' : undefined,
    state: 'running',
    owner: owner ?? undefined,
    environment: environment ?? undefined,
    labels: {},
  };
}

const SHOP: AccessScope = { namespaces: ['shop'] };
const SHOP_OR_CART: AccessScope = { namespaces: ['shop', 'cart'] };
const PROD_CART: AccessScope = { clusters: ['prod'], namespaces: ['cart'] };
const TEAM_C: AccessScope = { owners: ['team-c'] };
const STAGE_SHOP: AccessScope = { clusters: ['stage'], namespaces: ['shop'] };

const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

describe.each(kinds)('access scope on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
    for (const d of [A, B, C, D]) await addManifest(store, d);
    await addScan(store, A, [
      { id: 'CVE-2030-0001', severity: 'CRITICAL', pkg: 'openssl', fixed: '2.0' },
      { id: 'CVE-2030-0002', severity: 'HIGH', pkg: 'zlib' },
    ]);
    await addScan(store, B, [
      { id: 'CVE-2030-0002', severity: 'HIGH', pkg: 'zlib' },
      { id: 'CVE-2030-0003', severity: 'MEDIUM', pkg: 'curl', fixed: '2.0' },
    ]);
    await addScan(store, C, [{ id: 'CVE-2030-0004', severity: 'LOW', pkg: 'bash' }]);
    const source = { name: 'k8s', kind: 'kubernetes' as const };
    await applyInventoryMutation(store, source, {
      type: 'delta',
      added: FLEET.map(observation),
      removed: [],
    });
    await applyInventoryMutation(store, source, { type: 'delta', added: [], removed: ['gone1'] });
    await syncPosture(store);
  }, 240_000);
  afterAll(async () => {
    await store?.dispose();
  });

  it('lists only the containers inside the scope, a page at a time', async () => {
    // Order: source, cluster, namespace, pod, id, NULLs last: prod/cart, prod/pay, prod/shop,
    // stage/cart, stage/pay, stage/shop, then d1 (no cluster).
    const all = await listContainerDocuments(store);
    expect(ids(all.items)).toEqual(['c1', 'c2', 'p1', 'p2', 's1', 's2', 's3', 't2', 't3', 't1', 'd1']);
    expect(all.next).toBeNull();
    // shop or cart: prod/cart c1 c2, prod/shop s1 s2 s3, stage/cart t2, stage/shop t1 = 7.
    expect(ids((await listContainerDocuments(store, { scope: SHOP_OR_CART })).items)).toEqual([
      'c1',
      'c2',
      's1',
      's2',
      's3',
      't2',
      't1',
    ]);
    // With --all the removed gone1 joins prod/shop (pod gone1-pod sorts before s1-pod).
    const withGone = await listContainerDocuments(store, { scope: SHOP, includeRemoved: true });
    expect(ids(withGone.items)).toEqual(['gone1', 's1', 's2', 's3', 't1']);
    expect(withGone.items[0]).toMatchObject({ state: 'removed', imageDigest: C });
    expect(ids((await listContainerDocuments(store, { scope: PROD_CART })).items)).toEqual(['c1', 'c2']);
    expect(ids((await listContainerDocuments(store, { scope: TEAM_C })).items)).toEqual(['p1', 'p2', 't3']);
    expect(ids((await listContainerDocuments(store, { scope: { environments: ['canary'] } })).items)).toEqual(
      ['c2'],
    );

    // Pages of 3 over the 7 of shop-or-cart: 3 + 3 + 1, the last without a next cursor.
    const p1 = await listContainerDocuments(store, { scope: SHOP_OR_CART, limit: 3 });
    expect(ids(p1.items)).toEqual(['c1', 'c2', 's1']);
    const p2 = await listContainerDocuments(store, { scope: SHOP_OR_CART, limit: 3, after: p1.next! });
    expect(ids(p2.items)).toEqual(['s2', 's3', 't2']);
    const p3 = await listContainerDocuments(store, { scope: SHOP_OR_CART, limit: 3, after: p2.next! });
    expect(ids(p3.items)).toEqual(['t1']);
    expect(p3.next).toBeNull();
    // Pages of 2 over the whole fleet cross the NULL cluster of d1 without skipping it.
    const paged: string[] = [];
    let after: string | undefined;
    do {
      const page = await listContainerDocuments(store, { limit: 2, after });
      paged.push(...ids(page.items));
      after = page.next ?? undefined;
    } while (after);
    expect(paged).toEqual(ids(all.items));
    await expect(listContainerDocuments(store, { after: 'not-a-cursor' })).rejects.toThrow(/cursor/);
    await expect(listContainerDocuments(store, { limit: 0 })).rejects.toThrow(/positive integer/);
  });

  it('computes roll-ups and totals over the scope alone, distinct as a union', async () => {
    // Fleet: 11 running; distinct A∪B∪C = CVE-1 C, CVE-2 H, CVE-3 M, CVE-4 L = 4;
    // instances s1 2 + s2 2 + s3 2 + c1 2 + c2 1 + t1 2 + t2 1 + t3 2 + d1 1 = 15.
    const fleet = await getPosture(store, {});
    expect(fleet.totals.containers).toBe(11);
    expect(fleet.totals.distinctVulnerabilities).toMatchObject({
      critical: 1,
      high: 1,
      medium: 1,
      low: 1,
      total: 4,
    });
    expect(fleet.totals.instances.total).toBe(15);

    // shop: s1 s2 s3 t1 = 4; distinct A∪B = CVE-1, CVE-2, CVE-3 = 3;
    // instances 2+2+2+2 = 8 (critical s1 s2 t1 = 3, high in all 4, medium s3 = 1).
    const shop = await getPosture(store, { scope: SHOP });
    expect(shop.totals.containers).toBe(4);
    expect(shop.totals.distinctVulnerabilities).toMatchObject({
      critical: 1,
      high: 1,
      medium: 1,
      low: 0,
      total: 3,
    });
    expect(shop.totals.instances).toMatchObject({ critical: 3, high: 4, medium: 1, low: 0, total: 8 });
    expect(shop.groups.map((g) => [g.key, g.containers])).toEqual([
      ['prod/shop', 3],
      ['stage/shop', 1],
    ]);

    // shop or cart: 7 containers; distinct A∪B∪C = 4 — not shop 3 + cart (B∪C = 3) = 6;
    // instances 8 + c1 2 + c2 1 + t2 1 = 12.
    const two = await getPosture(store, { scope: SHOP_OR_CART, by: 'namespace' });
    expect(two.totals.containers).toBe(7);
    expect(two.totals.distinctVulnerabilities).toMatchObject({
      critical: 1,
      high: 1,
      medium: 1,
      low: 1,
      total: 4,
    });
    expect(two.totals.instances.total).toBe(12);
    expect(two.totals.summary.findings.total).toBe(5); // A 2 + B 2 + C 1 findings, each image once
    expect(two.groups.map((g) => g.key).sort()).toEqual([
      'prod/cart',
      'prod/shop',
      'stage/cart',
      'stage/shop',
    ]);

    // prod and cart: c1 (B) + c2 (C) = 2; distinct B∪C = CVE-2 H, CVE-3 M, CVE-4 L = 3; instances 3.
    const pc = await getPosture(store, { scope: PROD_CART, by: 'cluster' });
    expect(pc.totals.containers).toBe(2);
    expect(pc.totals.distinctVulnerabilities).toMatchObject({
      critical: 0,
      high: 1,
      medium: 1,
      low: 1,
      total: 3,
    });
    expect(pc.totals.instances.total).toBe(3);
    expect(pc.groups.map((g) => [g.key, g.containers])).toEqual([['prod', 2]]);

    // team-c: p1 (unscanned) p2 (unresolved) t3 (B) = 3; distinct B = 2; instances 2.
    const tc = await getPosture(store, { scope: TEAM_C, by: 'owner' });
    expect(tc.totals.containers).toBe(3);
    expect(tc.totals.distinctVulnerabilities.total).toBe(2);
    expect(tc.groups).toMatchObject([{ key: 'team-c', containers: 3, unresolved: 1, unscanned: 1 }]);

    // A scope and a filter combine: shop-or-cart filtered to cluster stage = t1 (A) + t2 (C):
    // distinct CVE-1, CVE-2, CVE-4 = 3.
    const staged = await getPosture(store, { scope: SHOP_OR_CART, cluster: 'stage' });
    expect(staged.totals.containers).toBe(2);
    expect(staged.totals.distinctVulnerabilities.total).toBe(3);
    // An empty scope restricts nothing.
    expect((await getPosture(store, { scope: {} })).totals).toEqual(fleet.totals);
  });

  it('prioritises, lists coverage gaps, tag drift, match methods and exposure within the scope', async () => {
    // shop: CVE-1 critical on s1 s2 t1 (3 containers, image A); CVE-2 high on all 4 (A, B);
    // CVE-3 medium on s3 (B).
    const shop = await getPosture(store, { scope: SHOP });
    expect(shop.priorities.map((p) => [p.vulnerabilityId, p.containers, p.images])).toEqual([
      ['CVE-2030-0001', 3, 1],
      ['CVE-2030-0002', 4, 2],
      ['CVE-2030-0003', 1, 1],
    ]);
    // Fleet: CVE-2 runs on s1 s2 s3 c1 t1 t3 = 6.
    const fleet = await getPosture(store, {});
    expect(fleet.priorities.find((p) => p.vulnerabilityId === 'CVE-2030-0002')?.containers).toBe(6);
    // prod/cart: CVE-2 (c1), CVE-3 (c1), CVE-4 (c2), one container each.
    const pc = await getPosture(store, { scope: PROD_CART });
    expect(pc.priorities.map((p) => [p.vulnerabilityId, p.containers])).toEqual([
      ['CVE-2030-0002', 1],
      ['CVE-2030-0003', 1],
      ['CVE-2030-0004', 1],
    ]);

    // Gaps: the fleet's are p2 (unresolved lost:1) and p1 (D never scanned), both team-c's.
    expect(fleet.coverage.gaps.map((g) => [g.reason, g.image, g.containers])).toEqual([
      ['never-scanned', 'pay:1', 1],
      ['unresolved', 'lost:1', 1],
    ]);
    expect(shop.coverage.gaps).toEqual([]);
    expect((await listCoverageGaps(store, {}, new Date(), { scope: TEAM_C })).map((g) => g.reason)).toEqual([
      'never-scanned',
      'unresolved',
    ]);
    expect(await listCoverageGaps(store, {}, new Date(), { scope: SHOP_OR_CART })).toEqual([]);

    // Tag drift: cart:1 runs as B (c1) and C (t2); pay:1 as D (p1) and B (t3).
    const sorted = (...d: string[]) => d.sort();
    expect(fleet.coverage.tagDrift).toEqual([
      { image: 'cart:1', digests: sorted(B, C), containers: 2 },
      { image: 'pay:1', digests: sorted(B, D), containers: 2 },
    ]);
    // Within shop or cart only cart:1 drifts; within prod each tag runs one digest.
    expect((await getPosture(store, { scope: SHOP_OR_CART })).coverage.tagDrift).toEqual([
      { image: 'cart:1', digests: sorted(B, C), containers: 2 },
    ]);
    expect((await getPosture(store, { scope: { clusters: ['prod'] } })).coverage.tagDrift).toEqual([]);

    // Match methods: fleet 10 by digest + 1 unresolved; shop 4 by digest; team-c 2 + 1.
    const methods = (r: typeof fleet) => r.coverage.matchMethods.map((m) => [m.matchMethod, m.containers]);
    expect(methods(fleet)).toEqual([
      ['manifest-digest', 10],
      ['unresolved', 1],
    ]);
    expect(methods(shop)).toEqual([['manifest-digest', 4]]);
    expect(methods(await getPosture(store, { scope: TEAM_C }))).toEqual([
      ['manifest-digest', 2],
      ['unresolved', 1],
    ]);

    // Exposure (24 h): shop = 4 running + gone1 (removed just now, so short-lived) = 5 seen;
    // cart = 3 running (c1 c2 t2), none gone.
    expect(shop.exposure).toMatchObject({ containersSeen: 5, gone: 1, shortLived: 1 });
    const since = new Date(Date.now() - 86400e3);
    expect(await queryExposureSummary(store, since, { scope: { namespaces: ['cart'] } })).toMatchObject({
      containersSeen: 3,
      gone: 0,
    });
    expect(fleet.exposure).toMatchObject({ containersSeen: 12, gone: 1 });
  });

  it('answers vuln where and vuln show within the scope', async () => {
    // CVE-3 is in B: s3 (prod/shop), c1 (prod/cart), t3 (stage/pay).
    expect(
      ids((await vulnWhere(store, 'CVE-2030-0003')).containers.map((c) => ({ id: c.containerId }))),
    ).toEqual(['c1', 's3', 't3']);
    const cart = await vulnWhere(store, 'CVE-2030-0003', {}, { scope: { namespaces: ['cart'] } });
    expect(cart.containers.map((c) => c.containerId)).toEqual(['c1']);
    expect(cart.images).toEqual([B]);
    const teamA = await vulnWhere(store, 'CVE-2030-0003', {}, { scope: { owners: ['team-a'] } });
    expect(teamA.workloads).toEqual([
      { cluster: 'prod', namespace: 'shop', kind: 'Deployment', name: 'shop-api', containers: 1 },
    ]);
    // CVE-1 is only in A, which nothing in cart runs: unknown to a cart viewer (no advisory names it).
    const hidden = await vulnWhere(store, 'CVE-2030-0001', {}, { scope: { namespaces: ['cart'] } });
    expect(hidden).toMatchObject({ known: false, ids: [], containers: [] });
    expect((await vulnWhere(store, 'CVE-2030-0001')).known).toBe(true);

    expect((await showVulnerability(store, 'CVE-2030-0002')).images.map((i) => i.imageDigest).sort()).toEqual(
      sorted2(A, B),
    );
    // prod/cart runs B only.
    expect(
      (await showVulnerability(store, 'CVE-2030-0002', { scope: PROD_CART })).images.map(
        (i) => i.imageDigest,
      ),
    ).toEqual([B]);
    await expect(showVulnerability(store, 'CVE-2030-0001', { scope: PROD_CART })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('shows a container, workload or image only inside the scope', async () => {
    expect((await showContainer(store, 'c1', {}, new Date(), { scope: PROD_CART })).imageDigest).toBe(B);
    await expect(showContainer(store, 's1', {}, new Date(), { scope: PROD_CART })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    // A prefix matching several containers finds only those in scope: "s" → s1 s2 s3 in shop, none in cart.
    await expect(
      showContainer(store, 's', {}, new Date(), { scope: { namespaces: ['cart'] } }),
    ).rejects.toBeInstanceOf(NotFoundError);

    // shop-web runs in prod (s1 s2) and stage (t1); a stage/shop viewer names it without a cluster.
    const spec = parseWorkloadSpec('shop/Deployment/shop-web');
    await expect(showWorkload(store, spec)).rejects.toThrow(/clusters prod, stage/);
    const staged = await showWorkload(store, spec, {}, new Date(), { scope: STAGE_SHOP });
    expect(staged.workload).toBe('stage/shop/Deployment/shop-web');
    expect(staged.containers.map((c) => c.id)).toEqual(['t1']);
    const prod = await showWorkload(
      store,
      parseWorkloadSpec('prod/shop/Deployment/shop-web'),
      {},
      new Date(),
      {
        scope: SHOP,
      },
    );
    // s1 s2 both run A: distinct 2 (critical 1, high 1), instances 4.
    expect(prod.distinctVulnerabilities).toMatchObject({ critical: 1, high: 1, total: 2 });
    expect(prod.instances.total).toBe(4);
    expect(prod.history.length).toBeGreaterThan(0);
    await expect(
      showWorkload(store, parseWorkloadSpec('prod/shop/Deployment/shop-web'), {}, new Date(), {
        scope: PROD_CART,
      }),
    ).rejects.toBeInstanceOf(NotFoundError);

    // C runs in prod/cart (c2), stage/cart (t2), on d1, and ran in prod/shop (gone1, removed).
    expect((await showImage(store, C, undefined, { scope: SHOP })).digest).toBe(C);
    await expect(showImage(store, C, undefined, { scope: STAGE_SHOP })).rejects.toBeInstanceOf(NotFoundError);
    await expect(showImage(store, A, undefined, { scope: TEAM_C })).rejects.toBeInstanceOf(NotFoundError);
    expect((await showImage(store, A, undefined, { scope: STAGE_SHOP })).summary?.vulnerabilities.total).toBe(
      2,
    );
    // image diff: both images must be visible.
    expect((await showImageDiff(store, A, B, { scope: SHOP })).summary).toEqual({
      fixed: 1,
      introduced: 1,
      unchanged: 1,
    });
    await expect(showImageDiff(store, A, C, { scope: STAGE_SHOP })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reads snapshots only of scopes wholly inside the access scope', async () => {
    const keys = (rows: { scopeKey: string }[]) => [...new Set(rows.map((r) => r.scopeKey))].sort();
    const ns = ['prod/shop', 'prod/cart', 'stage/shop'];
    expect(keys(await snapshotHistory(store, 'namespace', ns, 100))).toEqual([
      'prod/cart',
      'prod/shop',
      'stage/shop',
    ]);
    expect(keys(await snapshotHistory(store, 'namespace', ns, 100, SHOP))).toEqual([
      'prod/shop',
      'stage/shop',
    ]);
    expect(keys(await snapshotHistory(store, 'namespace', ns, 100, PROD_CART))).toEqual(['prod/cart']);
    // A namespace is not wholly one owner's: an owner-scoped caller sees none of them.
    expect(await snapshotHistory(store, 'namespace', ns, 100, TEAM_C)).toEqual([]);
    expect(await snapshotHistory(store, 'fleet', ['fleet'], 100, SHOP)).toEqual([]);
    expect(keys(await snapshotHistory(store, 'fleet', ['fleet'], 100, {}))).toEqual(['fleet']);
    expect(
      keys(await snapshotHistory(store, 'cluster', ['prod', 'stage'], 100, { clusters: ['stage'] })),
    ).toEqual(['stage']);
    // Workloads: every container of prod/shop shop-web (s1 s2) is team-a's.
    const wl = ['prod/shop/Deployment/shop-web'];
    expect(keys(await snapshotHistory(store, 'workload', wl, 100, { owners: ['team-a'] }))).toEqual(wl);
    expect(await snapshotHistory(store, 'workload', wl, 100, { owners: ['team-b'] })).toEqual([]);
    expect(keys(await snapshotHistory(store, 'owner', ['team-a', 'team-c'], 100, TEAM_C))).toEqual([
      'team-c',
    ]);
  });

  it('validates within the scope', async () => {
    const checks = async (scope: AccessScope) =>
      Object.fromEntries(
        (
          await validatePropagation(store, { image: A, vulnerability: 'CVE-2030-0001' }, {}, new Date(), {
            scope,
          })
        ).checks.map((c) => [c.name, c]),
      );
    const shop = await checks(SHOP);
    expect(shop['image-scanned-with-vulnerability']!.status).toBe('pass');
    // s1 s2 → prod/shop shop-web; t1 → stage/shop shop-web.
    expect(shop['workload-in-inventory']!.evidence).toBe(
      'prod/shop/Deployment/shop-web (running, manifest-digest); stage/shop/Deployment/shop-web (running, manifest-digest)',
    );
    // shop: 4 containers compared on A and B.
    expect(shop['posture-counts-match']!.evidence).toBe('4 containers on 2 images: counts equal');
    const cart = await checks({ namespaces: ['cart'] });
    expect(cart['image-scanned-with-vulnerability']!.status).toBe('fail');
    expect(cart['workload-in-inventory']!.status).toBe('fail');
  });
});

function sorted2(...d: string[]): string[] {
  return d.sort();
}
