// The agent's buffer bound and retry timing, with an injected clock and a scripted server: no
// network. Expected delays are worked by hand from the backoff rule (ceiling 500 ms · 2^attempt,
// capped at the maximum; with random() = 1 the delay is the ceiling, with 0 half of it).
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import type { ContainerObservation } from '../core/types.js';
import { type AgentClock, newStats, runSender } from './agent.js';
import { backoffDelay, retryAfterMs } from './backoff.js';
import { Outbox } from './outbox.js';
import type { Outcome, Transport } from './transport.js';

function obs(id: string, namespace = 'ns'): ContainerObservation {
  return {
    id,
    namespace,
    pod: id,
    container: 'app',
    containerKind: 'regular',
    image: 'nginx:1',
    state: 'running',
    labels: {},
  };
}

/** A clock whose sleeps only record the delay and advance time. */
function fakeClock(random = 1): AgentClock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    random: () => random,
    async sleep(ms) {
      slept.push(ms);
      t += ms;
      await Promise.resolve();
    },
  };
}

/** A server that answers from `script` in turn (then 201), recording every request. */
function scriptedServer(script: Outcome[], onEmpty?: () => void) {
  const sent: {
    id: string | undefined;
    body: { type: string; containers?: { id: string }[]; added?: { id: string }[]; removed?: string[] };
  }[] = [];
  const transport: Transport = {
    async post(_path, json, batchId) {
      sent.push({ id: batchId, body: JSON.parse(json) });
      const next = script.shift();
      if (!script.length) onEmpty?.();
      return { ...(next ?? { kind: 'ok', status: 201, body: {}, replayed: false }), sentBytes: json.length };
    },
  };
  return { sent, transport };
}

describe('backoff', () => {
  it('doubles from 500 ms up to the cap, with jitter in [ceiling/2, ceiling]', () => {
    const max = { initialMs: 500, maxMs: 30_000 };
    expect([0, 1, 2, 3, 6, 7, 20].map((a) => backoffDelay(a, () => 1, max))).toEqual([
      500, 1000, 2000, 4000, 30_000, 30_000, 30_000,
    ]);
    expect([0, 1, 6].map((a) => backoffDelay(a, () => 0, max))).toEqual([250, 500, 15_000]);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('7', 0)).toBe(7000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(
      10_000,
    );
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(undefined, 0)).toBeUndefined();
  });
});

describe('Outbox', () => {
  it('drops the queue past its batch bound, logs once per drop, and owes a full list of the current state', () => {
    const drops: unknown[] = [];
    const box = new Outbox(
      'a',
      undefined,
      { maxQueuedBatches: 3, maxQueuedBytes: 1e9, maxBatchItems: 100, maxBatchBytes: 1e9 },
      (n) => drops.push(n),
    );
    box.full([obs('p0')], undefined);
    box.ack(box.next()!); // the server took the first list
    for (const i of [1, 2, 3]) box.delta([obs(`p${i}`)], []);
    expect(box.queued).toMatchObject({ batches: 3, fullOwed: false });
    box.delta([obs('p4')], ['p0']); // the fourth batch is past the bound
    expect(drops).toHaveLength(1);
    expect(box.queued).toEqual({ batches: 0, bytes: 0, fullOwed: true });
    box.delta([obs('p5')], []); // while a full list is owed, deltas only update the state
    expect(box.queued.batches).toBe(0);
    const full = box.next()!;
    expect(full.type).toBe('full');
    expect(
      JSON.parse(full.json)
        .containers.map((c: { id: string }) => c.id)
        .sort(),
    ).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
  });

  it('drops the queue past its byte bound', () => {
    const drops: { bytes: number }[] = [];
    const one = Buffer.byteLength(JSON.stringify([obs('p1')])) + 2;
    const box = new Outbox(
      'a',
      undefined,
      { maxQueuedBatches: 1000, maxQueuedBytes: one * 2, maxBatchItems: 100, maxBatchBytes: 1e9 },
      (n) => drops.push(n),
    );
    box.full([], undefined);
    box.ack(box.next()!);
    box.delta([obs('p1')], []);
    box.delta([obs('p2')], []);
    expect(drops).toHaveLength(0);
    box.delta([obs('p3')], []);
    expect(drops).toHaveLength(1);
    expect(box.queued.fullOwed).toBe(true);
  });

  it('cuts merged deltas at the item bound and never merges a removal with a later re-add', () => {
    const box = new Outbox('a', undefined, {
      maxQueuedBatches: 100,
      maxQueuedBytes: 1e9,
      maxBatchItems: 3,
      maxBatchBytes: 1e9,
    });
    box.full([], undefined);
    box.ack(box.next()!);
    box.delta([obs('p1'), obs('p2')], []);
    box.delta([obs('p3')], []);
    box.delta([obs('p4')], []); // would make 4 items
    let b = box.next()!;
    expect(JSON.parse(b.json)).toMatchObject({
      type: 'delta',
      added: [{ id: 'p1' }, { id: 'p2' }, { id: 'p3' }],
    });
    box.ack(b);
    box.delta([], ['p4']);
    box.delta([obs('p4')], []); // the same id again: a batch of its own
    b = box.next()!;
    expect(JSON.parse(b.json)).toMatchObject({ added: [{ id: 'p4' }], removed: ['p4'] });
    box.ack(b);
    b = box.next()!;
    expect(JSON.parse(b.json)).toMatchObject({ added: [{ id: 'p4' }], removed: [] });
    expect(b.id).toBe('a:4');
  });

  it('a full list of some namespaces replaces only those, and is sent with them', () => {
    const box = new Outbox('a', ['ns1', 'ns2']);
    box.full([obs('a1', 'ns1')], ['ns1']);
    box.full([obs('b1', 'ns2'), obs('b2', 'ns2')], ['ns2']);
    box.full([obs('a2', 'ns1')], ['ns1']);
    expect([...box.state.keys()].sort()).toEqual(['a2', 'b1', 'b2']);
    expect(JSON.parse(box.next()!.json)).toMatchObject({ type: 'full', namespaces: ['ns1', 'ns2'] });
  });
});

