// The report sections that read scans by age and the maintained groups (issue 15): the oldest and
// newest scan in use (freshness), coverage gaps (unresolved, never scanned, stale) and tag drift,
// each checked against the same figures computed here from every running container and every
// image_posture row, for the whole fleet and inside clusters, namespaces and access scopes — so a
// query that reads by index (image_posture_scanned_at, migration 32) but drops a condition fails.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessScope } from '../../../core/access.js';
import { applyInventoryMutation } from '../../../inventory/apply-inventory-mutation.js';
import { maintainPosture } from '../../../propagation/sync.js';
import {
  addContainers,
  addIndex,
  addManifest,
  addScan,
  addSource,
  digestOf,
} from '../../../propagation/test-support/fleet.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../../test-support/stores.js';
import { queryCoverageGaps, queryTagDrift } from './query-coverage.js';
import { queryFreshness } from './query-freshness.js';
import type { Within } from './scope-sql.js';

const kinds = await storeKindsToTest();

const d = (s: string) => digestOf(s);
const AT = (day: number) => new Date(Date.UTC(2026, 0, day));

/** Scan dates per digest: images in use and, older and newer than all of them, images not in use. */
const SCANNED: Record<string, Date | null> = {
  a: AT(10),
  b: AT(20),
  c: AT(5),
  'x-1': AT(15),
  'x-2': AT(16),
  'w-amd': AT(12),
  'w-arm': AT(13),
  y: AT(25),
  unused_old: AT(1),
  unused_new: AT(28),
  undated: null,
};

async function seed(store: TestStore) {
  const src = await addSource(store);
  for (const name of ['a', 'b', 'c', 'x-1', 'x-2', 'y', 'unused_old', 'unused_new', 'undated', 'never'])
    await addManifest(store, d(name));
  await addManifest(store, d('w-amd'));
  await addManifest(store, d('w-arm'), { arch: 'arm64', variant: 'v8' });
  await addIndex(store, d('w-index'), [
    { digest: d('w-amd'), arch: 'amd64' },
    { digest: d('w-arm'), arch: 'arm64', variant: 'v8' },
  ]);
  for (const name of Object.keys(SCANNED))
    await addScan(store, d(name), [{ id: `CVE-2024-${name.length}`, severity: 'HIGH' }]);
  const c = (
    id: string,
    image: string,
    digest: string | null,
    cluster: string,
    namespace: string,
    extra: Record<string, unknown> = {},
  ) => ({ id, image, digest, cluster, namespace, workloadName: id.split('/')[0], ...extra });
  await addContainers(store, src, [
    c('a/1', 'reg/a:1', d('a'), 'c1', 'n1'),
    c('a/2', 'reg/a:1', d('a'), 'c1', 'n1'),
    c('b/1', 'reg/b:1', d('b'), 'c1', 'n2'),
    c('c/1', 'reg/c:1', d('c'), 'c2', 'n1', { owner: 'team-b' }),
    // One reference running as two images in c1 (drift), one of them also in c2 (no drift there).
    c('x/1', 'reg/x:prod', d('x-1'), 'c1', 'n1'),
    c('x/2', 'reg/x:prod', d('x-1'), 'c1', 'n1'),
    c('x2/1', 'reg/x:prod', d('x-2'), 'c1', 'n2'),
    c('x3/1', 'reg/x:prod', d('x-2'), 'c2', 'n1'),
    // Two platforms of one index: not drift.
    c('w/amd', 'reg/w:1', d('w-index'), 'c1', 'n2', { platform: 'linux/amd64' }),
    c('w/arm', 'reg/w:1', d('w-index'), 'c1', 'n2', { platform: 'linux/arm64' }),
    c('y/1', 'reg/y:1', d('y'), 'c2', 'n2', { owner: 'team-b' }),
    c('never/1', 'reg/never:1', d('never'), 'c2', 'n1'),
    c('lost/1', 'nowhere:1', null, 'c1', 'n1'),
    c('lost/2', 'nowhere:1', null, 'c2', 'n2'),
    // Gone: neither in use nor counted.
    c('gone/1', 'reg/unused:1', d('unused_old'), 'c1', 'n1', { removedAt: new Date() }),
  ]);
  await maintainPosture(store);
  for (const [name, at] of Object.entries(SCANNED))
    await sql`update image_posture set scanned_at = ${at} where image_digest = ${d(name)}`.execute(store.db);
}

