// Inventory sources with their freshness: the last successful observation (a full list that landed,
// or the last delta of a watch session) and the last run of any status, with its errors.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

export interface InventorySourceRow {
  id: number;
  name: string;
  kind: string;
  /** When containers of this source were last observed successfully (any ok/partial/running run). */
  lastObservedAt: Date | null;
  lastRun: {
    id: number;
    mode: string;
    status: string;
    startedAt: Date;
    finishedAt: Date | null;
    counts: Record<string, number>;
    errors: unknown[];
  } | null;
  liveContainers: number;
}

export async function listInventorySources({ db }: Pick<Store, 'db'>): Promise<InventorySourceRow[]> {
  const sources = await db
    .selectFrom('inventory_sources as s')
    .select([
      's.id',
      's.name',
      's.kind',
      (eb) =>
        eb
          .selectFrom('inventory_runs as r')
          .select(sql<Date | null>`max(r.finished_at)`.as('t'))
          .whereRef('r.source_id', '=', 's.id')
          .where('r.status', 'in', ['ok', 'partial', 'running'])
          .as('lastObservedAt'),
      (eb) =>
        eb
          .selectFrom('containers as c')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('c.source_id', '=', 's.id')
          .where('c.removed_at', 'is', null)
          .as('liveContainers'),
    ])
    .orderBy('s.name')
    .execute();
  const out: InventorySourceRow[] = [];
  for (const s of sources) {
    const run = await db
      .selectFrom('inventory_runs')
      .selectAll()
      .where('source_id', '=', s.id)
      .orderBy('started_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    out.push({
      id: s.id,
      name: s.name,
      kind: s.kind,
      lastObservedAt: s.lastObservedAt ? new Date(s.lastObservedAt) : null,
      liveContainers: Number(s.liveContainers ?? 0),
      lastRun: run
        ? {
            id: run.id,
            mode: run.mode,
            status: run.status,
            startedAt: run.started_at,
            finishedAt: run.finished_at,
            counts: run.counts,
            errors: run.errors,
          }
        : null,
    });
  }
  return out;
}
