import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerObservation } from '../../../core/types.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../../test-support/stores.js';
import { listContainers } from './list-containers.js';
import { listInventorySources } from './list-inventory-sources.js';
import { finishInventoryRun, recordFailedInventoryRun, startInventoryRun } from './record-inventory-run.js';
import { readingAhead, writeInventoryMutation, writeInventoryStream } from './write-inventory-mutation.js';

const kinds = await storeKindsToTest();
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const SRC = { name: 'kind', kind: 'kubernetes' as const };

function obs(
  pod: string,
  container: string,
  extra: Partial<ContainerObservation> = {},
): ContainerObservation {
  return {
    id: `kind/default/${pod}/${container}`,
    cluster: 'kind',
    namespace: extra.namespace ?? 'default',
    workloadKind: 'Deployment',
    workloadName: 'web',
    pod,
    container,
    containerKind: 'regular',
    node: 'n1',
    platform: { os: 'linux', architecture: 'amd64' },
    image: 'nginx:1.25',
    imageId: `docker-pullable://nginx@${D1}`,
    digest: D1,
    digestKind: 'repo',
    state: 'running',
    labels: { app: 'web' },
    ...extra,
  };
}

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

describe('the batches of a stream, read one ahead', () => {
  /** A source of batches 1..n that logs when each is asked for, read and closed. */
  function source(n: number, log: string[], failAt?: number): AsyncIterable<number> {
    return (async function* () {
      try {
        for (let i = 1; i <= n; i++) {
          log.push(`ask ${i}`);
          await new Promise((r) => setTimeout(r, 1));
          if (i === failAt) throw new Error(`batch ${i} unreadable`);
          log.push(`read ${i}`);
          yield i;
        }
      } finally {
        log.push('closed');
      }
    })();
  }

  it('hands out every batch in order, the next one read while the one before is used', async () => {
    const log: string[] = [];
    const got: number[] = [];
    for await (const b of readingAhead(source(3, log))) {
      // The next batch was asked for before this one is used (landing it takes a while).
      log.push(`land ${b}`);
      await new Promise((r) => setTimeout(r, 5));
      got.push(b);
    }
    expect(got).toEqual([1, 2, 3]);
    expect(log.indexOf('ask 2')).toBeLessThan(log.indexOf('land 1'));
    expect(log.indexOf('read 2')).toBeLessThan(log.indexOf('land 2'));
    expect(log.indexOf('ask 3')).toBeLessThan(log.indexOf('land 2'));
    // The source ended (and closed) while the last batch was being used.
    expect(log.indexOf('closed')).toBeLessThan(log.indexOf('land 3'));
  });

  it('closes the source when a batch fails to land, after the batch being read', async () => {
    const log: string[] = [];
    await expect(
      (async () => {
        for await (const b of readingAhead(source(5, log))) if (b === 2) throw new Error('landing failed');
      })(),
    ).rejects.toThrow('landing failed');
    expect(log).toEqual(['ask 1', 'read 1', 'ask 2', 'read 2', 'ask 3', 'read 3', 'closed']);
  });

  it('passes on a batch that cannot be read', async () => {
    const log: string[] = [];
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const b of readingAhead(source(5, log, 3))) got.push(b);
      })(),
    ).rejects.toThrow('batch 3 unreadable');
    expect(got).toEqual([1, 2]);
    expect(log.at(-1)).toBe('closed');
  });
});

