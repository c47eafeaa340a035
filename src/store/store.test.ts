import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate } from './migrate.js';
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