interface Running {
  id: string;
  image: string;
  image_digest: string | null;
  cluster: string | null;
  namespace: string | null;
  owner: string | null;
  environment: string | null;
}

/** Every running container inside `w`, read whole (the figures below are computed from these). */
async function running(store: TestStore, w: Within): Promise<Running[]> {
  const rows = await store.db
    .selectFrom('containers')
    .select(['id', 'image', 'image_digest', 'cluster', 'namespace', 'owner', 'environment'])
    .where('removed_at', 'is', null)
    .execute();
  const s: AccessScope = w.scope ?? {};
  const inScope = (v: string | null, allowed: readonly string[] | undefined) =>
    !allowed?.length || (v !== null && allowed.includes(v));
  return rows.filter(
    (r) =>
      (w.cluster === undefined || r.cluster === w.cluster) &&
      (w.namespace === undefined || r.namespace === w.namespace) &&
      inScope(r.cluster, s.clusters) &&
      inScope(r.namespace, s.namespaces) &&
      inScope(r.owner, s.owners) &&
      inScope(r.environment, s.environments),
  );
}

async function scans(store: TestStore): Promise<Map<string, Date | null>> {
  const rows = await store.db.selectFrom('image_posture').select(['image_digest', 'scanned_at']).execute();
  return new Map(rows.map((r) => [r.image_digest, r.scanned_at]));
}

const WITHIN: [string, Within][] = [
  ['the fleet', {}],
  ['cluster c1', { cluster: 'c1' }],
  ['cluster c2', { cluster: 'c2' }],
  ['c1/n2', { cluster: 'c1', namespace: 'n2' }],
  ['namespace n1 of any cluster', { namespace: 'n1' }],
  ['owner team-b (access scope)', { scope: { owners: ['team-b'] } }],
  ['clusters c2 (access scope) and namespace n1', { scope: { clusters: ['c2'] }, namespace: 'n1' }],
  ['an unknown cluster', { cluster: 'nowhere' }],
];

