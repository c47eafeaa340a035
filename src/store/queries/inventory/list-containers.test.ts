// sort=severity on both stores, over rows written here by hand: four images with posture whose
// figures (KEV, critical, high, medium, low, unknown) are chosen so that each figure decides once,
// two images sharing one tuple (their containers interleave by id), and containers without
// posture (an unscanned image, an unresolved one). Every page size walks the order worked out
// below exactly once; a namespace filter keeps the order of what it keeps.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, storeKindsToTest, type TestStore } from '../../test-support/stores.js';
import { containerSortKey, listContainers } from './list-containers.js';

const kinds = await storeKindsToTest();
const digest = (n: number) => `sha256:${String(n).repeat(64)}`;
// image: [kev, {critical, high, medium, low, unknown}]
const POSTURE: [number, number, Record<string, number>][] = [
  [1, 1, { critical: 0, high: 0, medium: 1, low: 0, unknown: 0 }], // KEV beats everything
  [2, 0, { critical: 3, high: 0, medium: 0, low: 0, unknown: 0 }],
  [3, 0, { critical: 3, high: 0, medium: 0, low: 0, unknown: 0 }], // same tuple as image 2
  [4, 0, { critical: 0, high: 9, medium: 9, low: 9, unknown: 9 }],
  [5, 0, { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 }], // scanned, clean
];
// container id, image (6: no posture; null: unresolved), namespace
const CONTAINERS: [string, number | null, string][] = [
  ['c-01', 4, 'a'],
  ['c-02', 2, 'b'],
  ['c-03', 6, 'a'],
  ['c-04', 3, 'a'],
  ['c-05', 1, 'b'],
  ['c-06', null, 'a'],
  ['c-07', 2, 'a'],
  ['c-08', 5, 'b'],
  ['c-09', 3, 'b'],
  ['c-10', 1, 'a'],
];
// By hand: image 1 (KEV) c-05 c-10; images 2 and 3 (3 critical) by id c-02 c-04 c-07 c-09;
// image 4 (high) c-01; image 5 (clean) c-08; no posture by id c-03 c-06.
const ORDER = ['c-05', 'c-10', 'c-02', 'c-04', 'c-07', 'c-09', 'c-01', 'c-08', 'c-03', 'c-06'];

describe.each(kinds)('listContainers sort=severity on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
    const src = await sql<{
      id: number;
    }>`insert into inventory_sources (name, kind) values ('s', 'kubernetes') returning id`.execute(store.db);
    for (const [n, kev, counts] of POSTURE)
      await sql`insert into image_posture (image_digest, source, counts, kev) values (${digest(n)}, 'grype', ${JSON.stringify(counts)}::jsonb, ${kev})`.execute(
        store.db,
      );
    for (const [id, image, ns] of CONTAINERS)
      await sql`insert into containers (id, source_id, namespace, container_name, container_kind, image, state, image_digest)
        values (${id}, ${src.rows[0]!.id}, ${ns}, 'app', 'regular', 'img', 'running', ${image === null ? null : digest(image)})`.execute(
        store.db,
      );
  }, 120_000);
  afterAll(async () => {
    await store?.dispose();
  });

  async function walk(limit: number, namespaces?: string[]): Promise<string[]> {
    const ids: string[] = [];
    let after: (string | number | null)[] | undefined;
    for (let page = 0; page < 20; page++) {
      const rows = await listContainers(store, { sort: 'severity', limit, after, namespaces });
      expect(rows.length).toBeLessThanOrEqual(limit);
      ids.push(...rows.map((r) => r.id));
      if (rows.length < limit) break;
      after = containerSortKey(rows.at(-1)!, 'severity');
    }
    return ids;
  }

  it.each([1, 2, 3, 4, 100])('pages of %i walk every container once, worst first', async (limit) => {
    expect(await walk(limit)).toEqual(ORDER);
  });

  it('without a limit: the whole order; with a namespace filter: the same order, filtered', async () => {
    expect((await listContainers(store, { sort: 'severity' })).map((r) => r.id)).toEqual(ORDER);
    expect(await walk(2, ['a'])).toEqual(['c-10', 'c-04', 'c-07', 'c-01', 'c-03', 'c-06']);
  });

  it("a row's key carries its image's figures, or nulls without posture", async () => {
    const rows = await listContainers(store, { sort: 'severity' });
    expect(containerSortKey(rows[0]!, 'severity')).toEqual([1, 0, 0, 1, 0, 0, 'c-05']);
    expect(containerSortKey(rows.at(-1)!, 'severity')).toEqual([null, null, null, null, null, null, 'c-06']);
  });
});