describe('runSender', () => {
  it('retries the same batch id with backoff, honours Retry-After, and a full list supersedes the queued deltas', async () => {
    const clock = fakeClock(1);
    const box = new Outbox('a', undefined);
    const stop = new AbortController();
    const st = newStats();
    const { sent, transport } = scriptedServer(
      [
        { kind: 'retry', reason: 'ECONNREFUSED' },
        { kind: 'retry', reason: 'ECONNREFUSED' },
        { kind: 'retry', reason: '503', afterMs: 7000 },
        { kind: 'retry', reason: 'ECONNREFUSED' },
        { kind: 'ok', status: 201, body: {}, replayed: false },
      ],
      () => setTimeout(() => stop.abort(), 20),
    );
    box.full([obs('p1')], undefined);
    const running = runSender(box, transport, '/x', {
      clock,
      logger: silentLogger,
      signal: stop.signal,
      stats: st,
      cluster: 'c',
    });
    await running;
    // 500, 1000, then the server's 7 s, then 4000 (the attempt count goes on).
    expect(clock.slept).toEqual([500, 1000, 7000, 4000]);
    expect(new Set(sent.map((s) => s.id))).toEqual(new Set(['a:1']));
    expect(st).toMatchObject({ retries: 4, batchesSent: 1, fullListsSent: 1 });
    expect(box.inSync).toBe(true);
  });

  it('stops on 401 with a message naming the token, and drops a refused delta for a full list', async () => {
    const clock = fakeClock();
    const box = new Outbox('a', undefined);
    box.full([obs('p1')], undefined);
    box.ack(box.next()!);
    box.delta([obs('p2')], []);
    const stop = new AbortController();
    const { sent, transport } = scriptedServer([
      { kind: 'refused', status: 400, message: 'bad' },
      { kind: 'ok', status: 201, body: {}, replayed: false },
      { kind: 'auth', status: 401, message: 'unknown token' },
    ]);
    box.delta([obs('p3')], []); // merged with p2 into the refused batch
    const run = runSender(box, transport, '/x', {
      clock,
      logger: silentLogger,
      signal: stop.signal,
      stats: newStats(),
      cluster: 'c',
    });
    await Promise.resolve();
    setTimeout(() => box.delta([obs('p4')], []), 10);
    await expect(run).rejects.toThrow(/refused the agent's token \(401: unknown token\).*RUNSIGHT_TOKEN/);
    expect(sent.map((s) => s.body.type)).toEqual(['delta', 'full', 'delta']);
    expect(sent[1]!.body.containers!.map((c) => c.id).sort()).toEqual(['p1', 'p2', 'p3']);
  });
});
