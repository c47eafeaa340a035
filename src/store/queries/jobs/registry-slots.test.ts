// Per-registry concurrency slots on both stores: two slots go to the first two holders, a third
// waits; a released slot, and an expired lease, are taken again; a lost lease cannot be renewed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, storeKindsToTest, type TestStore } from '../../test-support/stores.js';
import { splitStatements, sqlExecutor } from './execute-sql.js';
import { acquireSlot, releaseSlot, renewSlot } from './registry-slots.js';

const kinds = await storeKindsToTest();

describe.each(kinds)('registry slots, and the store as pg-boss database, on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  }, 240_000);
  afterAll(async () => {
    await store?.dispose();
  }, 60_000);

  it('hands out at most N slots per registry, shared by holders', async () => {
    const r = 'registry:ghcr.io';
    expect(await acquireSlot(store, r, 2, 'a', 60)).toBe(0);
    expect(await acquireSlot(store, r, 2, 'b', 60)).toBe(1);
    expect(await acquireSlot(store, r, 2, 'c', 60)).toBeNull();
    expect(await acquireSlot(store, 'registry:docker.io', 2, 'c', 60)).toBe(0); // another registry
    await releaseSlot(store, r, 0, 'a');
    expect(await acquireSlot(store, r, 2, 'c', 60)).toBe(0);
    expect(await renewSlot(store, r, 0, 'a', 60)).toBe(false); // a no longer holds it
    expect(await renewSlot(store, r, 0, 'c', 60)).toBe(true);
  }, 60_000);

  it('frees a slot whose lease expired (its holder crashed)', async () => {
    const r = 'registry:quay.io';
    expect(await acquireSlot(store, r, 1, 'crashed', 1)).toBe(0);
    expect(await acquireSlot(store, r, 1, 'next', 60)).toBeNull();
    await new Promise((res) => setTimeout(res, 1_200));
    expect(await acquireSlot(store, r, 1, 'next', 60)).toBe(0);
    expect(await renewSlot(store, r, 0, 'crashed', 60)).toBe(false);
  }, 60_000);

  // Two processes creating one queue at once: the loser's BEGIN … COMMIT fails midway. Its
  // connection must go back to the pool usable, or every later statement on it fails with
  // "current transaction is aborted" (what broke serve + workers starting together).
  it('a multi-statement text that fails inside its transaction leaves no aborted connection behind', async () => {
    const exec = sqlExecutor(store);
    await exec.executeSql('create table if not exists exec_probe (n int primary key)');
    for (let i = 0; i < 10; i++) {
      await expect(
        exec.executeSql(
          'BEGIN; insert into exec_probe values (1); insert into exec_probe values (1); COMMIT;',
        ),
      ).rejects.toThrow(/duplicate key/);
      const r = await exec.executeSql('select count(*)::int as n from exec_probe');
      expect(r.rows).toEqual([{ n: 0 }]); // rolled back, and the connection answers
    }
    await exec.executeSql('BEGIN; insert into exec_probe values (2); COMMIT;');
    expect((await exec.executeSql('select n from exec_probe')).rows).toEqual([{ n: 2 }]);
  }, 60_000);
});

describe('splitStatements (the PGlite path of pg-boss SQL)', () => {
  it('splits at top-level semicolons only', () => {
    const text = `BEGIN;
      SET LOCAL lock_timeout = 30000;
      -- a comment; with a semicolon
      CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;
      INSERT INTO t VALUES ('it''s; here', "a;b") /* x; y */;
      COMMIT;`;
    expect(splitStatements(text)).toEqual([
      'BEGIN',
      'SET LOCAL lock_timeout = 30000',
      '-- a comment; with a semicolon\n      CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql',
      `INSERT INTO t VALUES ('it''s; here', "a;b") /* x; y */`,
      'COMMIT',
    ]);
  });
});
