// Batch ids per inventory source (migration 19, docs/agent.md "Batch ids"). A batch is claimed by
// inserting its id inside the transaction that lands it: a retry racing the first attempt waits on
// the primary key until that one commits (then reads its answer) or rolls back (then lands itself).
// So a batch is applied once, and every attempt gets the first attempt's answer.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

/** How long landed batch ids are kept: far longer than any retry, short enough to stay small. */
const KEEP_MS = 24 * 3600_000;

/**
 * Claims `batchId` for `source` (call inside the transaction that lands the batch). Returns
 * undefined when claimed, or the answer recorded by the attempt that landed it first.
 */
export async function claimAgentBatch(
  { db }: Pick<Store, 'db'>,
  source: string,
  batchId: string,
  now: Date,
): Promise<{ response: Record<string, unknown> } | undefined> {
  const claimed = await db
    .insertInto('agent_batches')
    .values({ source, batch_id: batchId, applied_at: now, response: null })
    .onConflict((oc) => oc.columns(['source', 'batch_id']).doNothing())
    .returning('batch_id')
    .executeTakeFirst();
  if (claimed) return undefined;
  const row = await db
    .selectFrom('agent_batches')
    .select('response')
    .where('source', '=', source)
    .where('batch_id', '=', batchId)
    .executeTakeFirstOrThrow();
  return { response: row.response ?? {} };
}

/** Records the answer given to the attempt that landed `batchId`, and prunes ids past keeping. */
export async function recordAgentBatchResponse(
  { db }: Pick<Store, 'db'>,
  source: string,
  batchId: string,
  response: Record<string, unknown>,
  now: Date,
): Promise<void> {
  await db
    .updateTable('agent_batches')
    .set({ response: JSON.stringify(response) })
    .where('source', '=', source)
    .where('batch_id', '=', batchId)
    .execute();
  await sql`delete from agent_batches where applied_at < ${new Date(now.getTime() - KEEP_MS)}::timestamptz`.execute(
    db,
  );
}
