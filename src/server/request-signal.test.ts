// The request's AbortSignal in-process, on PGlite: a write that outlives server.requestTimeout (its
// transaction made slow by a store whose `transaction` waits first, the real inventory applier
// then running inside it) answers 504, its transaction rolls back (no container landed) and the
// audit records 504; the same batch in time lands (so "nothing landed" is not a test blind spot);
// a client that goes away aborts the work the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../core/access.js';
import { silentLogger } from '../core/logger.js';
import { listAudit, listContainers, type Store } from '../store/index.js';
import { createTestStore, type TestStore } from '../store/test-support/stores.js';
import { createApp } from './app.js';

const OPERATOR: Principal = { subject: 'token:op', role: 'operator', scope: {}, via: 'token' };

function obs(name: string) {
  return {
    id: `c1/ns/${name}/app`,
    cluster: 'c1',
    namespace: 'ns',
    pod: name,
    container: 'app',
    image: 'registry.demo.local/library/nginx:1.25',
    state: 'running',
    labels: {},
  };
}
const batch = JSON.stringify({ type: 'full', containers: [obs('p1'), obs('p2'), obs('p3')] });

/** The store, with every transaction opened `delayMs` before its work runs (a slow database). */
function slowStore(store: Store, delayMs: number): Store {
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key !== 'transaction') return Reflect.get(target, key, receiver);
      return <T>(fn: (tx: Store) => Promise<T>) =>
        target.transaction(async (tx) => {
          await new Promise((r) => setTimeout(r, delayMs));
          return fn(tx);
        });
    },
  });
}

function appOver(store: Store) {
  return createApp({
    store,
    config: { server: { requestTimeout: '1s' } },
    authenticate: async () => OPERATOR,
    logger: silentLogger,
  });
}

function push(app: ReturnType<typeof appOver>, source: string, signal?: AbortSignal) {
  return app.request(`/api/v1/inventory/${source}/batches`, {
    method: 'POST',
    body: batch,
    headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
    ...(signal ? { signal } : {}),
  });
}

describe('request timeout and cancellation', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore('pglite');
  });
  afterAll(() => store.dispose());

  it('a batch in time lands (201, three containers)', async () => {
    const res = await push(appOver(store), 'fast');
    expect(res.status).toBe(201);
    expect(await listContainers(store, { source: 'fast' })).toHaveLength(3);
  });

  it('a batch past the timeout is 504, rolled back, audited as 504', async () => {
    const t0 = Date.now();
    const res = await push(appOver(slowStore(store, 1300)), 'slow');
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({
      error: { code: 'timeout', message: 'the request took longer than 1s' },
    });
    expect(Date.now() - t0).toBeLessThan(2900);
    // The applier ran (after the delay) and its rows were written inside the transaction; the
    // signal check before the commit threw, so none of them landed.
    expect(await listContainers(store, { source: 'slow' })).toEqual([]);
    const audit = await listAudit(store, {});
    const entry = audit.entries.find((e) => e.action === 'POST /api/v1/inventory/slow/batches');
    expect(String(entry?.outcome)).toBe('504');
  });

  it('a client that goes away aborts the work: nothing lands', async () => {
    const client = new AbortController();
    setTimeout(() => client.abort(new Error('client gone')), 300);
    const res = await Promise.resolve(push(appOver(slowStore(store, 800)), 'gone', client.signal)).catch(
      (e: unknown) => e,
    );
    // Whatever the (unread) answer, the work stopped before its commit.
    expect(res).toBeDefined();
    await new Promise((r) => setTimeout(r, 1000));
    expect(await listContainers(store, { source: 'gone' })).toEqual([]);
  });
});
