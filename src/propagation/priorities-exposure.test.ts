// The prioritised list's last tie-break, exposure time, from the maintained image_exposure
// (migration 34) for a caller without an access scope and summed at read time within one: the same
// order and the same figures, each ledger interval counted to the digest it ran (ADR 0026 part 1).
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { getPosture } from '../views/posture.js';
import { maintainPosture } from './sync.js';
import { addContainers, addManifest, addScan, addSource, digestOf } from './test-support/fleet.js';

const kinds = await storeKindsToTest();

const D = [1, 2, 3, 4].map((i) => digestOf(`prio-exp-${i}`));

describe.each(kinds)('exposure tie-break on %s', (kind) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await createTestStore(kind);
  });
  afterEach(async () => {
    await store?.dispose();
  });

  it('orders by the exposure each image had, with and without an access scope', async () => {
    const src = await addSource(store);
    for (const [i, d] of D.entries()) {
      await addManifest(store, d);
      await addScan(store, d, [{ id: `CVE-2024-090${i + 1}`, severity: 'HIGH', pkg: 'zlib' }]);
    }
    // One container per image now; m/1 ran image 3 before it moved to image 4.
    await addContainers(
      store,
      src,
      D.slice(0, 3).map((d, i) => ({
        id: `d${i + 1}/1`,
        image: `d${i + 1}:1`,
        digest: d,
        workloadName: `d${i + 1}`,
      })),
    );
    await addContainers(store, src, [{ id: 'm/1', image: 'd3:1', digest: D[2]!, workloadName: 'm' }]);
    await maintainPosture(store);
    await addContainers(store, src, [{ id: 'm/1', image: 'd4:1', digest: D[3]!, workloadName: 'm' }]);
    await maintainPosture(store);
    // Figures known by hand: m/1 ran image 3 for 3 h (its closed interval), d1/1 also ran image 1
    // for an hour yesterday, d2/1 has run image 2 for 30 min; the rest started seconds ago.
    await sql`update exposures set first_seen = closed_at - interval '3 hours'
      where container_id = 'm/1' and closed_at is not null`.execute(store.db);
    await sql`update exposures set first_seen = now() - interval '30 minutes'
      where container_id = 'd2/1'`.execute(store.db);
    await sql`insert into exposures (container_id, image_digest, first_seen, last_seen, closed_at)
      values ('d1/1', ${D[0]}, now() - interval '25 hours', now() - interval '24 hours', now() - interval '24 hours')`.execute(
      store.db,
    );
    const fleet = (await getPosture(store, {})).priorities;
    const scoped = (await getPosture(store, { scope: { clusters: ['prod'] } })).priorities;
    // Every other key ties (no KEV, no EPSS, HIGH, no fix, 1 container, 1 image).
    expect(fleet.map((p) => [p.vulnerabilityId, p.containers, p.images])).toEqual([
      ['CVE-2024-0903', 1, 1],
      ['CVE-2024-0901', 1, 1],
      ['CVE-2024-0902', 1, 1],
      ['CVE-2024-0904', 1, 1],
    ]);
    expect(scoped.map((p) => p.vulnerabilityId)).toEqual(fleet.map((p) => p.vulnerabilityId));
    const expected = [3 * 3600, 3600, 1800, 0];
    for (const [i, p] of fleet.entries()) {
      expect(p.exposureSeconds).toBeGreaterThanOrEqual(expected[i]!);
      expect(p.exposureSeconds).toBeLessThan(expected[i]! + 120);
      expect(Math.abs(p.exposureSeconds - scoped[i]!.exposureSeconds)).toBeLessThanOrEqual(2);
    }
  });
});
