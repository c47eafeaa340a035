// Propagation over a real store (PGlite and PostgreSQL): resolution, per-image roll-ups joined to
// containers, the two labelled figures, VEX, source choice, CVE-first view, coverage gaps,
// snapshots and rollout, and incremental updates equal to a full recompute.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PostureFilter } from '../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { listInUseScanTargets } from '../views/coverage.js';
import { getPosture, POSTURE_BY } from '../views/posture.js';
import { showContainer, showWorkload } from '../views/show.js';
import { vulnWhere } from '../views/vuln-where.js';
import type { FindingFilter } from './cells.js';
import { computeRollup, readRollups, toRollupRow } from './rollups.js';
import { applyPostureDelta, maintainPosture, recomputePosture, syncPosture } from './sync.js';
import {
  addContainers,
  addIndex,
  addManifest,
  addScan,
  addSource,
  addTag,
  digestOf,
} from './test-support/fleet.js';

const kinds = await storeKindsToTest();

const APP_V1 = digestOf('app-v1');
const APP_V2 = digestOf('app-v2');
const WEB_INDEX = digestOf('web-index');
const WEB_AMD = digestOf('web-amd64');
const WEB_ARM = digestOf('web-arm64');
const UNSCANNED = digestOf('unscanned');

async function seed(store: TestStore) {
  const src = await addSource(store);
  await addManifest(store, APP_V1);
  await addManifest(store, APP_V2);
  await addManifest(store, WEB_AMD);
  await addManifest(store, WEB_ARM, { arch: 'arm64', variant: 'v8' });
  await addIndex(store, WEB_INDEX, [
    { digest: WEB_AMD, arch: 'amd64' },
    { digest: WEB_ARM, arch: 'arm64', variant: 'v8' },
  ]);
  await addManifest(store, UNSCANNED);
  await addTag(
    store,
    { registry: 'docker.io', repository: 'library/app', tag: 'prod' },
    APP_V1,
    new Date('2026-01-01T00:00:00Z'),
  );
  await addScan(store, APP_V1, [
    { id: 'CVE-2024-0001', severity: 'CRITICAL', pkg: 'openssl', fixed: '3.0.1' },
    { id: 'CVE-2024-0001', severity: 'HIGH', pkg: 'libssl3', fixed: '3.0.1' },
    { id: 'CVE-2024-0002', severity: 'HIGH', pkg: 'zlib' },
    { id: 'CVE-2024-0003', severity: 'LOW', pkg: 'bash', status: 'not_affected' },
  ]);
  await addScan(store, APP_V2, [{ id: 'CVE-2024-0002', severity: 'HIGH', pkg: 'zlib' }]);
  await addScan(store, WEB_AMD, [{ id: 'CVE-2024-0009', severity: 'MEDIUM', pkg: 'nginx', fixed: '1.2' }]);
  await addScan(store, WEB_ARM, [
    { id: 'CVE-2024-0009', severity: 'MEDIUM', pkg: 'nginx', fixed: '1.2' },
    { id: 'CVE-2024-0010', severity: 'CRITICAL', pkg: 'nginx' },
  ]);
  await addContainers(store, src, [
    { id: 'app/1', image: 'app:prod', digest: APP_V1, workloadName: 'app', namespace: 'shop' },
    { id: 'app/2', image: 'app:prod', digest: APP_V1, workloadName: 'app', namespace: 'shop' },
    {
      id: 'tagonly/1',
      image: 'app:prod',
      startedAt: new Date('2026-01-05T00:00:00Z'),
      workloadName: 'tagonly',
      namespace: 'shop',
    },
    {
      id: 'web/amd',
      image: 'web:1',
      digest: WEB_INDEX,
      workloadName: 'web',
      namespace: 'edge',
      workloadKind: 'DaemonSet',
    },
    {
      id: 'web/arm',
      image: 'web:1',
      digest: WEB_INDEX,
      platform: 'linux/arm64',
      workloadName: 'web',
      namespace: 'edge',
      workloadKind: 'DaemonSet',
    },
    { id: 'lost/1', image: 'nowhere:1', workloadName: 'lost', namespace: 'edge', owner: null },
    { id: 'gap/1', image: 'gap:1', digest: UNSCANNED, workloadName: 'gap', namespace: 'edge' },
  ]);
  return src;
}

