// The agent's side of the API in-process, on both store dialects: gzip bodies (inflated under
// server.maxBodyBytes, 413 past it), batch ids (a duplicate is applied once and answered the same,
// also when both attempts race), the cluster-scoped full list (its own cluster only), and the
// heartbeat that keeps a quiet source fresh while a silent one goes stale under sla.inventoryAge.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../core/access.js';
import { silentLogger } from '../../core/logger.js';
import { listContainers, listInventorySources } from '../../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../../store/test-support/stores.js';
import { getFreshness } from '../../views/index.js';
import { type App, createApp } from '../app.js';
import { authenticateAs } from '../test-support/authenticate.js';

const PRINCIPALS: Record<string, Principal> = {
  'agent-a': { subject: 'token:agent-a', role: 'operator', scope: { clusters: ['a'] }, via: 'token' },
  'agent-b': { subject: 'token:agent-b', role: 'operator', scope: { clusters: ['b'] }, via: 'token' },
  viewer: { subject: 'token:viewer', role: 'viewer', scope: {}, via: 'token' },
};
const MAX_BODY = 20_000;

function obs(cluster: string, name: string, image = 'registry.demo.local/library/nginx:1.25') {
  return {
    id: `${cluster}/ns/${name}/app`,
    cluster,
    namespace: 'ns',
    pod: name,
    container: 'app',
    image,
    state: 'running',
    labels: {},
  };
}

const kinds = await storeKindsToTest();

