import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate } from './migrate.js';
import { POOL_IDLE_MS } from './open-store.js';
import { getStoreStatus } from './queries/status/get-store-status.js';
import { createTestStore, storeKindsToTest, type TestStore } from './test-support/stores.js';

const kinds = await storeKindsToTest();

describe.each(kinds)('store on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('applies every migration and records the schema version', async () => {
    expect(store.kind).toBe(kind);
    expect(store.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    const rows = await store.db.selectFrom('schema_migrations').selectAll().orderBy('version').execute();
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('is idempotent: migrating again changes nothing', async () => {
    expect(await migrate(store.db)).toBe(LATEST_SCHEMA_VERSION);
    const n = await store.db
      .selectFrom('schema_migrations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(MIGRATIONS.length);
  });

  it('counts rows per table in status, with int8 as numbers', async () => {
    await store.db
      .insertInto('images')
      .values({
        digest: `sha256:${'a'.repeat(64)}`,
        kind: 'manifest',
        media_type: 'application/vnd.oci.image.manifest.v1+json',
      })
      .execute();
    const status = await getStoreStatus(store);
    expect(status.store).toBe(kind);
    expect(status.counts.images).toBe(1);
    expect(status.counts.containers).toBe(0);
    const { rows } = await sql<{ n: number }>`select 9007199254740991::int8 as n`.execute(store.db);
    expect(rows[0]?.n).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('rolls back a failed transaction: nothing of it lands', async () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    await expect(
      store.db.transaction().execute(async (tx) => {
        await tx.insertInto('images').values({ digest, kind: 'manifest', media_type: 'x' }).execute();
        await tx.insertInto('images').values({ digest, kind: 'manifest', media_type: 'x' }).execute(); // duplicate key
      }),
    ).rejects.toThrow();
    const found = await store.db.selectFrom('images').select('digest').where('digest', '=', digest).execute();
    expect(found).toEqual([]);
  });

  it('stores and returns jsonb, text[] and timestamptz as JS values', async () => {
    const { id: sourceId } = await store.db
      .insertInto('inventory_sources')
      .values({ name: 'k', kind: 'kubernetes', config: JSON.stringify({ a: 1 }) })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(typeof sourceId).toBe('number');
    const seen = new Date('2026-01-02T03:04:05.000Z');
    await store.db
      .insertInto('containers')
      .values({
        id: 'c1',
        source_id: sourceId,
        container_name: 'app',
        container_kind: 'regular',
        image: 'nginx:1.25',
        state: 'running',
        labels: JSON.stringify({ team: 'web' }),
        first_seen: seen,
        last_seen: seen,
      })
      .execute();
    const row = await store.db
      .selectFrom('containers')
      .selectAll()
      .where('id', '=', 'c1')
      .executeTakeFirstOrThrow();
    expect(row.labels).toEqual({ team: 'web' });
    expect(row.first_seen).toBeInstanceOf(Date);
    expect(row.first_seen.toISOString()).toBe(seen.toISOString());
    expect(row.match_method).toBe('unresolved');
    expect(row.confidence).toBe('none');
  });
});

// The pool of a PostgreSQL store (open-store.ts): an idle connection is kept for POOL_IDLE_MS (a
// new backend pays its catalog caches and first plans again), yet held connections never keep a
// process alive that has finished its work.
describe.skipIf(!kinds.includes('postgres'))('the PostgreSQL pool', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore('postgres');
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('keeps an idle connection past pg’s 10 s default', { timeout: 30_000 }, async () => {
    const pid = async () =>
      (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(store.db)).rows[0]!.pid;
    const before = await pid();
    await new Promise((r) => setTimeout(r, 10_500));
    expect(await pid()).toBe(before);
    expect(POOL_IDLE_MS).toBeGreaterThanOrEqual(60_000);
  });

  it('lets a process that never closed its store exit once its work is done', {
    timeout: 60_000,
  }, async () => {
    const script = `import { openStore } from ${JSON.stringify(resolve(import.meta.dirname, 'open-store.ts'))};
      const s = await openStore({ databaseUrl: process.env.RUNSIGHT_TEST_URL });
      await s.db.selectFrom('schema_migrations').select('version').execute();
      console.log('queried');`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, RUNSIGHT_TEST_URL: store.location },
    });
    let stdout = '';
    let stderr = '';
    let queriedAt = 0;
    child.stdout.on('data', (b: Buffer) => {
      stdout += b;
      if (!queriedAt && stdout.includes('queried')) queriedAt = Date.now();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b;
    });
    // Killed after 30 s: a pool that kept the process alive would hold it for POOL_IDLE_MS.
    const killer = setTimeout(() => child.kill(), 30_000);
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    clearTimeout(killer);
    expect(code, stderr).toBe(0);
    expect(stdout.trim()).toBe('queried');
    // From its last output to its exit: well under pg's 10 s idle timeout, whatever the start took.
    expect(Date.now() - queriedAt).toBeLessThan(5_000);
  });
});
