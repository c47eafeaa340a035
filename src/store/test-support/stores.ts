// Test support: the two store dialects every store test runs against (Kysely's DIALECTS pattern).
// PostgreSQL tests create a uniquely named database on the server at $RUNSIGHT_TEST_PG
// (default postgres://postgres@127.0.0.1:5432/postgres) and drop it afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store, type StoreKind } from '../open-store.js';

export const ADMIN_URL = process.env.RUNSIGHT_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const STORE_KINDS: readonly StoreKind[] = ['pglite', 'postgres'];

let pgReachable: Promise<boolean> | undefined;

/** Whether the PostgreSQL server answers. Under CI=true an unreachable server is an error, never a skip. */
export function postgresAvailable(): Promise<boolean> {
  pgReachable ??= (async () => {
    const c = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.end();
      return true;
    } catch (err) {
      if (process.env.CI === 'true') {
        throw new Error(`CI=true and PostgreSQL at ${ADMIN_URL} is unreachable: ${(err as Error).message}`);
      }
      console.warn(`PostgreSQL at ${ADMIN_URL} is unreachable; postgres store tests are skipped outside CI`);
      return false;
    }
  })();
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
      const a = new pg.Client({ connectionString: ADMIN_URL });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  });
}

/**
 * Runs `suite` once per store kind (describe-per-dialect). `suite` receives a getter: a fresh
 * store per test file block, created in beforeAll and disposed in afterAll.
 */
export async function storeKindsToTest(): Promise<StoreKind[]> {
  return (await postgresAvailable()) ? [...STORE_KINDS] : ['pglite'];
}
