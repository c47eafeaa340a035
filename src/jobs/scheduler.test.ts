// The scheduler's cadence math with an injected clock: when each cadence is next due (hand-computed
// instants), and what a tick queues as time passes and runs are recorded (PGlite store, fake queue).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type JobRunRow, recordJobFinished, recordJobStarted } from '../store/index.js';
import { createTestStore, type TestStore } from '../store/test-support/stores.js';
import type { JobKind } from './kinds.js';
import { cadenceStates, dueKinds, startScheduler } from './scheduler.js';

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
});