describe.each(kinds)('scan ages, gaps and tag drift on %s', (kind) => {
  let store: TestStore;
  // Seeded once: every test only reads.
  beforeAll(async () => {
    store = await createTestStore(kind);
    await seed(store);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('has the scans-by-age index (migration 32)', async () => {
    const r = await sql<{ n: number }>`select count(*)::int as n from pg_indexes
      where tablename = 'image_posture' and indexname = 'image_posture_scanned_at'`.execute(store.db);
    expect(r.rows[0]!.n).toBe(1);
  });

  it('finds the oldest and newest scan among the images running inside the filter and scope', async () => {
    const at = await scans(store);
    for (const [label, w] of WITHIN) {
      const dates = [...new Set((await running(store, w)).map((r) => r.image_digest))]
        .filter((x): x is string => x !== null)
        .map((x) => at.get(x))
        .filter((x): x is Date => x instanceof Date)
        .map((x) => x.getTime());
      const got = await queryFreshness(store, w);
      expect([got.oldestScanInUse?.getTime() ?? null, got.newestScanInUse?.getTime() ?? null], label).toEqual(
        dates.length ? [Math.min(...dates), Math.max(...dates)] : [null, null],
      );
    }
    // Spelled out once: images not in use (older and newer) do not count; the index's children do.
    const fleet = await queryFreshness(store, {});
    expect([fleet.oldestScanInUse, fleet.newestScanInUse]).toEqual([AT(5), AT(25)]);
    const c1 = await queryFreshness(store, { cluster: 'c1' });
    expect([c1.oldestScanInUse, c1.newestScanInUse]).toEqual([AT(10), AT(20)]);
    expect(await queryFreshness(store, { cluster: 'nowhere' })).toMatchObject({
      oldestScanInUse: null,
      newestScanInUse: null,
    });
  });

  it('lists every coverage gap inside the filter and scope, with the SLA or without', async () => {
    const at = await scans(store);
    for (const staleBefore of [null, AT(12), AT(30)]) {
      for (const [label, w] of WITHIN) {
        const rows = await running(store, w);
        const want = new Map<string, { reason: string; digest: string | null; n: number; at: Date | null }>();
        for (const r of rows) {
          const has = r.image_digest !== null && at.has(r.image_digest);
          const scanned = r.image_digest === null ? null : (at.get(r.image_digest) ?? null);
          const reason =
            r.image_digest === null
              ? 'unresolved'
              : !has
                ? 'never-scanned'
                : staleBefore && scanned && scanned < staleBefore
                  ? 'stale'
                  : null;
          if (!reason) continue;
          const key = r.image_digest ?? `image:${r.image}`;
          const g = want.get(key) ?? { reason, digest: r.image_digest, n: 0, at: scanned };
          g.n++;
          want.set(key, g);
        }
        const got = await queryCoverageGaps(store, staleBefore, w);
        const sortKey = (x: { reason: string; digest: string | null }) => `${x.reason} ${x.digest}`;
        expect(
          got
            .map((g) => ({ reason: g.reason, digest: g.imageDigest, n: g.containers, at: g.scannedAt }))
            .sort((p, q) => sortKey(p).localeCompare(sortKey(q))),
          `${label}, stale before ${staleBefore?.toISOString()}`,
        ).toEqual([...want.values()].sort((p, q) => sortKey(p).localeCompare(sortKey(q))));
        // Ordered by reason, then most containers first.
        const order = got.map((g) => [g.reason, -g.containers] as const);
        expect(order).toEqual([...order].sort((p, q) => p[0].localeCompare(q[0]) || p[1] - q[1]));
      }
    }
    // Spelled out once: the fleet with a 12 January SLA.
    expect(
      (await queryCoverageGaps(store, AT(12))).map((g) => [g.reason, g.image, g.containers, g.scannedAt]),
    ).toEqual([
      ['never-scanned', 'reg/never:1', 1, null],
      ['stale', 'reg/a:1', 2, AT(10)],
      ['stale', 'reg/c:1', 1, AT(5)],
      ['unresolved', 'nowhere:1', 2, null],
    ]);
  });

  it('reports tag drift inside the filter and scope: several images, not several platforms', async () => {
    const family = new Map([
      [d('w-amd'), d('w-index')],
      [d('w-arm'), d('w-index')],
    ]);
    for (const [label, w] of WITHIN) {
      const byImage = new Map<string, { digests: Set<string>; families: Set<string>; n: number }>();
      for (const r of await running(store, w)) {
        if (r.image_digest === null || r.image.includes('@')) continue;
        const e = byImage.get(r.image) ?? { digests: new Set(), families: new Set(), n: 0 };
        e.digests.add(r.image_digest);
        e.families.add(family.get(r.image_digest) ?? r.image_digest);
        e.n++;
        byImage.set(r.image, e);
      }
      const want = [...byImage.entries()]
        .filter(([, e]) => e.families.size > 1)
        .map(([image, e]) => ({ image, digests: [...e.digests].sort(), containers: e.n }))
        .sort((p, q) => (p.image < q.image ? -1 : 1));
      expect(await queryTagDrift(store, w), label).toEqual(want);
    }
    expect(await queryTagDrift(store, {})).toEqual([
      { image: 'reg/x:prod', digests: [d('x-1'), d('x-2')].sort(), containers: 4 },
    ]);
    expect(await queryTagDrift(store, { cluster: 'c2' })).toEqual([]);
  });
});

describe.each(kinds)('inventory source ages on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('ages a source by its last successful run, else by its newest observation', async () => {
    const observe = (source: string, ids: string[], at: Date) =>
      applyInventoryMutation(
        store,
        { name: source, kind: 'kubernetes' },
        {
          type: 'delta',
          added: ids.map((id) => ({
            id,
            image: 'reg/a:1',
            cluster: 'c1',
            namespace: 'n1',
            container: 'app',
            containerKind: 'regular' as const,
            state: 'running',
            labels: {},
          })),
          removed: [],
        },
        { observedAt: at },
      );
    await observe('ran', ['r/1'], AT(3));
    await observe('failed', ['f/1'], AT(4));
    await observe('failed', ['f/2'], AT(6));
    await observe('failed', ['f/3'], AT(5));
    // The source's runs did not succeed: its containers are all that says when it was last heard of.
    await sql`update inventory_runs set status = 'failed'
      where source_id = (select id from inventory_sources where name = 'failed')`.execute(store.db);
    const { inventory } = await queryFreshness(store, {});
    expect(inventory.map((s) => [s.name, s.lastRun !== null, s.lastSeen?.toISOString() ?? null])).toEqual([
      ['failed', false, AT(6).toISOString()],
      ['ran', true, null],
    ]);
  });
});
