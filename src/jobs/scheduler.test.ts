// The scheduler's cadence math with an injected clock: when each cadence is next due (hand-computed
// instants), and what a tick queues as time passes and runs are recorded (PGlite store, fake queue).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type JobRunRow, recordJobFinished, recordJobStarted } from '../store/index.js';
import { createTestStore, type TestStore } from '../store/test-support/stores.js';
import type { JobKind } from './kinds.js';
import { cadenceStates, dueKinds, nextLookDelay, startScheduler } from './scheduler.js';

const t = (iso: string) => new Date(iso);
const run = (kind: string, o: Partial<JobRunRow>): JobRunRow => ({
  kind,
  lastStartedAt: null,
  lastSuccessAt: null,
  lastFailureAt: null,
  lastError: null,
  ...o,
});

describe('cadence math', () => {
  const cadence = { inventory: '5m', advisories: '6h', scan: '24h' };
  const runs = [
    run('inventory.collect', {
      lastStartedAt: t('2026-12-01T09:59:30Z'),
      lastSuccessAt: t('2026-12-01T10:00:00Z'),
    }),
    // Started at midnight and not finished (or failing, retried by the queue): not started again.
    run('scan.in-use', { lastStartedAt: t('2026-12-01T00:00:00Z') }),
  ];

  it('is due an interval after the later of the last start and the last success', () => {
    const states = cadenceStates(cadence, runs);
    expect(states.map((s) => [s.kind, s.dueAt?.toISOString() ?? null])).toEqual([
      ['inventory.collect', '2026-12-01T10:05:00.000Z'],
      ['advisories.update', null], // never ran: due now
      ['scan.in-use', '2026-12-02T00:00:00.000Z'],
    ]);
  });

  it('queues exactly what is due at an instant', () => {
    expect(dueKinds(cadence, runs, t('2026-12-01T10:04:59Z'))).toEqual(['advisories.update']);
    expect(dueKinds(cadence, runs, t('2026-12-01T10:05:00Z'))).toEqual([
      'inventory.collect',
      'advisories.update',
    ]);
    expect(dueKinds(cadence, runs, t('2026-12-02T00:00:00Z'))).toEqual([
      'inventory.collect',
      'advisories.update',
      'scan.in-use',
    ]);
  });

  it('ignores cadences that are not configured', () => {
    expect(dueKinds({ scan: '24h' }, [], t('2026-12-01T10:00:00Z'))).toEqual(['scan.in-use']);
    expect(dueKinds({}, [], t('2026-12-01T10:00:00Z'))).toEqual([]);
  });
});

describe('when the scheduler looks again', () => {
  const now = t('2026-12-01T10:00:00Z');
  const at = (ms: number) => new Date(now.getTime() + ms);

  it('sleeps until the soonest cadence ahead, between 1 s and 15 s', () => {
    expect(nextLookDelay([{ dueAt: at(3_000), intervalMs: 5_000 }], now)).toBe(3_000);
    expect(
      nextLookDelay(
        [
          { dueAt: at(9_000), intervalMs: 60_000 },
          { dueAt: at(4_200), intervalMs: 5_000 },
        ],
        now,
      ),
    ).toBe(4_200);
    expect(nextLookDelay([{ dueAt: at(200), intervalMs: 5_000 }], now)).toBe(1_000);
    expect(nextLookDelay([{ dueAt: at(3_600_000), intervalMs: 3_600_000 }], now)).toBe(15_000);
    expect(nextLookDelay([], now)).toBe(15_000);
  });

  it('looks again after a fifth of the interval at a cadence that is due (its job queued or running)', () => {
    expect(nextLookDelay([{ dueAt: null, intervalMs: 5_000 }], now)).toBe(1_000);
    expect(nextLookDelay([{ dueAt: at(-1), intervalMs: 60_000 }], now)).toBe(12_000);
    expect(nextLookDelay([{ dueAt: at(-1), intervalMs: 86_400_000 }], now)).toBe(15_000);
    expect(nextLookDelay([{ dueAt: null, intervalMs: 2_000 }], now, { minMs: 500, maxMs: 5_000 })).toBe(500);
  });
});

