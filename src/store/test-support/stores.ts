// Test support: the two store dialects every store test runs against (Kysely's DIALECTS pattern).
// PostgreSQL tests create a uniquely named database on the server at $RUNSIGHT_TEST_PG
// (default postgres://postgres@127.0.0.1:5432/postgres) and drop it afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { probeOrSkip } from '../../test-support/require-or-skip.js';
import { openStore, type Store, type StoreKind } from '../open-store.js';

export const ADMIN_URL = process.env.RUNSIGHT_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const STORE_KINDS: readonly StoreKind[] = ['pglite', 'postgres'];

let pgReachable: Promise<boolean> | undefined;

/**
 * Whether the PostgreSQL server answers. Outside CI an unreachable server means the postgres tests
 * are skipped visibly; under CI=true it is an error, never a skip (test-support/require-or-skip.ts).
 */
export function postgresAvailable(): Promise<boolean> {
  pgReachable ??= probeOrSkip(`PostgreSQL at ${ADMIN_URL}`, async () => {
    const c = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
    await c.connect();
    await c.end();
    return true;
  });
  return pgReachable;
}

export interface TestStore extends Store {
  /** Closes the store and drops its database. */
  dispose(): Promise<void>;
}

export async function createTestStore(kind: StoreKind): Promise<TestStore> {
  if (kind === 'pglite') {
    const store = await openStore({ dataDir: 'memory://' });
    return Object.assign(store, { dispose: () => store.close() });
  }
  const name = `runsight_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const store = await openStore({ databaseUrl: url.toString() });
  return Object.assign(store, {
    dispose: async () => {
      await store.close();
      await dropDatabase(name);
    },
  });
}

/**
 * Drops a test database. pg's pool.end() resolves before its clients' sockets have closed, and a
 * `drop … with (force)` at that moment kills them: the client emits an error nobody listens to any
 * more (an "unhandled error" in the run). So wait for the last sessions to leave (SQLSTATE 55006:
 * still being accessed) and force only if they never do.
 */
async function dropDatabase(name: string): Promise<void> {
  const a = new pg.Client({ connectionString: ADMIN_URL });
  await a.connect();
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        await a.query(`drop database if exists ${name}`);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== '55006') throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await a.query(`drop database if exists ${name} with (force)`);
  } finally {
    await a.end();
  }
}

/**
 * The store kinds a store suite runs on (Kysely's DIALECTS pattern: `describe.each(kinds)`). Both,
 * when PostgreSQL answers. When it does not (outside CI only — under CI=true postgresAvailable
 * throws), the file gets one visibly skipped test saying the postgres half did not run, instead of
 * the postgres suite silently vanishing from the count. Call it at the top level of a test file.
 */
export async function storeKindsToTest(): Promise<StoreKind[]> {
  if (await postgresAvailable()) return [...STORE_KINDS];
  // Imported here, not at the top: bench/ imports this module outside the test runner.
  const { it } = await import('vitest');
  it.skip(`on postgres: PostgreSQL at ${ADMIN_URL} is unreachable (this fails under CI=true)`, () => {});
  return ['pglite'];
}
