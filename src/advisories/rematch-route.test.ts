// A re-match in the store finds keys by rank on version lines only where keys are many (ADR 0031,
// amended): the staged packages' distinct keys are estimated from a sample of them. On both store
// dialects, on staged tables shaped as rm_cand: small tables are counted exactly, large ones
// sampled, and the estimate lands near the true count for keys shared across many packages (a
// fleet of images sharing versions) as for keys that are nearly all distinct (the worst case).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleRematchKeys } from '../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { estimatedKeys, versionLinesPay } from './rematch.js';

const kinds = await storeKindsToTest();

describe('the keys a re-match estimates', () => {
  it('are the keys sampled when the sample is every package', () => {
    const s = { rows: 3000, sampled: 3000, keys: 2000, once: 1000, twice: 1000 };
    expect(estimatedKeys(s)).toBe(2000);
    expect(versionLinesPay(s)).toBe(true);
  });

  it('add the keys never sampled, from those seen once and twice (Chao1), at most one per package', () => {
    // 10 seen, 4 of them once and 1 twice: 4·3 / (2·2) = 3 unseen.
    expect(estimatedKeys({ rows: 1000, sampled: 20, keys: 10, once: 4, twice: 1 })).toBe(13);
    expect(estimatedKeys({ rows: 100, sampled: 60, keys: 60, once: 60, twice: 0 })).toBe(100);
  });

  it('choose version lines from one key per five packages', () => {
    expect(versionLinesPay({ rows: 1000, sampled: 1000, keys: 199, once: 0, twice: 0 })).toBe(false);
    expect(versionLinesPay({ rows: 1000, sampled: 1000, keys: 200, once: 0, twice: 0 })).toBe(true);
  });
});

describe.each(kinds)('the staged packages sampled for their keys on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  }, 60_000);
  afterAll(() => store?.dispose());

  /** Stages `rows` packages whose key is `key(g)` for g = 1..rows (SQL over g), then samples them. */
  function sample(rows: number, key: string) {
    return store.transaction(async (tx) => {
      await sql`create temp table rm_cand on commit drop as
        select 'npm'::text as ecosystem, ${sql.raw(key)} as name, '1.0.0'::text as version, ''::text as source_name,
          ''::text as source_version, ''::text as evidence, ''::text as os_ecosystem
        from generate_series(1, ${rows}::int) g`.execute(tx.db);
      await sql`analyze rm_cand`.execute(tx.db);
      return sampleRematchKeys(tx);
    });
  }

  it('counts a small table exactly: its keys, those seen once and twice', async () => {
    // g % 2000 over 1..3000: 1..1000 twice, 0 and 1001..1999 once.
    const s = await sample(3000, `'p' || (g % 2000)`);
    expect(s).toEqual({ rows: 3000, sampled: 3000, keys: 2000, once: 1000, twice: 1000 });
  });

  it('samples a large table and estimates shared keys near their count: one by one', async () => {
    // 200k packages of 20k keys, each key ten times.
    const s = await sample(200_000, `'p' || (g % 20000)`);
    expect(s.sampled).toBeLessThan(60_000);
    // The sample sees ~17k of the keys; the estimate adds those it missed: within 10 % of 20k.
    expect(s.keys).toBeLessThan(18_000);
    expect(estimatedKeys(s)).toBeGreaterThan(18_000);
    expect(estimatedKeys(s)).toBeLessThan(22_000);
    expect(versionLinesPay(s)).toBe(false);
  }, 60_000);

  it('samples a large table of nearly distinct keys and estimates them near one per package: lines', async () => {
    // 200k packages, 180k keys (every tenth package shares its key with the one before it). The
    // sample takes whole pages, so such neighbours come in pairs and the estimate falls short of
    // the count (135k here): a sample of pages under-counts keys packed together, which can only
    // send a fleet near the threshold one by one.
    const s = await sample(200_000, `'p' || (g - (g % 10 = 0)::int)`);
    expect(s.sampled).toBeLessThan(60_000);
    expect(estimatedKeys(s)).toBeGreaterThan(120_000);
    expect(estimatedKeys(s)).toBeLessThanOrEqual(180_000);
    expect(versionLinesPay(s)).toBe(true);
  }, 60_000);
});
