// Inventory runs that are not a single applied mutation: a watch session (one run row that every
// delta of the session accumulates into) and a collection that failed before it produced anything.
// Freshness per source reads these rows (list-inventory-sources.ts).
import type { Store } from '../../open-store.js';
import {
  ensureInventorySource,
  type InventoryRunError,
  type InventorySourceSpec,
} from './write-inventory-mutation.js';

/** Opens a `delta` run with status `running` for a watch session; returns its id. */
export async function startInventoryRun(
  { db }: Pick<Store, 'db'>,
  source: InventorySourceSpec,
  startedAt: Date = new Date(),
): Promise<{ sourceId: number; runId: number }> {
  return db.transaction().execute(async (tx) => {
    const sourceId = await ensureInventorySource({ db: tx }, source);
    const run = await tx
      .insertInto('inventory_runs')
      .values({
        source_id: sourceId,
        mode: 'delta',
        status: 'running',
        started_at: startedAt,
        counts: JSON.stringify({}),
        errors: JSON.stringify([]),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { sourceId, runId: run.id };
  });
}

/** Closes a watch session run: `ok` when it stopped on request, `failed` when it gave up. */
export async function finishInventoryRun(
  { db }: Pick<Store, 'db'>,
  runId: number,
  status: 'ok' | 'partial' | 'failed',
  errors: InventoryRunError[] = [],
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const run = await tx
      .selectFrom('inventory_runs')
      .select('errors')
      .where('id', '=', runId)
      .executeTakeFirst();
    await tx
      .updateTable('inventory_runs')
      .set({
        status,
        finished_at: new Date(),
        errors: JSON.stringify([...(run?.errors ?? []), ...errors].slice(-100)),
      })
      .where('id', '=', runId)
      .execute();
  });
}

/** Records a collection that failed before producing a list: containers are left untouched. */
export async function recordFailedInventoryRun(
  { db }: Pick<Store, 'db'>,
  source: InventorySourceSpec,
  mode: 'full' | 'delta',
  errors: InventoryRunError[],
  startedAt: Date = new Date(),
): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const sourceId = await ensureInventorySource({ db: tx }, source);
    const run = await tx
      .insertInto('inventory_runs')
      .values({
        source_id: sourceId,
        mode,
        status: 'failed',
        started_at: startedAt,
        finished_at: new Date(),
        counts: JSON.stringify({}),
        errors: JSON.stringify(errors),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return run.id;
  });
}
