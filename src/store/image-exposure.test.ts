// Exposure per image kept by the store (migration 34, ADR 0026 part 1): image_exposure equals the
// ledger summed from scratch after every kind of write the ledger gets — the inventory writer's
// inserts and closes, the resolver pointing open intervals at a digest, a digest change, retention,
// multi-row statements of any writer, a truncate — on both stores; the prioritised list reads it.
import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncPosture } from '../propagation/sync.js';
import { addContainers, addManifest, addSource, digestOf } from '../propagation/test-support/fleet.js';
import { queryExposureByImage } from './index.js';
import * as m034 from './migrations/034-image-exposure.js';
import { deleteExposuresBefore } from './queries/retention/index.js';
import type { Database } from './schema.js';
import { createTestStore, storeKindsToTest, type TestStore } from './test-support/stores.js';

const kinds = await storeKindsToTest();

const A = digestOf('exp-a');
const B = digestOf('exp-b');
const C = digestOf('exp-c');
const HOUR = 3_600_000;

type Row = { digest: string; closed: number; open: number; openSum: number };

async function maintained(db: Kysely<Database>): Promise<Row[]> {
  const r = await sql<{ d: string; c: string; o: string; s: string }>`
    select image_digest as d, closed_seconds as c, open_count as o, open_first_seen_sum as s
    from image_exposure order by image_digest`.execute(db);
  return r.rows.map((x) => ({ digest: x.d, closed: Number(x.c), open: Number(x.o), openSum: Number(x.s) }));
}

/** The ledger summed from scratch, per digest (digests whose intervals sum to nothing left out). */
async function fromScratch(db: Kysely<Database>): Promise<Row[]> {
  const r = await sql<{ d: string; c: string; o: string; s: string }>`
    select image_digest as d,
      coalesce(sum(floor(date_part('epoch', closed_at)) - floor(date_part('epoch', first_seen))) filter (where closed_at is not null), 0) as c,
      count(*) filter (where closed_at is null) as o,
      coalesce(sum(floor(date_part('epoch', first_seen))) filter (where closed_at is null), 0) as s
    from exposures where image_digest is not null group by image_digest
    having count(*) filter (where closed_at is null) > 0
      or coalesce(sum(floor(date_part('epoch', closed_at)) - floor(date_part('epoch', first_seen))), 0) <> 0
    order by image_digest`.execute(db);
  return r.rows.map((x) => ({ digest: x.d, closed: Number(x.c), open: Number(x.o), openSum: Number(x.s) }));
}

async function expectKept(db: Kysely<Database>): Promise<Row[]> {
  const kept = await maintained(db);
  expect(kept).toEqual(await fromScratch(db));
  return kept;
}