describe('startScheduler over a store, with an injected clock', () => {
  let store: TestStore;
  beforeEach(async () => {
    store = await createTestStore('pglite');
  }, 240_000);
  afterEach(async () => {
    await store.dispose();
  });

  it('queues due cadences once per interval as runs are recorded', async () => {
    let now = t('2026-12-01T10:00:00Z');
    const sent: JobKind[] = [];
    const queued = new Set<JobKind>(); // the queue keeps one queued job per cadence kind
    const queue = {
      async send(kind: JobKind) {
        if (queued.has(kind)) return null;
        queued.add(kind);
        sent.push(kind);
        return `id-${sent.length}`;
      },
    };
    const s = startScheduler({
      store,
      queue,
      cadence: { inventory: '5m', scan: '1h' },
      now: () => now,
      tickMs: 3_600_000,
      immediate: false,
    });
    try {
      expect(await s.tick()).toEqual(['inventory.collect', 'scan.in-use']);
      expect(await s.tick()).toEqual([]); // still queued

      // The inventory job runs 10:00:10–10:00:40; the scan job is still queued.
      queued.delete('inventory.collect');
      await recordJobStarted(store, 'inventory.collect', t('2026-12-01T10:00:10Z'));
      await recordJobFinished(store, 'inventory.collect', t('2026-12-01T10:00:40Z'));
      now = t('2026-12-01T10:05:39Z');
      expect(await s.tick()).toEqual([]);
      now = t('2026-12-01T10:05:40Z');
      expect(await s.tick()).toEqual(['inventory.collect']);
    } finally {
      await s.stop();
    }
    expect(sent).toEqual(['inventory.collect', 'scan.in-use', 'inventory.collect']);
  }, 120_000);

  it('wakes when the next cadence is due: `inventory: 5s` runs every ~5 s, not once per 15 s tick', async () => {
    const start = t('2026-12-01T10:00:00Z').getTime();
    let clock = start;
    const sent: [JobKind, number][] = [];
    const sleeps: number[] = [];
    // A worker that takes each job 100 ms after it is queued and finishes it 300 ms later.
    const queue = {
      async send(kind: JobKind) {
        sent.push([kind, clock - start]);
        await recordJobStarted(store, kind, new Date(clock + 100));
        await recordJobFinished(store, kind, new Date(clock + 400));
        return `id-${sent.length}`;
      },
    };
    let reached!: () => void;
    const end = new Promise<void>((r) => {
      reached = r;
    });
    const s = startScheduler({
      store,
      queue,
      cadence: { inventory: '5s', advisories: '1h' },
      now: () => new Date(clock),
      sleep: (ms, signal) => {
        sleeps.push(ms);
        clock += ms;
        if (clock - start < 30_000) return Promise.resolve();
        reached();
        return new Promise((r) => signal.addEventListener('abort', () => r(), { once: true }));
      },
    });
    await end;
    await s.stop();
    // Due 5 s after the last success (start + 400 ms): 0, 5.4, 10.8, … s; the 1 h cadence once.
    expect(sent).toEqual([
      ['inventory.collect', 0],
      ['advisories.update', 0],
      ['inventory.collect', 5_400],
      ['inventory.collect', 10_800],
      ['inventory.collect', 16_200],
      ['inventory.collect', 21_600],
      ['inventory.collect', 27_000],
    ]);
    // A fifth of the interval while the job is queued or running (1 s), then until the next due time.
    expect(sleeps.slice(0, 4)).toEqual([1_000, 4_400, 1_000, 4_400]);
    for (const ms of sleeps) expect(ms >= 1_000 && ms <= 15_000).toBe(true);
  }, 120_000);
});