describe.each(kinds)('agent routes on %s', (kind) => {
  let store: TestStore;
  let app: App;
  let now = new Date('2026-01-01T00:00:00Z');
  beforeAll(async () => {
    store = await createTestStore(kind);
    app = createApp({
      store,
      config: { server: { maxBodyBytes: MAX_BODY }, sla: { inventoryAge: '2m' } },
      authenticate: authenticateAs(PRINCIPALS),
      logger: silentLogger,
      now: () => now,
    });
  });
  afterAll(() => store?.dispose());

  const push = (source: string, token: string, body: unknown, opts: { gzip?: boolean; id?: string } = {}) => {
    const json = Buffer.from(JSON.stringify(body));
    return app.request(`/api/v1/inventory/${source}/batches?kind=kubernetes`, {
      method: 'POST',
      body: opts.gzip ? gzipSync(json) : json,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(opts.gzip ? { 'content-encoding': 'gzip' } : {}),
        ...(opts.id ? { 'idempotency-key': opts.id } : {}),
      },
    });
  };
  const live = async (source: string) => (await listContainers(store, { source })).map((c) => c.id).sort();

  it('takes gzip bodies, bounding the inflated size by server.maxBodyBytes', async () => {
    const res = await push(
      'a',
      'agent-a',
      { type: 'full', containers: [obs('a', 'p1'), obs('a', 'p2')] },
      { gzip: true },
    );
    expect(res.status, await res.text()).toBe(201);
    expect(await live('a')).toEqual(['a/ns/p1/app', 'a/ns/p2/app']);
    // 200 containers are ~35 kB of JSON: past the limit once inflated, though the gzip is ~2 kB.
    const many = Array.from({ length: 200 }, (_, i) => obs('a', `q${i}`));
    const text = JSON.stringify({ type: 'full', containers: many });
    expect(text.length).toBeGreaterThan(MAX_BODY);
    expect(gzipSync(Buffer.from(text)).byteLength).toBeLessThan(MAX_BODY / 4);
    const refused = await push('a', 'agent-a', { type: 'full', containers: many }, { gzip: true });
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /once decompressed/,
    );
    const corrupt = await app.request('/api/v1/inventory/a/batches', {
      method: 'POST',
      body: Buffer.from('not gzip at all'),
      headers: {
        authorization: 'Bearer agent-a',
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
    });
    expect(corrupt.status).toBe(400);
    const br = await app.request('/api/v1/inventory/a/batches', {
      method: 'POST',
      body: '{}',
      headers: {
        authorization: 'Bearer agent-a',
        'content-type': 'application/json',
        'content-encoding': 'br',
      },
    });
    expect(br.status).toBe(415);
  });

  it('applies a batch id once and answers a retry as the first time, also when both race', async () => {
    const delta = { type: 'delta', added: [obs('a', 'p3')], removed: ['a/ns/p1/app'] };
    const first = await push('a', 'agent-a', delta, { id: 'agent-1:7' });
    const firstBody = await first.json();
    expect(first.status).toBe(201);
    const runsBefore = (await listInventorySources(store)).find((s) => s.name === 'a')!.lastRun!.id;
    // Meanwhile p1 comes back; a retry of batch 7 must not remove it again.
    expect((await push('a', 'agent-a', { type: 'delta', added: [obs('a', 'p1')] })).status).toBe(201);
    const retry = await push('a', 'agent-a', delta, { id: 'agent-1:7', gzip: true });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await retry.json()).toEqual(firstBody);
    expect(await live('a')).toEqual(['a/ns/p1/app', 'a/ns/p2/app', 'a/ns/p3/app']);
    expect((await listInventorySources(store)).find((s) => s.name === 'a')!.lastRun!.id).toBe(runsBefore + 1);
    // Two attempts of one new batch at once: one lands, both get its answer.
    const racing = { type: 'delta', added: [obs('a', 'p4')] };
    const [x, y] = await Promise.all([
      push('a', 'agent-a', racing, { id: 'agent-1:8' }),
      push('a', 'agent-a', racing, { id: 'agent-1:8' }),
    ]);
    expect([x.status, y.status]).toEqual([201, 201]);
    const [bx, by] = (await Promise.all([x.json(), y.json()])) as {
      runId: number;
      counts: { added: number };
    }[];
    expect(bx).toEqual(by);
    expect(bx!.counts.added).toBe(1);
    // The same id for another source is another batch.
    expect(
      (
        await push('b', 'agent-b', { type: 'full', containers: [obs('b', 'p1')] }, { id: 'agent-1:8' })
      ).headers.get('idempotent-replayed'),
    ).toBeNull();
    expect((await push('a', 'agent-a', racing, { id: 'bad key!' })).status).toBe(400);
  });

  it("refuses an agent pushing another cluster's containers or replacing another cluster's source", async () => {
    const foreign = await push('a', 'agent-a', { type: 'full', containers: [obs('a', 'p1'), obs('b', 'x')] });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { message: string } }).error.message).toBe(
      'container "b/ns/x/app" (cluster b, namespace ns) is outside your scope',
    );
    // Its own cluster's containers, pushed as the other cluster's source: the full list would close b's.
    const replace = await push('b', 'agent-a', { type: 'full', containers: [] });
    expect(replace.status).toBe(403);
    expect(await live('b')).toEqual(['b/ns/p1/app']);
    const remove = await push('b', 'agent-a', { type: 'delta', removed: ['b/ns/p1/app'] });
    expect(remove.status).toBe(403);
    // Its own removals are fine.
    expect((await push('a', 'agent-a', { type: 'delta', removed: ['a/ns/p4/app'] })).status).toBe(201);
  });

  it('a heartbeat in sync keeps the source fresh; a silent agent lets it go stale', async () => {
    const hb = (cluster: string, token: string, inSync = true) =>
      app.request('/api/v1/agents/heartbeat', {
        method: 'POST',
        body: JSON.stringify({ cluster, source: cluster, version: '9.9.9', podsWatched: 3, inSync }),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
    const config = { sla: { inventoryAge: '2m' } };
    const stale = async () =>
      Object.fromEntries((await getFreshness(store, config, now)).inventory.map((s) => [s.name, s.stale]));
    expect(await stale()).toEqual({ a: false, b: false });
    now = new Date(now.getTime() + 5 * 60_000); // nothing changes for 5 minutes
    expect(await stale()).toEqual({ a: true, b: true });
    const res = await hb('a', 'agent-a');
    expect(await res.json()).toMatchObject({ cluster: 'a', seenAtAdvanced: true });
    expect((await hb('b', 'agent-b', false)).status).toBe(200); // alive, but not in sync: no claim
    expect(await stale()).toEqual({ a: false, b: true });
    expect((await hb('b', 'agent-a')).status).toBe(403);
    const agents = (await (
      await app.request('/api/v1/agents', { headers: { authorization: 'Bearer viewer' } })
    ).json()) as { agents: { cluster: string; version: string; podsWatched: number; ageSeconds: number }[] };
    expect(agents.agents.map((a) => [a.cluster, a.version, a.podsWatched, a.ageSeconds])).toEqual([
      ['a', '9.9.9', 3, 0],
      ['b', '9.9.9', 3, 0],
    ]);
  });
});
