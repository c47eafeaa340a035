// The join of a re-match's packages with their keys' hits (sameKey) is planned on an estimate of
// the rows it yields, not on one row: with two hash columns compared as columns the planner
// multiplies their selectivities and expects a single row, then nests a loop over the finding
// templates for each of the million rows that really come (a first re-match at 20k SBOMs did not
// finish in 10 minutes). Both stores, on tables shaped as rm_cand and rm_hit.
import { type RawBuilder, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, storeKindsToTest, type TestStore } from '../../test-support/stores.js';
import { sameKey } from './rematch-in-store.js';

const kinds = await storeKindsToTest();

describe.each(kinds)('the re-match key join on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  }, 60_000);
  afterAll(() => store?.dispose());

  /** The planner's row estimate for the packages joined with their hits on `on`. */
  async function estimate(on: RawBuilder<boolean>): Promise<number> {
    return store.transaction(async ({ db: tx }) => {
      // 20k packages of 5k keys (four images each), 2.5k keys with one hit each: 10k rows join.
      await sql`create temp table c on commit drop as
        select g as id, hash_record_extended(row(g % 5000), 0) as k1, hash_record_extended(row(g % 5000), 7) as k2
        from generate_series(1, 20000) g`.execute(tx);
      await sql`create temp table h on commit drop as
        select hash_record_extended(row(g), 0) as k1, hash_record_extended(row(g), 7) as k2, g as tid
        from generate_series(1, 2500) g`.execute(tx);
      await sql`analyze c`.execute(tx);
      await sql`analyze h`.execute(tx);
      const { rows: real } = await sql<{
        n: number;
      }>`select count(*)::int as n from c join h on ${on}`.execute(tx);
      expect(real[0]!.n).toBe(10_000);
      const { rows } = await sql<{
        'QUERY PLAN': unknown;
      }>`explain (format json) select c.id, h.tid from c join h on ${on}`.execute(tx);
      const plan = rows[0]!['QUERY PLAN'];
      const top = (typeof plan === 'string' ? JSON.parse(plan) : plan) as { Plan: { 'Plan Rows': number } }[];
      return top[0]!.Plan['Plan Rows'];
    });
  }

  it('expects more than a handful of rows through sameKey, where plain columns expect a few', async () => {
    expect(await estimate(sql<boolean>`h.k1 = c.k1 and h.k2 = c.k2`)).toBeLessThan(10);
    expect(await estimate(sameKey(sql`h`, sql`c`))).toBeGreaterThanOrEqual(40);
  });
});