describe.each(kinds)('propagation on %s', (kind) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await createTestStore(kind);
  });
  afterEach(async () => {
    await store?.dispose();
  });

  it('resolves every container with method and confidence, and never drops the unresolved', async () => {
    await seed(store);
    await syncPosture(store);
    const rows = await store.db
      .selectFrom('containers')
      .select(['id', 'image_digest', 'match_method', 'confidence'])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: 'app/1', image_digest: APP_V1, match_method: 'manifest-digest', confidence: 'exact' },
      { id: 'app/2', image_digest: APP_V1, match_method: 'manifest-digest', confidence: 'exact' },
      { id: 'gap/1', image_digest: UNSCANNED, match_method: 'manifest-digest', confidence: 'exact' },
      { id: 'lost/1', image_digest: null, match_method: 'unresolved', confidence: 'none' },
      { id: 'tagonly/1', image_digest: APP_V1, match_method: 'tag-at-start', confidence: 'inferred' },
      { id: 'web/amd', image_digest: WEB_AMD, match_method: 'index-digest+platform', confidence: 'exact' },
      { id: 'web/arm', image_digest: WEB_ARM, match_method: 'index-digest+platform', confidence: 'exact' },
    ]);
  });

  it('gives each container exactly its image counts, and labels distinct vs instances in roll-ups', async () => {
    await seed(store);
    await maintainPosture(store);
    const report = await getPosture(store, { by: 'container' });
    const byId = new Map(report.groups.map((g) => [g.key, g]));
    // APP_V1: CVE-1 critical (highest of its two packages), CVE-2 high; the not_affected one is gone.
    expect(byId.get('app/1')!.distinctVulnerabilities).toMatchObject({
      critical: 1,
      high: 1,
      medium: 0,
      low: 0,
      total: 2,
      fixable: 1,
    });
    expect(byId.get('web/arm')!.distinctVulnerabilities).toMatchObject({ critical: 1, medium: 1, total: 2 });
    expect(byId.get('web/amd')!.distinctVulnerabilities).toMatchObject({ critical: 0, medium: 1, total: 1 });

    const ns = await getPosture(store, { by: 'namespace' });
    const shop = ns.groups.find((g) => g.key === 'prod/shop')!;
    expect(shop.containers).toBe(3);
    expect(shop.distinctVulnerabilities).toMatchObject({ critical: 1, high: 1, total: 2 });
    expect(shop.instances).toMatchObject({ critical: 3, high: 3, total: 6 });
    const edge = ns.groups.find((g) => g.key === 'prod/edge')!;
    expect(edge).toMatchObject({ containers: 4, unresolved: 1, unscanned: 1 });
    expect(edge.distinctVulnerabilities).toMatchObject({ critical: 1, medium: 1, total: 2 });
    expect(edge.instances).toMatchObject({ critical: 1, medium: 2, total: 3 });
    expect(ns.totals.distinctVulnerabilities.total).toBe(4);
    expect(ns.totals.instances.total).toBe(9);

    const kev = await getPosture(store, { by: 'namespace', severity: 'CRITICAL' });
    expect(kev.totals.instances).toMatchObject({ critical: 4, high: 0, total: 4 });
    const fixable = await getPosture(store, { by: 'namespace', fixable: true });
    expect(fixable.totals.distinctVulnerabilities.total).toBe(2);
  });

  it('orders priorities KEV first, then EPSS, severity, fix, containers', async () => {
    await seed(store);
    await store.db.insertInto('kev').values({ cve_id: 'CVE-2024-0009' }).execute();
    await store.db
      .insertInto('epss')
      .values({ cve_id: 'CVE-2024-0002', score: 0.9, percentile: 0.99 })
      .execute();
    await maintainPosture(store);
    const report = await getPosture(store, {});
    expect(report.priorities.map((p) => p.vulnerabilityId)).toEqual([
      'CVE-2024-0009',
      'CVE-2024-0002',
      'CVE-2024-0001',
      'CVE-2024-0010',
    ]);
    expect(report.priorities[0]).toMatchObject({ kev: true, containers: 2, images: 2 });
    expect(report.totals.instances.kev).toBe(2);
    // Filters apply per image before ranking; the list is cut at `top`.
    const critical = await getPosture(store, { severity: 'CRITICAL' });
    expect(critical.priorities.map((p) => [p.vulnerabilityId, p.fixable])).toEqual([
      ['CVE-2024-0001', true],
      ['CVE-2024-0010', false],
    ]);
    const top = await getPosture(store, { top: 1, cluster: 'prod', namespace: 'shop' });
    expect(top.priorities).toEqual([
      expect.objectContaining({ vulnerabilityId: 'CVE-2024-0002', epss: 0.9, containers: 3, images: 1 }),
    ]);
  });

  it('breaks the last tie by exposure time from the ledger, intervals of earlier runs included', async () => {
    const src = await addSource(store);
    const [a, b] = [digestOf('prio-a'), digestOf('prio-b')];
    for (const [d, cve] of [
      [a, 'CVE-2024-0101'],
      [b, 'CVE-2024-0102'],
    ] as const) {
      await addManifest(store, d);
      await addScan(store, d, [{ id: cve, severity: 'HIGH', pkg: 'zlib' }]);
    }
    await addContainers(store, src, [
      { id: 'pa/1', image: 'pa:1', digest: a, workloadName: 'pa' },
      { id: 'pb/1', image: 'pb:1', digest: b, workloadName: 'pb' },
    ]);
    // pb/1 also ran for one hour yesterday (a closed interval of the ledger): its image has been
    // exposed 3600 s longer, though both run one container now.
    const day = Date.now() - 86_400_000;
    await store.db
      .insertInto('exposures')
      .values({
        container_id: 'pb/1',
        image_digest: b,
        first_seen: new Date(day),
        last_seen: new Date(day + 3_600_000),
        closed_at: new Date(day + 3_600_000),
      })
      .execute();
    await maintainPosture(store);
    const [first, second] = (await getPosture(store, {})).priorities;
    // Every other key ties (no KEV, no EPSS, HIGH, not fixable, 1 container, 1 image); by id
    // CVE-2024-0101 would come first.
    expect([first, second].map((p) => [p!.vulnerabilityId, p!.containers, p!.images])).toEqual([
      ['CVE-2024-0102', 1, 1],
      ['CVE-2024-0101', 1, 1],
    ]);
    expect(first!.exposureSeconds - second!.exposureSeconds).toBeGreaterThanOrEqual(3590);
    expect(first!.exposureSeconds - second!.exposureSeconds).toBeLessThanOrEqual(3610);
  });

  it('lists every running container and workload affected by a CVE', async () => {
    await seed(store);
    await maintainPosture(store);
    const w = await vulnWhere(store, 'CVE-2024-0001');
    expect(w.containers.map((c) => c.containerId).sort()).toEqual(['app/1', 'app/2', 'tagonly/1']);
    expect(w.workloads.map((x) => x.name).sort()).toEqual(['app', 'tagonly']);
    expect(w.containers[0]!.packages.map((p) => p.name).sort()).toEqual(['libssl3', 'openssl']);
  });

  it('lists coverage gaps with pullable references for scan --in-use', async () => {
    await seed(store);
    await maintainPosture(store);
    const targets = await listInUseScanTargets(store);
    expect(targets).toEqual([
      {
        reference: `docker.io/library/gap@${UNSCANNED}`,
        digest: UNSCANNED,
        reason: 'never-scanned',
        containers: 1,
      },
      { reference: 'nowhere:1', digest: null, reason: 'unresolved', containers: 1 },
    ]);
  });

  it('detects tag drift across containers, not across the platforms of one index', async () => {
    const src = await seed(store);
    await maintainPosture(store);
    let report = await getPosture(store, {});
    expect(report.coverage.tagDrift).toEqual([]); // web:1 runs amd64 and arm64 children of one index
    await addContainers(store, src, [
      { id: 'app/9', image: 'app:prod', digest: APP_V2, workloadName: 'app', namespace: 'shop' },
    ]);
    await maintainPosture(store, { containerIds: ['app/9'] });
    report = await getPosture(store, {});
    expect(report.coverage.tagDrift).toEqual([
      { image: 'app:prod', digests: [APP_V1, APP_V2].sort(), containers: 4 },
    ]);
  });

  it('counts coverage gaps, tag drift and match methods inside the report filter only', async () => {
    const src = await seed(store);
    await addContainers(store, src, [
      { id: 'app/9', image: 'app:prod', digest: APP_V2, workloadName: 'app', namespace: 'shop' },
    ]);
    await maintainPosture(store);
    const shop = await getPosture(store, { cluster: 'prod', namespace: 'shop' });
    expect(shop.coverage).toEqual({
      matchMethods: [
        { matchMethod: 'manifest-digest', confidence: 'exact', containers: 3 },
        { matchMethod: 'tag-at-start', confidence: 'inferred', containers: 1 },
      ],
      gaps: [],
      tagDrift: [{ image: 'app:prod', digests: [APP_V1, APP_V2].sort(), containers: 4 }],
    });
    const edge = await getPosture(store, { namespace: 'edge' });
    expect(edge.coverage.tagDrift).toEqual([]);
    expect(edge.coverage.gaps.map((g) => [g.reason, g.image, g.containers])).toEqual([
      ['never-scanned', 'gap:1', 1],
      ['unresolved', 'nowhere:1', 1],
    ]);
    expect(edge.coverage.matchMethods).toEqual([
      { matchMethod: 'index-digest+platform', confidence: 'exact', containers: 2 },
      { matchMethod: 'manifest-digest', confidence: 'exact', containers: 1 },
      { matchMethod: 'unresolved', confidence: 'none', containers: 1 },
    ]);
    const elsewhere = await getPosture(store, { cluster: 'elsewhere' });
    expect(elsewhere.coverage).toEqual({ matchMethods: [], gaps: [], tagDrift: [] });
    expect(elsewhere.freshness.scans.oldestInUse.at).toBeNull();
  });

  it('applies VEX and the authoritative source', async () => {
    await seed(store);
    await addScan(store, APP_V1, [{ id: 'CVE-2024-0099', severity: 'LOW', pkg: 'x' }], {
      source: 'trivy',
    });
    await syncPosture(store);
    let c = await showContainer(store, 'app/1');
    expect(c.findingsSource).toBe('runsight');
    await syncPosture(store, { authoritativeSource: 'trivy' });
    c = await showContainer(store, 'app/1', { authoritativeSource: 'trivy' });
    expect(c).toMatchObject({ findingsSource: 'trivy', counts: { critical: 0, high: 0, low: 1 } });

    await store.db
      .insertInto('vex_statements')
      .values({
        document: 't',
        format: 'openvex',
        product: APP_V1,
        vulnerability_id: 'CVE-2024-0001',
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
      })
      .execute();
    await maintainPosture(store);
    c = await showContainer(store, 'app/1');
    expect(c.counts).toMatchObject({ critical: 0, high: 1 });
    expect(c.findings.map((f) => f.vulnerabilityId)).toEqual(['CVE-2024-0002']);
  });

  it('clears only the package a VEX subcomponent names, and a later statement about it wins', async () => {
    await seed(store);
    const V3 = digestOf('app-v3');
    await addManifest(store, V3);
    await addScan(store, V3, [
      {
        id: 'CVE-2024-0001',
        severity: 'CRITICAL',
        pkg: 'openssl',
        purl: 'pkg:deb/debian/openssl@1.0?arch=amd64',
      },
      {
        id: 'CVE-2024-0001',
        severity: 'HIGH',
        pkg: 'libssl3',
        purl: 'pkg:deb/debian/libssl3@1.0?arch=amd64',
      },
    ]);
    const src = await addSource(store, 'vexed');
    await addContainers(store, src, [
      { id: 'v3/1', image: 'app:v3', digest: V3, workloadName: 'v3', namespace: 'vex' },
    ]);
    const vex = (status: string, issued: string) =>
      store.db
        .insertInto('vex_statements')
        .values({
          document: `t-${issued}`,
          format: 'openvex',
          product: V3,
          subcomponent: 'pkg:deb/debian/openssl',
          vulnerability_id: 'CVE-2024-0001',
          status,
          justification: status === 'not_affected' ? 'vulnerable_code_not_present' : null,
          issued_at: new Date(issued),
        })
        .execute();
    await vex('not_affected', '2026-02-01T00:00:00Z');
    await syncPosture(store);
    // openssl is cleared; libssl3 still carries CVE-2024-0001, so the image does too, at HIGH.
    let c = await showContainer(store, 'v3/1');
    expect(c.counts).toMatchObject({ critical: 0, high: 1 });
    expect(c.findings.map((f) => [f.vulnerabilityId, f.packageName])).toEqual([['CVE-2024-0001', 'libssl3']]);
    // A later `affected` about the same subcomponent puts openssl back.
    await vex('affected', '2026-03-01T00:00:00Z');
    await maintainPosture(store);
    c = await showContainer(store, 'v3/1');
    expect(c.counts).toMatchObject({ critical: 1, high: 0 });
    expect(c.findings.map((f) => f.packageName).sort()).toEqual(['libssl3', 'openssl']);
  });

  it('updates only what an inventory delta or re-match touches, and equals a full recompute', async () => {
    const src = await seed(store);
    await syncPosture(store, { now: new Date('2026-03-01T00:00:00Z') });
    const before = await store.db.selectFrom('containers').select(['id', 'resolved_at']).execute();
    const postureBefore = await store.db
      .selectFrom('image_posture')
      .select(['image_digest', 'computed_at'])
      .execute();

    // Inventory delta: the app workload rolls out v2; one new container, one gone.
    await addContainers(store, src, [
      { id: 'app/3', image: 'app:prod', digest: APP_V2, workloadName: 'app', namespace: 'shop' },
    ]);
    await store.db
      .updateTable('containers')
      .set({ removed_at: new Date('2026-03-01T01:00:00Z') })
      .where('id', '=', 'app/2')
      .execute();
    // Re-match: the web arm64 image gains a finding (the advisories stage records the change).
    await addFinding(store, WEB_ARM, 'CVE-2024-0011', 'HIGH', new Date('2026-03-01T02:00:00Z'));

    const delta = await syncPosture(store, { now: new Date('2026-03-01T03:00:00Z') });
    expect(delta.full).toBe(false);
    expect(delta.containersResolved).toBe(1);
    expect(delta.imagesRefreshed).toBe(1);
    const after = await store.db.selectFrom('containers').select(['id', 'resolved_at']).execute();
    for (const b of before) expect(after.find((a) => a.id === b.id)!.resolved_at).toEqual(b.resolved_at);
    const postureAfter = await store.db
      .selectFrom('image_posture')
      .select(['image_digest', 'computed_at'])
      .execute();
    for (const p of postureBefore) {
      const a = postureAfter.find((x) => x.image_digest === p.image_digest)!;
      if (p.image_digest === WEB_ARM) expect(a.computed_at).not.toEqual(p.computed_at);
      else expect(a.computed_at).toEqual(p.computed_at);
    }
    const incremental = await snapshotOfDerived(store);
    await recomputePosture(store, { now: new Date('2026-03-01T04:00:00Z') });
    expect(await snapshotOfDerived(store)).toEqual(incremental);
    expect(incremental.vulns).toContainEqual(
      expect.objectContaining({ image_digest: WEB_ARM, vulnerability_id: 'CVE-2024-0011' }),
    );
  });

  it('serves every view and filter from scope_posture, equal to computing it from containers', async () => {
    const src = await seed(store);
    await store.db.insertInto('kev').values({ cve_id: 'CVE-2024-0010' }).execute();
    await syncPosture(store, { now: new Date('2026-03-01T00:00:00Z') });
    // A second cluster, a rollout and a removal after the first sync: the summary is maintained
    // incrementally from here.
    await addContainers(store, src, [
      {
        id: 'app/9',
        image: 'app:prod',
        digest: APP_V1,
        workloadName: 'app',
        namespace: 'shop',
        cluster: 'dr',
      },
      { id: 'app/3', image: 'app:prod', digest: APP_V2, workloadName: 'app', namespace: 'shop' },
      {
        id: 'web/x',
        image: 'web:1',
        digest: WEB_INDEX,
        workloadName: 'web',
        namespace: 'shop',
        cluster: 'dr',
      },
    ]);
    await store.db
      .updateTable('containers')
      .set({ removed_at: new Date('2026-03-01T01:00:00Z') })
      .where('id', '=', 'app/2')
      .execute();
    const sync = await syncPosture(store, { now: new Date('2026-03-01T02:00:00Z') });
    expect(sync.scopes).toBeGreaterThan(0);
    const containerFilters: PostureFilter[] = [
      {},
      { cluster: 'prod' },
      { cluster: 'dr', namespace: 'shop' },
      { namespace: 'shop' },
      { owner: 'team-a' },
    ];
    const findingFilters: FindingFilter[] = [{}, { minSeverityRank: 3 }, { kev: true }, { fixable: true }];
    const compareAll = async () => {
      let compared = 0;
      for (const kind of ['fleet', ...POSTURE_BY] as const) {
        for (const cf of containerFilters) {
          const computed = await computeRollup(store, kind, cf);
          for (const ff of findingFilters) {
            const view = await readRollups(store, kind, cf, ff);
            expect(view, `${kind} ${JSON.stringify(cf)} ${JSON.stringify(ff)}`).toEqual(
              computed.map((r) => toRollupRow(r, ff)),
            );
            compared += view.length;
          }
        }
      }
      return compared;
    };
    expect(await compareAll()).toBeGreaterThan(100);
    // Pod churn on the same images keeps stored distinct figures; a re-match of one image (same
    // digests everywhere) must not: the fleet gains CVE-2024-0011 only through web arm64.
    await addContainers(store, src, [
      { id: 'app/10', image: 'app:prod', digest: APP_V1, workloadName: 'app', namespace: 'shop' },
    ]);
    await syncPosture(store, { now: new Date('2026-03-01T03:00:00Z') });
    await addFinding(store, WEB_ARM, 'CVE-2024-0011', 'HIGH', new Date('2026-03-01T03:30:00Z'));
    await syncPosture(store, { now: new Date('2026-03-01T04:00:00Z') });
    expect(await compareAll()).toBeGreaterThan(100);
    const [after] = await readRollups(store, 'fleet');
    expect(after!.distinct.high).toBe(2);
    // The fleet's distinct figures: the KEV critical of web arm64, fixable counted once.
    const [fleet] = await readRollups(store, 'fleet', {}, { kev: true });
    expect(fleet!.distinct).toMatchObject({ critical: 1, kev: 1, total: 1 });
    const [dr] = await readRollups(store, 'cluster', { cluster: 'dr' });
    // app v1 (2 vulnerabilities) and web amd64 (1).
    expect(dr).toMatchObject({ containers: 2, images: 2 });
    expect(dr!.instances.total).toBe(3);
    expect(dr!.distinct.total).toBe(3);
  });

  it('applyPostureDelta re-resolves named containers and refreshes named digests only', async () => {
    const src = await seed(store);
    await syncPosture(store);
    await addContainers(store, src, [
      { id: 'new/1', image: 'web:1', digest: WEB_INDEX, platform: 'linux/arm64/v8', workloadName: 'new' },
    ]);
    const r = await applyPostureDelta(store, { containerIds: ['new/1'] });
    expect(r.resolutionChanges).toEqual([{ id: 'new/1', before: null, after: WEB_ARM }]);
  });

  it('snapshots posture on change and proves a rollout improved it', async () => {
    const src = await seed(store);
    await syncPosture(store, { now: new Date('2026-03-01T00:00:00Z') });
    await addContainers(store, src, [
      { id: 'app/3', image: 'app:prod', digest: APP_V2, workloadName: 'app', namespace: 'shop' },
      { id: 'app/4', image: 'app:prod', digest: APP_V2, workloadName: 'app', namespace: 'shop' },
    ]);
    await store.db
      .updateTable('containers')
      .set({ removed_at: new Date('2026-03-01T01:00:00Z') })
      .where('id', 'in', ['app/1', 'app/2'])
      .execute();
    await syncPosture(store, { now: new Date('2026-03-01T02:00:00Z') });
    const w = await showWorkload(
      store,
      { namespace: 'shop', kind: 'Deployment', name: 'app' },
      {},
      new Date('2026-03-01T02:10:00Z'),
    );
    expect(w.rollout.previous).toMatchObject({ evidence: 'snapshot', digests: [APP_V1] });
    expect(w.rollout.current.digests).toEqual([APP_V2]);
    expect(w.rollout.improved).toBe(true);
    expect(w.rollout.fixed).toEqual(['CVE-2024-0001']);
    expect(w.history.length).toBe(2);
    expect(w.history[0]!.distinct).toMatchObject({ critical: 0, high: 1 });
    expect(w.history[1]!.distinct).toMatchObject({ critical: 1, high: 1 });
  });
});

