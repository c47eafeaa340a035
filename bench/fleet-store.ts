// The store a read benchmark (api, dashboard) runs on: a fresh test store filled with the
// propagation benchmark's synthetic fleet (bench/propagation.ts `generate`, rolled up), or — with
// RUNSIGHT_BENCH_FLEET_REUSE=<database> — a PostgreSQL database kept across runs and benchmarks:
// the first run creates it and builds the fleet (tens of minutes at 1M containers), later runs
// (of either benchmark) find the fleet there and measure at once. A database built by the
// propagation benchmark's RUNSIGHT_BENCH_PROPAGATION_REUSE holds the same fleet and serves as well.
// The reused database is never dropped by the benchmark: drop it when done.
import { sql } from 'kysely';
import pg from 'pg';
import type { Principal } from '../src/core/access.js';
import { silentLogger } from '../src/core/logger.js';
import { syncPosture } from '../src/propagation/index.js';
import { createApp } from '../src/server/app.js';
import { openStore } from '../src/store/open-store.js';
import {
  ADMIN_URL,
  createTestStore,
  postgresAvailable,
  type TestStore,
} from '../src/store/test-support/stores.js';
import type { BenchRow } from './harness.js';
import { type Fleet, rolledUpFleet, scaleFleet } from './propagation.js';

export type FleetStoreKind = 'pglite' | 'postgres';

/** The database RUNSIGHT_BENCH_FLEET_REUSE names (PostgreSQL runs only), or undefined. */
export const FLEET_REUSE = process.env.RUNSIGHT_BENCH_FLEET_REUSE || undefined;

/** The store kinds `stores` names (`pglite`, `postgres` when a server answers, or `both`). */
export async function storeKinds(stores: string): Promise<FleetStoreKind[]> {
  if (!['pglite', 'postgres', 'both'].includes(stores))
    throw new Error(`store kinds must be pglite, postgres or both; got "${stores}"`);
  const kinds: FleetStoreKind[] = [];
  if (stores === 'pglite' || stores === 'both') kinds.push('pglite');
  if (stores !== 'pglite') {
    if (await postgresAvailable()) kinds.push('postgres');
    else if (stores === 'postgres') throw new Error(`PostgreSQL at ${ADMIN_URL} does not answer`);
  }
  return kinds;
}

/**
 * `runOne` over each store kind of `stores`, on its fleet (`fleets[kind]` divided by `by`), the
 * store filled and rolled up first (or reused: see the file's head). The label names the store
 * kind, the size and whether the fleet was reused.
 */
export async function overFleetStores(
  stores: string,
  fleets: Record<FleetStoreKind, Fleet>,
  by: number,
  log: (m: string) => void,
  runOne: (store: TestStore, kind: FleetStoreKind, fleet: Fleet, label: string) => Promise<BenchRow[]>,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const kind of await storeKinds(stores)) {
    const fleet = scaleFleet(fleets[kind], by);
    const reuse = kind === 'postgres' ? FLEET_REUSE : undefined;
    const store = reuse ? await reusedDatabase(reuse) : await createTestStore(kind);
    try {
      let label = `${kind} ${fleet.containers.toLocaleString('en')} containers`;
      if (reuse && (await holdsFleet(store, fleet))) {
        log(`${kind}: reusing the fleet in database ${reuse} (${label})`);
        await syncPosture(store);
        label += ` (reused database ${reuse})`;
      } else {
        await rolledUpFleet(store, fleet, (m) => log(`${kind}: ${m}`), label);
        // The roll-up rewrote every container row: without a vacuum (autovacuum had not reached a
        // 1M table minutes later) each read of containers pays the dead half and heap fetches —
        // vuln where at 1M took 7.6 s instead of 0.4 s. Steady state, as a live store has.
        await sql`vacuum analyze`.execute(store.db);
      }
      rows.push(...(await runOne(store, kind, fleet, label)));
    } finally {
      await store.dispose();
    }
  }
  return rows;
}

/**
 * The PostgreSQL database `name` on the test server (created when missing); dispose only closes it.
 * `setting` names the environment variable it came from, for the error.
 */
export async function reusedDatabase(
  name: string,
  setting = 'RUNSIGHT_BENCH_FLEET_REUSE',
): Promise<TestStore> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`${setting}: not a plain database name: ${name}`);
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const r = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (!r.rowCount) await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const store = await openStore({ databaseUrl: url.toString() });
  return Object.assign(store, { dispose: () => store.close() });
}

/**
 * Whether `store` already holds `fleet` as generate() writes it: the synthetic source, container
 * c{containers-1} and no c{containers}. Another fleet there (a different size) is an error, not
 * something to build over; an empty database is false.
 */
async function holdsFleet(store: TestStore, fleet: Fleet): Promise<boolean> {
  const db = store.db;
  const source = await db
    .selectFrom('inventory_sources')
    .select('id')
    .where('name', '=', 'synthetic')
    .executeTakeFirst();
  if (!source) return false;
  const ids = [`c${fleet.containers - 1}`, `c${fleet.containers}`];
  const found = await db.selectFrom('containers').select('id').where('id', 'in', ids).execute();
  const has = new Set(found.map((r) => r.id));
  if (!has.has(ids[0]!) || has.has(ids[1]!))
    throw new Error(
      `the reused database ${store.location} holds another fleet than ${fleet.containers} containers: drop it or name another`,
    );
  // A run stopped between generating and rolling up leaves no inventory run: finish it.
  const ran = await db
    .selectFrom('inventory_runs')
    .select('id')
    .where('source_id', '=', source.id)
    .executeTakeFirst();
  if (!ran)
    await db
      .insertInto('inventory_runs')
      .values({ source_id: source.id, mode: 'full', status: 'ok', finished_at: new Date() })
      .execute();
  return true;
}

/** The real app with one fixed viewer behind `token`: token verification is the auth stage's, measured there. */
export function viewerApp(store: TestStore, token: string): ReturnType<typeof createApp> {
  const viewer: Principal = { subject: 'token:bench', role: 'viewer', scope: {}, via: 'token' };
  return createApp({
    store,
    config: {},
    logger: silentLogger,
    authenticate: async (h) =>
      h === `Bearer ${token}` ? viewer : { status: 401, message: 'unknown or revoked token' },
  });
}