describe.each(kinds)('writeInventoryMutation on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('adds, keeps, changes and closes containers across full lists', async () => {
    const a = obs('web-1', 'nginx');
    const b = obs('web-2', 'nginx');
    const r1 = await writeInventoryMutation(
      store,
      SRC,
      { type: 'full', containers: [a, b] },
      { observedAt: at(1) },
    );
    expect(r1.added.sort()).toEqual([a.id, b.id].sort());
    expect(r1.changed).toEqual([]);
    expect(r1.removed).toEqual([]);

    // Same list again: nothing added or changed, last_seen moves, first_seen stays.
    const r2 = await writeInventoryMutation(
      store,
      SRC,
      { type: 'full', containers: [a, b] },
      { observedAt: at(2) },
    );
    expect(r2).toMatchObject({ added: [], changed: [], removed: [], unchanged: 2 });
    const [row] = await listContainers(store, { ids: [a.id] });
    expect(row!.firstSeen.toISOString()).toBe(at(1).toISOString());
    expect(row!.lastSeen.toISOString()).toBe(at(2).toISOString());
    expect(row!.platform).toBe('linux/amd64');
    expect(row!.labels).toEqual({ app: 'web' });

    // Mark a as resolved (what propagation does), then change only its state: resolution is kept.
    await store.db
      .updateTable('containers')
      .set({ image_digest: D1, match_method: 'manifest-digest', confidence: 'exact' })
      .where('id', '=', a.id)
      .execute();
    const r3 = await writeInventoryMutation(
      store,
      SRC,
      { type: 'full', containers: [{ ...a, state: 'waiting', restarts: 1 }] },
      { observedAt: at(3) },
    );
    expect(r3.changed).toEqual([a.id]);
    expect(r3.identityChanged).toEqual([]);
    expect(r3.removed).toEqual([b.id]);
    const rows = await listContainers(store, { includeRemoved: true });
    const ra = rows.find((r) => r.id === a.id)!;
    const rb = rows.find((r) => r.id === b.id)!;
    expect(ra).toMatchObject({
      state: 'waiting',
      restarts: 1,
      imageDigest: D1,
      matchMethod: 'manifest-digest',
    });
    expect(rb.removedAt?.toISOString()).toBe(at(3).toISOString());
    expect(rb.lastSeen.toISOString()).toBe(at(2).toISOString());
    expect((await listContainers(store)).map((r) => r.id)).toEqual([a.id]);

    // b's exposure interval is closed at its last sighting; a's is still open.
    const exp = await store.db.selectFrom('exposures').selectAll().orderBy('id').execute();
    const eb = exp.filter((e) => e.container_id === b.id);
    expect(eb).toHaveLength(1);
    expect(eb[0]!.closed_at?.toISOString()).toBe(at(3).toISOString());
    expect(eb[0]!.last_seen.toISOString()).toBe(at(2).toISOString());
    const ea = exp.filter((e) => e.container_id === a.id);
    expect(ea).toHaveLength(1);
    expect(ea[0]!.closed_at).toBeNull();
    expect(ea[0]!.last_seen.toISOString()).toBe(at(3).toISOString());

    // A new image for a: resolution resets, old interval closes, a new one opens.
    const r4 = await writeInventoryMutation(
      store,
      SRC,
      { type: 'full', containers: [{ ...a, image: 'nginx:1.26', imageId: `nginx@${D2}`, digest: D2 }] },
      { observedAt: at(4) },
    );
    expect(r4.identityChanged).toEqual([a.id]);
    const [ra4] = await listContainers(store, { ids: [a.id] });
    expect(ra4).toMatchObject({
      digest: D2,
      imageDigest: null,
      matchMethod: 'unresolved',
      confidence: 'none',
    });
    const ea4 = await store.db
      .selectFrom('exposures')
      .selectAll()
      .where('container_id', '=', a.id)
      .orderBy('id')
      .execute();
    expect(ea4.map((e) => e.closed_at?.toISOString() ?? null)).toEqual([at(4).toISOString(), null]);

    // b comes back: it counts as added and gets a new interval.
    const r5 = await writeInventoryMutation(
      store,
      SRC,
      { type: 'full', containers: [b] },
      { observedAt: at(5) },
    );
    expect(r5.added).toEqual([b.id]);
    expect(r5.removed).toEqual([a.id]);
    const [rb5] = await listContainers(store, { ids: [b.id] });
    expect(rb5!.removedAt).toBeNull();
    expect(rb5!.firstSeen.toISOString()).toBe(at(1).toISOString());
  });

  it('applies deltas to their own rows only and keeps short-lived containers', async () => {
    const src = { name: 'delta-cluster', kind: 'kubernetes' as const };
    const keep = { ...obs('keep', 'c'), id: 'delta/keep/c' };
    await writeInventoryMutation(store, src, { type: 'full', containers: [keep] }, { observedAt: at(10) });
    const session = await startInventoryRun(store, src, at(10));
    const job = { ...obs('job-x', 'c'), id: 'delta/job-x/c', state: 'running' };
    const d1 = await writeInventoryMutation(
      store,
      src,
      { type: 'delta', added: [job], removed: [] },
      { observedAt: at(11), runId: session.runId },
    );
    expect(d1.added).toEqual([job.id]);
    const d2 = await writeInventoryMutation(
      store,
      src,
      { type: 'delta', added: [{ ...job, state: 'terminated' }], removed: [job.id, 'delta/never-seen/c'] },
      { observedAt: at(12), runId: session.runId },
    );
    expect(d2.changed).toEqual([job.id]);
    expect(d2.removed).toEqual([job.id]);
    await finishInventoryRun(store, session.runId, 'ok');

    const all = await listContainers(store, { source: 'delta-cluster', includeRemoved: true });
    expect(all.map((r) => r.id).sort()).toEqual([job.id, keep.id].sort());
    const k = all.find((r) => r.id === keep.id)!;
    expect(k.lastSeen.toISOString()).toBe(at(10).toISOString()); // untouched by the deltas
    const j = all.find((r) => r.id === job.id)!;
    expect(j).toMatchObject({ state: 'terminated' });
    expect(j.removedAt?.toISOString()).toBe(at(12).toISOString());
    const exp = await store.db
      .selectFrom('exposures')
      .selectAll()
      .where('container_id', '=', job.id)
      .execute();
    expect(exp).toHaveLength(1);
    expect(exp[0]!.first_seen.toISOString()).toBe(at(11).toISOString());
    expect(exp[0]!.closed_at?.toISOString()).toBe(at(12).toISOString());

    const run = await store.db
      .selectFrom('inventory_runs')
      .selectAll()
      .where('id', '=', session.runId)
      .executeTakeFirstOrThrow();
    expect(run.status).toBe('ok');
    expect(run.counts).toMatchObject({ added: 1, changed: 1, removed: 1, deltas: 2 });
  });

  it('closes only the namespaces a scoped full list covered', async () => {
    const src = { name: 'scoped', kind: 'kubernetes' as const };
    const a = { ...obs('a', 'c', { namespace: 'team-a' }), id: 'scoped/a' };
    const b = { ...obs('b', 'c', { namespace: 'team-b' }), id: 'scoped/b' };
    await writeInventoryMutation(store, src, { type: 'full', containers: [a, b] }, { observedAt: at(20) });
    const r = await writeInventoryMutation(
      store,
      src,
      { type: 'full', containers: [] },
      { observedAt: at(21), scope: { namespaces: ['team-a'] } },
    );
    expect(r.removed).toEqual([a.id]);
    expect((await listContainers(store, { source: 'scoped' })).map((c) => c.id)).toEqual([b.id]);
  });

  it('an unchanged full list rewrites no container or interval; last seen is the time of the source list', async () => {
    const src = { name: 'steady', kind: 'kubernetes' as const };
    const a = obs('steady-1', 'app', { namespace: 'steady' });
    const b = obs('steady-2', 'app', { namespace: 'steady' });
    const raw = async () =>
      (
        await sql<{ id: string; xmin: string; last_seen: Date; e_xmin: string; e_last: Date }>`
          select c.id, c.xmin::text as xmin, c.last_seen, e.xmin::text as e_xmin, e.last_seen as e_last
          from containers c join exposures e on e.container_id = c.id and e.closed_at is null
          where c.id in (${a.id}, ${b.id}) order by c.id`.execute(store.db)
      ).rows;
    await writeInventoryMutation(store, src, { type: 'full', containers: [a, b] }, { observedAt: at(20) });
    const before = await raw();
    for (const t of [21, 22]) {
      const r = await writeInventoryMutation(
        store,
        src,
        { type: 'full', containers: [a, b] },
        { observedAt: at(t) },
      );
      expect(r.counts).toMatchObject({ added: 0, changed: 0, removed: 0 });
      expect(r.unchanged).toBe(2);
    }
    // Same row versions (xmin) as after the first list: nothing was written to either table.
    expect(await raw()).toEqual(before);
    const live = await listContainers(store, { ids: [a.id, b.id] });
    expect(live.map((r) => r.lastSeen.toISOString())).toEqual([at(22).toISOString(), at(22).toISOString()]);

    // b is gone from the next list: closed with its last sighting (the list at 22), as is its interval.
    const r4 = await writeInventoryMutation(
      store,
      src,
      { type: 'full', containers: [a] },
      { observedAt: at(23) },
    );
    expect(r4.removed).toEqual([b.id]);
    const [gone] = await listContainers(store, { ids: [b.id], includeRemoved: true });
    expect(gone!.lastSeen.toISOString()).toBe(at(22).toISOString());
    expect(gone!.removedAt?.toISOString()).toBe(at(23).toISOString());
    const eb = await store.db.selectFrom('exposures').selectAll().where('container_id', '=', b.id).execute();
    expect(eb.map((e) => [e.last_seen.toISOString(), e.closed_at?.toISOString()])).toEqual([
      [at(22).toISOString(), at(23).toISOString()],
    ]);

    // A delta that sees a unchanged writes its row (a delta says nothing of the source's other rows).
    await writeInventoryMutation(
      store,
      src,
      { type: 'delta', added: [a], removed: [] },
      { observedAt: at(24) },
    );
    const after = await sql<{ last_seen: Date }>`select last_seen from containers where id = ${a.id}`.execute(
      store.db,
    );
    expect(after.rows[0]!.last_seen.toISOString()).toBe(at(24).toISOString());
  });

  it('refuses ids of another source and a name reused for another kind, writing nothing', async () => {
    const before = await store.db.selectFrom('containers').select('id').execute();
    const stolen = obs('web-1', 'nginx'); // belongs to source "kind"
    await expect(
      writeInventoryMutation(store, { name: 'other', kind: 'cmdb' }, { type: 'full', containers: [stolen] }),
    ).rejects.toThrow(/another inventory source/);
    await expect(
      writeInventoryMutation(store, { name: 'kind', kind: 'docker' }, { type: 'full', containers: [] }),
    ).rejects.toThrow(/already exists as a kubernetes source/);
    expect(await store.db.selectFrom('containers').select('id').execute()).toEqual(before);
    expect(
      await store.db.selectFrom('inventory_sources').select('name').where('name', '=', 'other').execute(),
    ).toEqual([]);
  });

  // PostgreSQL only: PGlite serves one connection, so no other writer can race a first import there.
  if (kind === 'postgres')
    it('a first import racing another source for an id fails as a collision and writes nothing (ADR 0028)', async () => {
      const raced = obs('race-1', 'app');
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      let inserted!: () => void;
      const didInsert = new Promise<void>((r) => {
        inserted = r;
      });
      // Another source's writer has inserted the id but not committed: the first import's check for
      // stored ids cannot see it, so the batch goes to the COPY, which waits on the unique index.
      const other = store.db.transaction().execute(async (trx) => {
        const src = await sql<{ id: number }>`insert into inventory_sources (name, kind)
          values ('racer', 'cmdb') returning id`.execute(trx);
        await sql`insert into containers (id, source_id, container_name, container_kind, image, state)
          values (${raced.id}, ${src.rows[0]!.id}, 'app', 'regular', 'nginx:1.25', 'running')`.execute(trx);
        inserted();
        await held;
      });
      await didInsert;
      const first = writeInventoryMutation(
        store,
        { name: 'first-import', kind: 'cmdb' },
        { type: 'full', containers: [obs('race-0', 'app'), raced] },
      );
      const outcome = first.then(
        () => 'landed',
        (e: Error) => e.message,
      );
      await new Promise((r) => setTimeout(r, 300));
      release();
      await other;
      expect(await outcome).toMatch(
        /container id kind\/default\/race-1\/app already belongs to another inventory source/,
      );
      const landed = await sql<{ id: string }>`select c.id from containers c
        join inventory_sources s on s.id = c.source_id where s.name = 'first-import'`.execute(store.db);
      expect(landed.rows).toEqual([]);
      const exposures = await sql<{ n: number }>`select count(*)::int as n from exposures
        where container_id = ${obs('race-0', 'app').id}`.execute(store.db);
      expect(exposures.rows[0]!.n).toBe(0);
    });

  /** `n` batches of `size` observations of pods `<prefix>-<batch>-<i>`. */
  async function* batchesOf(prefix: string, n: number, size: number, after?: (i: number) => void) {
    for (let b = 0; b < n; b++) {
      yield Array.from({ length: size }, (_, i) => obs(`${prefix}-${b}-${i}`, 'app'));
      after?.(b);
    }
  }

  it('a first import streamed in many batches lands every row, one open interval each, with counts and progress', async () => {
    const progress: number[] = [];
    const r = await writeInventoryStream(
      store,
      { name: 'streamed', kind: 'cmdb' },
      batchesOf('st', 4, 3),
      () => ({
        type: 'full',
      }),
      { observedAt: at(30), idLimit: 5, progress: (n) => progress.push(n) },
    );
    expect(r.counts).toEqual({ seen: 12, added: 12, changed: 0, identityChanged: 0, removed: 0 });
    expect(r.idsOmitted).toBe(true);
    expect(progress).toEqual([3, 6, 9, 12]);
    const rows = await sql<{ id: string; first_seen: Date; open: number; digest: string | null }>`
      select c.id, c.first_seen, count(e.id)::int as open, max(e.image_digest) as digest
      from containers c join inventory_sources s on s.id = c.source_id
      left join exposures e on e.container_id = c.id and e.closed_at is null and e.first_seen = ${at(30)}
      where s.name = 'streamed' group by c.id, c.first_seen order by c.id`.execute(store.db);
    expect(rows.rows.map((x) => x.id)).toEqual(
      [0, 1, 2, 3].flatMap((b) => [0, 1, 2].map((i) => `kind/default/st-${b}-${i}/app`)).sort(),
    );
    expect(rows.rows.every((x) => x.open === 1 && x.digest === null)).toBe(true);
    expect(rows.rows.every((x) => x.first_seen.getTime() === at(30).getTime())).toBe(true);
    // The same list again: every row unchanged, nothing added.
    const again = await writeInventoryStream(
      store,
      { name: 'streamed', kind: 'cmdb' },
      batchesOf('st', 4, 3),
      () => ({
        type: 'full',
      }),
      { observedAt: at(31) },
    );
    expect(again.counts).toMatchObject({ seen: 12, added: 0, changed: 0, removed: 0 });
    expect(again.unchanged).toBe(12);
  });

  // PostgreSQL only: there a first import is one COPY fed by the stream (PGlite lands batch by batch).
  if (kind === 'postgres') {
    it('a first import with an id twice in its stream is refused with that id; nothing lands', async () => {
      async function* twice() {
        yield [obs('tw-0', 'app'), obs('tw-1', 'app')];
        yield [obs('tw-2', 'app'), obs('tw-0', 'app')];
      }
      await expect(
        writeInventoryStream(store, { name: 'twice', kind: 'cmdb' }, twice(), () => ({ type: 'full' })),
      ).rejects.toThrow(
        'container id kind/default/tw-0/app comes twice in the list; each container must come once',
      );
      const left = await sql<{
        n: number;
      }>`select count(*)::int as n from containers where id like 'kind/default/tw-%'`.execute(store.db);
      expect(left.rows[0]!.n).toBe(0);
      expect(
        await store.db.selectFrom('inventory_sources').select('id').where('name', '=', 'twice').execute(),
      ).toEqual([]);
    });

    it('a first import whose stream fails part way fails with that error; nothing lands and the store goes on', async () => {
      const unreadable = new Error('cmdb.csv:7: not UTF-8');
      async function* failing() {
        yield* batchesOf('fl', 2, 50);
        throw unreadable;
      }
      await expect(
        writeInventoryStream(store, { name: 'failing', kind: 'cmdb' }, failing(), () => ({ type: 'full' })),
      ).rejects.toBe(unreadable);
      const left = await sql<{
        n: number;
      }>`select (select count(*) from containers where id like 'kind/default/fl-%')::int
        + (select count(*) from exposures where container_id like 'kind/default/fl-%')::int as n`.execute(
        store.db,
      );
      expect(left.rows[0]!.n).toBe(0);
      const next = await writeInventoryStream(
        store,
        { name: 'failing', kind: 'cmdb' },
        batchesOf('fl', 2, 50),
        () => ({
          type: 'full',
        }),
      );
      expect(next.counts.added).toBe(100);
    });

    it("a first import meeting another source's id in a later batch is refused as a collision; nothing lands", async () => {
      await writeInventoryMutation(
        store,
        { name: 'owner', kind: 'cmdb' },
        { type: 'full', containers: [obs('co-1-0', 'app')] },
      );
      await expect(
        writeInventoryStream(store, { name: 'collider', kind: 'cmdb' }, batchesOf('co', 3, 2), () => ({
          type: 'full',
        })),
      ).rejects.toThrow(
        'container id kind/default/co-1-0/app already belongs to another inventory source; give this source another name so its ids do not collide',
      );
      const left = await sql<{
        id: string;
      }>`select id from containers where id like 'kind/default/co-%'`.execute(store.db);
      expect(left.rows).toEqual([{ id: 'kind/default/co-1-0/app' }]);
    });
  }

  it('lands text that means something to a bulk load (backslashes, \\N, tabs, line breaks, UTF-8) as it was', async () => {
    const src = { name: 'odd-text', kind: 'cmdb' as const };
    const odd = (extra: Partial<ContainerObservation>) => ({
      ...obs('odd', 'c'),
      id: 'odd-text/1',
      ...extra,
    });
    const text = {
      namespace: '\\N',
      owner: 'a\\tb\\',
      environment: 'x\ty\nz\r zürich € 😀',
      labels: { 'k\\N': 'v\t\\n', ключ: '值😀' },
    };
    await writeInventoryMutation(
      store,
      src,
      { type: 'full', containers: [odd(text)] },
      { observedAt: at(1) },
    );
    const read = () =>
      store.db
        .selectFrom('containers')
        .select(['namespace', 'owner', 'environment', 'labels', 'restarts'])
        .where('id', '=', 'odd-text/1')
        .executeTakeFirstOrThrow();
    expect(await read()).toEqual({ ...text, restarts: null });
    // Read back and compared in the database: the same text again is unchanged, not rewritten.
    const again = await writeInventoryMutation(
      store,
      src,
      { type: 'full', containers: [odd(text)] },
      { observedAt: at(2) },
    );
    expect(again).toMatchObject({ added: [], changed: [], unchanged: 1 });
    const changed = await writeInventoryMutation(
      store,
      src,
      { type: 'full', containers: [odd({ ...text, restarts: 3 })] },
      { observedAt: at(3) },
    );
    expect(changed).toMatchObject({ added: [], changed: ['odd-text/1'], identityChanged: [] });
    expect(await read()).toEqual({ ...text, restarts: 3 });
  });

  it('records runs for freshness, failed ones included', async () => {
    await recordFailedInventoryRun(store, { name: 'down', kind: 'docker' }, 'full', [
      { where: 'unix:///nope.sock', message: 'connect ENOENT' },
    ]);
    const sources = await listInventorySources(store);
    const down = sources.find((s) => s.name === 'down')!;
    expect(down.lastObservedAt).toBeNull();
    expect(down.lastRun).toMatchObject({ status: 'failed', errors: [{ message: 'connect ENOENT' }] });
    const kindSrc = sources.find((s) => s.name === 'kind')!;
    expect(kindSrc.lastObservedAt?.toISOString()).toBe(at(5).toISOString());
    expect(kindSrc.liveContainers).toBe(1);
    expect(kindSrc.lastRun?.counts).toMatchObject({ seen: 1, added: 1, removed: 1 });
  });
});
