// Store queries of the scheduler (src/jobs/scheduler.ts): one scheduler at a time looks at the
// cadences (several `serve` processes over one PostgreSQL), and which cadence jobs are still
// pending in the queue (pg-boss's `pgboss.job`: queued, active or waiting to retry).
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

/** The advisory-lock key the schedulers share (hashtext('runsight scheduler')). */
const LOCK = 'runsight scheduler';

/**
 * Runs `fn` while holding the schedulers' lock: on PostgreSQL a transaction-scoped advisory lock
 * on a connection of its own (`fn` queries through `store`, on the pool's other connections), so a
 * second scheduler waits until this look has read and queued; on PGlite (one process) just `fn`.
 */
export async function withSchedulerLock<T>(store: Store, fn: () => Promise<T>): Promise<T> {
  if (store.kind !== 'postgres') return fn();
  return store.transaction(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${LOCK}))`.execute(tx.db);
    return fn();
  });
}

/** The jobs of `kinds` still pending (queued, active or waiting to retry), as `kind` and `kind key`. */
export async function pendingCadenceJobs(
  store: Pick<Store, 'db'>,
  kinds: readonly string[],
): Promise<Set<string>> {
  const present = await sql<{ ok: boolean }>`select to_regclass('pgboss.job') is not null as ok`.execute(
    store.db,
  );
  if (!present.rows[0]?.ok || !kinds.length) return new Set();
  const r = await sql<{ name: string; key: string | null }>`
    select distinct name, singleton_key as key from pgboss.job
     where name = any(${[...kinds]}::text[]) and state::text in ('created', 'active', 'retry')`.execute(
    store.db,
  );
  return new Set(r.rows.flatMap((row) => [row.name, ...(row.key ? [`${row.name} ${row.key}`] : [])]));
}
