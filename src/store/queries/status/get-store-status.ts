// Counts per table and the schema version: what `runsight db status` prints.
import type { Store } from '../../open-store.js';
import { COUNTED_TABLES } from '../../schema.js';

export interface StoreStatus {
  store: Store['kind'];
  location: string;
  schemaVersion: number;
  counts: Record<(typeof COUNTED_TABLES)[number], number>;
}

export async function getStoreStatus(store: Store): Promise<StoreStatus> {
  const counts = {} as StoreStatus['counts'];
  for (const table of COUNTED_TABLES) {
    const row = await store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return { store: store.kind, location: store.location, schemaVersion: store.schemaVersion, counts };
}