/** A re-match result: a new finding on the image's current scan, recorded as a finding change. */
async function addFinding(store: TestStore, digest: string, id: string, severity: 'HIGH', at: Date) {
  const scan = await store.db
    .selectFrom('current_scans')
    .select('scan_id')
    .where('image_digest', '=', digest)
    .executeTakeFirstOrThrow();
  await store.db
    .insertInto('findings')
    .values({
      scan_id: scan.scan_id,
      image_digest: digest,
      source: 'runsight',
      vulnerability_id: id,
      package_ecosystem: 'Debian:12',
      package_name: 'nginx',
      installed_version: '1.0',
      severity,
      status: 'affected',
    })
    .execute();
  await store.db
    .insertInto('finding_changes')
    .values({
      image_digest: digest,
      vulnerability_id: id,
      package_name: 'nginx',
      change: 'newly_affected',
      cause: 'rematch',
      at,
    })
    .execute();
}

async function snapshotOfDerived(store: TestStore) {
  const containers = await store.db
    .selectFrom('containers')
    .select(['id', 'image_digest', 'match_method', 'confidence'])
    .orderBy('id')
    .execute();
  // An image's rows are those of its posture scan (migration 39): by digest through image_posture.
  const vulns = await store.db
    .selectFrom('image_vulns as iv')
    .innerJoin('image_posture as p', 'p.scan_id', 'iv.scan_id')
    .select('p.image_digest')
    .selectAll('iv')
    .orderBy('p.image_digest')
    .orderBy('iv.vulnerability_id')
    .execute();
  const posture = await store.db
    .selectFrom('image_posture')
    .select([
      'image_digest',
      'source',
      'scan_id',
      'counts',
      'kev',
      'fixable',
      'distinct_vulns',
      'finding_cells',
    ])
    .orderBy('image_digest')
    .execute();
  const rollup = await getPosture(store, {
    by: 'workload',
    now: new Date('2026-03-01T05:00:00Z'),
  });
  const scopes = await store.db
    .selectFrom('scope_posture')
    .select([
      'scope_kind',
      'scope_key',
      'containers',
      'digests',
      'distinct_cells',
      'instance_cells',
      'finding_cells',
      'labels',
    ])
    .orderBy('scope_kind')
    .orderBy('scope_key')
    .execute();
  return {
    containers,
    vulns,
    posture,
    groups: rollup.groups,
    totals: rollup.totals,
    scopes: scopes.map((s) => ({
      ...s,
      instance_cells: s.instance_cells.map(Number),
      finding_cells: s.finding_cells?.map(Number) ?? null,
    })),
  };
}