describe.each(kinds)('exposure per image on %s', (kind) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await createTestStore(kind);
  });
  afterEach(async () => {
    await store?.dispose();
  });

  it('equals the ledger summed from scratch after every kind of write', async () => {
    const src = await addSource(store);
    for (const d of [A, B, C]) await addManifest(store, d);
    // The inventory writer opens one interval per new container, with no digest yet: nothing counts.
    await addContainers(store, src, [
      { id: 'a/1', image: 'a:1', digest: A },
      { id: 'a/2', image: 'a:1', digest: A },
      { id: 'b/1', image: 'b:1', digest: B },
    ]);
    expect(await expectKept(store.db)).toEqual([]);
    // The resolver points the open intervals at their digests.
    await syncPosture(store);
    const resolved = await expectKept(store.db);
    expect(resolved.map((r) => [r.digest, r.closed, r.open])).toEqual(
      [
        [A, 0, 2],
        [B, 0, 1],
      ].sort((x, y) => (x[0]! < y[0]! ? -1 : 1)),
    );
    // A digest change: a/2's interval on A closes, a new one opens and is resolved to C.
    await addContainers(store, src, [{ id: 'a/2', image: 'a:2', digest: C }]);
    await expectKept(store.db);
    await syncPosture(store);
    const moved = await expectKept(store.db);
    expect(moved.find((r) => r.digest === A)?.open).toBe(1);
    expect(moved.find((r) => r.digest === C)?.open).toBe(1);
    // A removal closes b/1's interval: B keeps its closed seconds, no open interval.
    await addContainers(store, src, [
      { id: 'b/1', image: 'b:1', digest: B, removedAt: new Date(Date.now() + 1000) },
    ]);
    const closed = await expectKept(store.db);
    expect(closed.find((r) => r.digest === B)?.open).toBe(0);
    // Multi-row statements of another writer: intervals on two digests in one insert, then one
    // update closing some and moving others, and a last_seen refresh that moves nothing.
    const t0 = Date.now() - 10 * HOUR;
    await store.db
      .insertInto('exposures')
      .values([
        { container_id: 'x/1', image_digest: A, first_seen: new Date(t0), last_seen: new Date(t0 + HOUR) },
        { container_id: 'x/2', image_digest: B, first_seen: new Date(t0), last_seen: new Date(t0 + HOUR) },
        {
          container_id: 'x/3',
          image_digest: B,
          first_seen: new Date(t0),
          last_seen: new Date(t0 + HOUR),
          closed_at: new Date(t0 + HOUR),
        },
        { container_id: 'x/4', image_digest: null, first_seen: new Date(t0), last_seen: new Date(t0) },
      ])
      .execute();
    await expectKept(store.db);
    await sql`update exposures set
        closed_at = case when container_id = 'x/1' then first_seen + interval '2 hours' else closed_at end,
        image_digest = case when container_id in ('x/2', 'x/4') then ${C} else image_digest end
      where container_id like 'x/%'`.execute(store.db);
    await expectKept(store.db);
    const before = await maintained(store.db);
    await sql`update exposures set last_seen = now()`.execute(store.db);
    expect(await expectKept(store.db)).toEqual(before);
    // Retention drops the closed intervals (every interval of B is closed: its row goes).
    await deleteExposuresBefore(store, new Date(Date.now() + 2 * HOUR));
    const kept = await expectKept(store.db);
    expect(kept.map((r) => r.digest)).not.toContain(B);
    expect(kept.every((r) => r.closed === 0)).toBe(true);
    await sql`truncate exposures`.execute(store.db);
    expect(await expectKept(store.db)).toEqual([]);
  });

  it('counts closed intervals to their close and open ones to now, with or without an access scope', async () => {
    const src = await addSource(store);
    await addManifest(store, A);
    await addContainers(store, src, [{ id: 'a/1', image: 'a:1', digest: A, cluster: 'prod' }]);
    await syncPosture(store);
    // a/1 ran A for one hour yesterday and runs it since two hours ago (its writer's interval is
    // moved back so the figure is known by hand): 3 h = 10,800 s.
    const now = Date.now();
    await sql`update exposures set first_seen = ${new Date(now - 2 * HOUR)}, last_seen = ${new Date(now)}
      where container_id = 'a/1'`.execute(store.db);
    await store.db
      .insertInto('exposures')
      .values({
        container_id: 'a/1',
        image_digest: A,
        first_seen: new Date(now - 26 * HOUR),
        last_seen: new Date(now - 25 * HOUR),
        closed_at: new Date(now - 25 * HOUR),
      })
      .execute();
    for (const scope of [undefined, { clusters: ['prod'] }]) {
      const secs = (await queryExposureByImage(store, [A, B], scope)).get(A)!;
      expect(secs).toBeGreaterThanOrEqual(10_800);
      expect(secs).toBeLessThan(10_860);
    }
    expect((await queryExposureByImage(store, [A], { clusters: ['staging'] })).get(A)).toBeUndefined();
  });

  it('gives containers with no interval their lifetime when the migration runs', async () => {
    const src = await addSource(store);
    await addManifest(store, A);
    await addContainers(store, src, [
      { id: 'old/1', image: 'a:1', digest: A, startedAt: new Date(Date.now() - 5 * HOUR) },
      { id: 'old/2', image: 'a:1', digest: A, startedAt: new Date(Date.now() - 5 * HOUR) },
    ]);
    await syncPosture(store);
    // As a store written before the ledger: old/1 has no interval; old/2 ran 5 h and is gone.
    await sql`drop table image_exposure`.execute(store.db);
    await sql`drop function image_exposure_moved() cascade`.execute(store.db);
    await sql`delete from exposures`.execute(store.db);
    await sql`update containers set removed_at = started_at + interval '5 hours' where id = 'old/2'`.execute(
      store.db,
    );
    await store.transaction((tx) => m034.up(tx.db));
    const ledger = await store.db
      .selectFrom('exposures')
      .select(['container_id', 'image_digest', 'closed_at'])
      .orderBy('container_id')
      .execute();
    expect(ledger.map((e) => [e.container_id, e.image_digest, e.closed_at !== null])).toEqual([
      ['old/1', A, false],
      ['old/2', A, true],
    ]);
    const [row] = await expectKept(store.db);
    expect(row).toMatchObject({ digest: A, closed: 5 * 3600, open: 1 });
    const secs = (await queryExposureByImage(store, [A])).get(A)!;
    expect(secs).toBeGreaterThanOrEqual(10 * 3600);
    expect(secs).toBeLessThan(10 * 3600 + 60);
  });
});
