// Scope roll-ups moved by the difference of the maintained groups (scope-delta.ts) after inventory
// changes, checked after every step against the same roll-ups computed from the containers table
// from scratch: pod churn on a scanned image, an unscanned image entering and leaving a scope,
// unresolved containers, removals, a scanned image entering a scope (computed in full), a new
// cluster and its end. Also the maintained groups against a grouping of the containers, and the
// report sections that read them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScopeKind } from '../core/types.js';
import { groupRunningContainers, readPostureGroups, readScopePosture } from '../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { getPosture } from '../views/posture.js';
import { computeRollups } from './rollups.js';
import { SNAPSHOT_KINDS } from './snapshots.js';
import { maintainPosture, syncPosture } from './sync.js';
import { addContainers, addManifest, addScan, addSource, type C, digestOf } from './test-support/fleet.js';

const kinds = await storeKindsToTest();
const A = digestOf('delta-a');
const B = digestOf('delta-b');
const U = digestOf('delta-unscanned');

describe.each(kinds)('scope roll-ups by difference (%s)', (kind) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await createTestStore(kind);
  });
  afterEach(async () => {
    await store.dispose();
  });

  it('equal the roll-ups computed from containers after every inventory change', async () => {
    const src = await addSource(store);
    for (const d of [A, B, U]) await addManifest(store, d);
    await addScan(store, A, [
      { id: 'CVE-2025-0001', severity: 'CRITICAL', pkg: 'openssl', fixed: '3.0.1' },
      { id: 'CVE-2025-0002', severity: 'LOW', pkg: 'zlib' },
    ]);
    await addScan(store, B, [
      { id: 'CVE-2025-0002', severity: 'HIGH', pkg: 'zlib', fixed: '1.3' },
      { id: 'CVE-2025-0003', severity: 'MEDIUM', pkg: 'bash' },
    ]);
    await addContainers(store, src, [
      { id: 'a/1', image: 'a:1', digest: A, namespace: 'shop' },
      { id: 'a/2', image: 'a:1', digest: A, namespace: 'shop' },
      { id: 'b/1', image: 'b:1', digest: B, namespace: 'edge', owner: 'team-b' },
      { id: 'u/1', image: 'u:1', digest: U, namespace: 'edge' },
      { id: 'lost/1', image: 'nowhere:1', namespace: 'edge', owner: null },
    ]);
    await syncPosture(store);
    await expectStoredEqualsComputed(store);

    const step = async (cs: C[], from = src) => {
      await addContainers(store, from, cs);
      await maintainPosture(store, { containerIds: cs.filter((c) => !c.removedAt).map((c) => c.id) });
      await expectStoredEqualsComputed(store);
    };
    const gone = () => new Date(Date.now() + 1);
    // Pod churn on a scanned image: containers and instances move, distinct figures stay.
    await step([{ id: 'a/3', image: 'a:1', digest: A, namespace: 'shop' }]);
    const [shop] = await readScopePosture(store, 'namespace', { keys: ['prod/shop'] });
    expect(shop).toMatchObject({ containers: 3, images: 1 });
    // An unscanned image enters the shop namespace, then leaves it.
    await step([{ id: 'u/2', image: 'u:1', digest: U, namespace: 'shop', workloadName: 'a' }]);
    expect((await readScopePosture(store, 'namespace', { keys: ['prod/shop'] }))[0]).toMatchObject({
      containers: 4,
      unscanned: 1,
      images: 2,
    });
    await step([
      { id: 'u/2', image: 'u:1', digest: U, namespace: 'shop', workloadName: 'a', removedAt: gone() },
    ]);
    // An unresolved container, and a removal of a scanned one.
    await step([{ id: 'lost/2', image: 'nowhere:2', namespace: 'shop', owner: null }]);
    await step([{ id: 'a/1', image: 'a:1', digest: A, namespace: 'shop', removedAt: gone() }]);
    // A scanned image enters a scope (a union: computed in full), in the same workload.
    await step([{ id: 'b/2', image: 'b:1', digest: B, namespace: 'shop', workloadName: 'a' }]);
    expect((await readScopePosture(store, 'namespace', { keys: ['prod/shop'] }))[0]).toMatchObject({
      images: 2,
    });
    // A second source's container joins the shop namespace, then leaves: its source, then the
    // scope's sources without it (the last group of a source leaving is aggregated, not guessed).
    const vms = await addSource(store, 'vms', 'docker');
    await step([{ id: 'vm/1', image: 'a:1', digest: A, namespace: 'shop', workloadName: 'vm' }], vms);
    expect((await readScopePosture(store, 'namespace', { keys: ['prod/shop'] }))[0]!.sourceIds).toHaveLength(
      2,
    );
    await step(
      [{ id: 'vm/1', image: 'a:1', digest: A, namespace: 'shop', workloadName: 'vm', removedAt: gone() }],
      vms,
    );
    expect((await readScopePosture(store, 'namespace', { keys: ['prod/shop'] }))[0]!.sourceIds).toHaveLength(
      1,
    );
    // A new cluster, then its end.
    await step([{ id: 'dr/1', image: 'a:1', digest: A, cluster: 'dr', namespace: 'shop' }]);
    await step([
      { id: 'dr/1', image: 'a:1', digest: A, cluster: 'dr', namespace: 'shop', removedAt: gone() },
    ]);
    expect(await readScopePosture(store, 'cluster', { keys: ['dr'] })).toEqual([]);

    // The report sections that read the maintained groups.
    const report = await getPosture(store, { by: 'namespace' });
    expect(report.coverage.matchMethods.reduce((n, m) => n + m.containers, 0)).toBe(report.totals.containers);
    expect(report.coverage.gaps.map((g) => [g.reason, g.image, g.containers])).toEqual([
      ['never-scanned', 'u:1', 1],
      ['unresolved', 'nowhere:1', 1],
      ['unresolved', 'nowhere:2', 1],
    ]);
    // Seen in the last day: the 7 running (a/2, a/3, b/1, b/2, u/1, lost/1, lost/2) and the 4
    // removed (u/2, a/1, vm/1, dr/1).
    expect(report.exposure).toMatchObject({ containersSeen: 11, gone: 4 });
  });
});

/** Every maintained scope and group equals the same figures computed from the containers table. */
async function expectStoredEqualsComputed(store: TestStore): Promise<void> {
  const computed = await computeRollups(store, SNAPSHOT_KINDS);
  for (const k of SNAPSHOT_KINDS) {
    const stored = (await readScopePosture(store, k)).map(({ computedAt, snapshotAt, ...r }) => r);
    expect(stored, k).toEqual(computed.get(k) ?? []);
  }
  const order = (a: { keys: string[]; digest: string | null }, b: typeof a) =>
    JSON.stringify([a.keys, a.digest]).localeCompare(JSON.stringify([b.keys, b.digest]));
  const groupKinds: ScopeKind[] = ['workload', 'owner', 'image'];
  expect((await readPostureGroups(store, groupKinds)).sort(order)).toEqual(
    (await groupRunningContainers(store, groupKinds)).sort(order),
  );
}
