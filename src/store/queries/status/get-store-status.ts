// Counts per table and the schema version: what `runsight db status` prints.
import type { Store } from '../../open-store.js';
import { COUNTED_TABLES } from '../../schema.js';
import { type AdvisoryStatus, getAdvisoryStatus } from '../advisories/get-advisory-status.js';

export interface StoreStatus {
  store: Store['kind'];
  location: string;
  schemaVersion: number;
  counts: Record<(typeof COUNTED_TABLES)[number], number>;
  /** Advisory database freshness: counts and age per source and per ecosystem (docs/advisories.md). */
  advisories: AdvisoryStatus;
}

export async function getStoreStatus(store: Store): Promise<StoreStatus> {
  // One statement for every count: on a store just opened, each statement is a round trip and a plan.
  const row: Record<string, unknown> = await store.db
    .selectNoFrom((eb) =>
      COUNTED_TABLES.map((table) => eb.selectFrom(table).select(eb.fn.countAll<number>().as('n')).as(table)),
    )
    .executeTakeFirstOrThrow();
  const counts = {} as StoreStatus['counts'];
  for (const table of COUNTED_TABLES) counts[table] = Number(row[table]);
  return {
    store: store.kind,
    location: store.location,
    schemaVersion: store.schemaVersion,
    counts,
    advisories: await getAdvisoryStatus(store),
  };
}
