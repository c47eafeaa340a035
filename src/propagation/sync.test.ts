// The watermark sync when nothing changed (issue 15): it finds the containers to resolve through
// resolved_at (cleared by migration 33's trigger whenever a container's identity changes), so a
// sync with nothing to do reads no container row — and a container whose identity changed, by the
// inventory writer or by any other write, is still resolved again.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listContainersToResolve, saveResolutions } from '../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { syncPosture } from './sync.js';
import { addContainers, addManifest, addScan, addSource, digestOf } from './test-support/fleet.js';

const kinds = await storeKindsToTest();

const V1 = digestOf('svc-v1');
const V2 = digestOf('svc-v2');

async function seed(store: TestStore) {
  const src = await addSource(store);
  await addManifest(store, V1);
  await addManifest(store, V2);
  await addScan(store, V1, [{ id: 'CVE-2024-0001', severity: 'HIGH', pkg: 'openssl', fixed: '3.0.1' }]);
  await addScan(store, V2, []);
  await addContainers(
    store,
    src,
    ['a', 'b', 'c'].map((x) => ({ id: `svc/${x}`, image: 'svc:1', digest: V1, workloadName: 'svc' })),
  );
  await addContainers(store, src, [{ id: 'other/1', image: 'svc:1', digest: V1, workloadName: 'other' }]);
}

describe.each(kinds)('no-change sync on %s', (kind) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await createTestStore(kind);
  });
  afterEach(async () => {
    await store?.dispose();
  });

  it('reads no container row when nothing changed', async () => {
    await seed(store);
    const first = await syncPosture(store);
    expect(first.containersResolved).toBe(4);
    // One transaction, so the table statistics of this transaction count exactly the sync's reads.
    // On a handful of rows the planner scans a table whatever its indexes; at fleet size it does
    // not. With sequential scans disfavoured the small store plans as the large one does, and a
    // statement with no index path (the old comparison of every row's identity with its
    // resolution_input) still scans the table and is counted.
    // (The counters may also hold earlier transactions' reads not yet flushed: read them before.)
    const { result, before, after } = await store.transaction(async (tx) => {
      const reads = async () =>
        (
          await sql<{ seq: number; idx: number }>`
            select seq_tup_read as seq, idx_tup_fetch as idx from pg_stat_xact_user_tables
            where relname = 'containers'`.execute(tx.db)
        ).rows[0];
      await sql`set local enable_seqscan = off`.execute(tx.db);
      const before = await reads();
      const result = await syncPosture(tx);
      return { result, before, after: await reads() };
    });
    expect(result).toMatchObject({ containersResolved: 0, imagesRefreshed: 0, full: false });
    expect(after).toEqual(before);
  });

  it('resolves again a container whose identity any write changed', async () => {
    await seed(store);
    await syncPosture(store, { now: new Date('2026-03-01T00:00:00Z') });
    // Not through the inventory writer (which clears the resolution itself): a direct update.
    await store.db.updateTable('containers').set({ digest: V2 }).where('id', '=', 'svc/b').execute();
    const row = await store.db
      .selectFrom('containers')
      .select(['resolved_at', 'image_digest'])
      .where('id', '=', 'svc/b')
      .executeTakeFirstOrThrow();
    expect(row.resolved_at).toBeNull();
    // A write of other columns leaves the resolution alone.
    await store.db.updateTable('containers').set({ owner: 'team-b' }).where('id', '=', 'svc/c').execute();

    const r = await syncPosture(store, { now: new Date('2026-03-01T00:10:00Z') });
    expect(r.containersResolved).toBe(1);
    expect(r.resolutionChanges).toEqual([{ id: 'svc/b', before: V1, after: V2 }]);
    const again = await syncPosture(store, { now: new Date('2026-03-01T00:20:00Z') });
    expect(again.containersResolved).toBe(0);
  });

  it('does not save a resolution computed from an identity that changed since it was read', async () => {
    await seed(store);
    await syncPosture(store, { now: new Date('2026-03-01T00:00:00Z') });
    await store.db.updateTable('containers').set({ digest: V2 }).where('id', '=', 'svc/a').execute();
    const [read] = await listContainersToResolve(store, {}, null, 10);
    expect(read).toMatchObject({ id: 'svc/a', digest: V2 });
    // The identity changes again between the read and the save (another writer, mid-sync).
    await store.db.updateTable('containers').set({ digest: V1 }).where('id', '=', 'svc/a').execute();
    await saveResolutions(
      store,
      [{ id: 'svc/a', imageDigest: V2, matchMethod: 'digest', confidence: 'exact', input: read!.input }],
      new Date('2026-03-01T00:05:00Z'),
    );
    const row = await store.db
      .selectFrom('containers')
      .select(['resolved_at', 'image_digest'])
      .where('id', '=', 'svc/a')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ resolved_at: null, image_digest: V1 });
    // The next sync resolves it from the identity it has now.
    const r = await syncPosture(store, { now: new Date('2026-03-01T00:10:00Z') });
    expect(r.containersResolved).toBe(1);
    expect(
      await store.db
        .selectFrom('containers')
        .select('image_digest')
        .where('id', '=', 'svc/a')
        .executeTakeFirst(),
    ).toEqual({ image_digest: V1 });
  });
});
