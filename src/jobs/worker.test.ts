// The in-process path on PGlite: pg-boss over the store's one connection (ADR 0012). Jobs sent are
// each run once by the worker; a failing job keeps its error, waits out its back-off in state
// `retry`, and its kind's last failure is recorded for the scheduler and `validate`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listJobRuns, listJobs } from '../store/index.js';
import { createTestStore, type TestStore } from '../store/test-support/stores.js';
import type { Job } from './kinds.js';
import { type JobQueue, openJobQueue } from './queue.js';
import { startWorker, type Worker } from './worker.js';

async function until<T>(probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('jobs on PGlite, in one process', () => {
  let store: TestStore;
  let queue: JobQueue;
  let worker: Worker;
  const ran: Job[] = [];

  beforeAll(async () => {
    store = await createTestStore('pglite');
    queue = await openJobQueue(store, {
      pollingIntervalSeconds: 0.5,
      maintenanceIntervalSeconds: 1,
      retryDelaySeconds: 60,
    });
    worker = await startWorker({
      store,
      queue,
      concurrency: 2,
      handlers: {
        'scan.image': async (job) => {
          ran.push(job);
          await new Promise((r) => setTimeout(r, 20));
          return { ok: true };
        },
        'posture.maintain': async () => {
          throw new Error('roll-up table is locked');
        },
      },
    });
  }, 240_000);

  afterAll(async () => {
    await worker?.stop();
    await store?.dispose();
  }, 60_000);

  it('runs each job once and lists it completed, keyed by its digest', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e'].map((c) => `sha256:${c.repeat(64)}`);
    const ids = [];
    for (const key of keys) ids.push(await queue.send('scan.image', { reference: `r/x@${key}` }, { key }));
    const jobs = await until(async () => {
      const j = await listJobs(store, { kinds: ['scan.image'] });
      return j.length === 5 && j.every((x) => x.state === 'completed') ? j : undefined;
    });
    expect(ran.map((j) => j.key).sort()).toEqual(keys);
    expect(ran.map((j) => j.id).sort()).toEqual([...ids].sort());
    expect(jobs.map((j) => j.key).sort()).toEqual(keys);
    for (const j of jobs) {
      expect(j.attempts).toBe(1);
      expect(j.error).toBeNull();
      expect(j.startedAt!.getTime()).toBeGreaterThanOrEqual(j.createdAt.getTime());
      expect(j.finishedAt!.getTime()).toBeGreaterThanOrEqual(j.startedAt!.getTime());
    }
  }, 120_000);

  it('keeps a failed job with its error, backing off in state retry', async () => {
    const id = await queue.send('posture.maintain', {});
    const job = await until(async () => {
      const j = (await listJobs(store, { failed: true })).find((x) => x.id === id);
      return j?.state === 'retry' ? j : undefined;
    });
    expect(job).toMatchObject({ kind: 'posture.maintain', attempts: 1, error: 'roll-up table is locked' });
    expect(job.finishedAt).toBeNull();
    // The back-off is 60 s and up: nothing runs it again meanwhile.
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await listJobs(store, { failed: true })).find((x) => x.id === id)?.attempts).toBe(1);
    const runs = await listJobRuns(store);
    expect(runs.find((r) => r.kind === 'posture.maintain')).toMatchObject({
      lastError: 'roll-up table is locked',
      lastSuccessAt: null,
    });
    expect(runs.find((r) => r.kind === 'scan.image')?.lastSuccessAt).toBeInstanceOf(Date);
    // The completed scans are not among the failed.
    expect((await listJobs(store, { failed: true })).map((j) => j.kind)).toEqual(['posture.maintain']);
  }, 120_000);
});
