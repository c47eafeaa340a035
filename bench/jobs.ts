// Jobs benchmark (issue 17): the job queue's throughput and the scheduler's tick cost, on PGlite
// and on PostgreSQL (when a server answers). Same-run baselines: a bare `select 1` round trip and
// the store write every job costs anyway (a job_runs upsert).
//   - queue throughput: N jobs sent (distinct keys, kind scan.image) and run by the real worker
//     (startWorker → runJob, which records the start and finish in job_runs) with a no-op handler,
//     concurrency 1 and 2; jobs/s from the first send to the last handler return, and the cost
//     per job against the `select 1` round trip.
//   - scheduler tick: `tick()` with all three cadences configured, (a) nothing due (each kind ran
//     just now) and (b) all due but already queued (the sends are refused by the queue's policy).
// Knobs: RUNSIGHT_BENCH_JOBS_STORES = `both` (default), `pglite` or `postgres`; --quick: fewer jobs.
import { sql } from 'kysely';
import { silentLogger } from '../src/core/logger.js';
import { openJobQueue } from '../src/jobs/queue.js';
import { startScheduler } from '../src/jobs/scheduler.js';
import { startWorker } from '../src/jobs/worker.js';
import { recordJobFinished, recordJobStarted } from '../src/store/index.js';
import { createTestStore, postgresAvailable, type TestStore } from '../src/store/test-support/stores.js';
import { type Bench, type BenchRow, percentile } from './harness.js';

const STORES = process.env.RUNSIGHT_BENCH_JOBS_STORES ?? 'both';

export const bench: Bench = {
  area: 'jobs',
  async run({ quick, log }) {
    const kinds: ('pglite' | 'postgres')[] = [];
    if (STORES !== 'postgres') kinds.push('pglite');
    if (STORES !== 'pglite' && (await postgresAvailable())) kinds.push('postgres');
    const rows: BenchRow[] = [];
    for (const kind of kinds) {
      const store = await createTestStore(kind);
      try {
        rows.push(...(await runOne(store, kind, quick ? 50 : 120, log)));
      } finally {
        await store.dispose();
      }
    }
    return rows;
  },
};

async function perOpMs(n: number, op: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(20, n); i++) await op(i); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await op(i);
  return (performance.now() - t0) / n;
}

async function runOne(
  store: TestStore,
  kind: 'pglite' | 'postgres',
  n: number,
  log: (m: string) => void,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const select1 = await perOpMs(500, () => sql`select 1`.execute(store.db));
  const jobRunWrite = await perOpMs(500, () => recordJobFinished(store, 'bench', new Date()));
  log(`${kind}: select 1 ${select1.toFixed(3)} ms, job_runs upsert ${jobRunWrite.toFixed(3)} ms`);

  for (const concurrency of [1, 2]) {
    const queue = await openJobQueue(store, { pollingIntervalSeconds: 0.5, logger: silentLogger });
    let done = 0;
    let resolveAll: () => void = () => {};
    const all = new Promise<void>((r) => {
      resolveAll = r;
    });
    const worker = await startWorker({
      store,
      queue,
      concurrency,
      handlers: {
        'scan.image': async () => {
          if (++done === n) resolveAll();
          return null;
        },
      },
    });
    const t0 = performance.now();
    const tag = `${kind}-${concurrency}-${Date.now()}`;
    for (let i = 0; i < n; i++) await queue.send('scan.image', {}, { key: `${tag}-${i}` });
    const sentMs = performance.now() - t0;
    await all;
    const ms = performance.now() - t0;
    await worker.stop();
    const perJob = ms / n;
    log(
      `${kind}: ${n} jobs, concurrency ${concurrency}: ${ms.toFixed(0)} ms (sends ${sentMs.toFixed(0)} ms)`,
    );
    rows.push({
      name: `${kind}: no-op jobs send → worker → complete, concurrency ${concurrency} (${n} jobs)`,
      value: n / (ms / 1000),
      unit: 'jobs/s',
      notes: `polling 0.5 s, batch 1 per slot; ${perJob.toFixed(2)} ms/job = ${(perJob / select1).toFixed(0)}× select 1 (${select1.toFixed(3)} ms), ${(perJob / jobRunWrite).toFixed(1)}× a job_runs upsert (${jobRunWrite.toFixed(3)} ms); sends ${(sentMs / n).toFixed(2)} ms each`,
    });
  }

  // Scheduler tick cost.
  const queue = await openJobQueue(store, { supervise: false, logger: silentLogger });
  const scheduler = startScheduler({
    store,
    queue,
    cadence: { inventory: '5m', advisories: '6h', scan: '24h' },
    retention: true,
    immediate: false,
    tickMs: 3_600_000,
  });
  const ticks = async (count: number) => {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await scheduler.tick();
      times.push(performance.now() - t);
    }
    return percentile(times, 50);
  };
  await scheduler.tick(); // queues the due kinds once; later ticks find them queued
  // The baseline again, next to the ticks (the machine is shared: a baseline from minutes ago drifts).
  const select1Times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await sql`select 1`.execute(store.db);
    select1Times.push(performance.now() - t);
  }
  const select1Now = percentile(select1Times, 50);
  const dueQueued = await ticks(100);
  for (const k of ['inventory.collect', 'advisories.update', 'scan.in-use', 'retention.run'])
    await recordJobStarted(store, k, new Date());
  const idle = await ticks(100);
  await scheduler.stop();
  await queue.stop({ timeoutMs: 5_000 });
  rows.push({
    name: `${kind}: scheduler tick, nothing due (p50 of 100)`,
    value: idle,
    unit: 'ms',
    baseline: { name: 'select 1 (p50 of 200)', value: select1Now },
    ratio: idle / select1Now,
  });
  rows.push({
    name: `${kind}: scheduler tick, 4 kinds due but already queued (p50 of 100)`,
    value: dueQueued,
    unit: 'ms',
    baseline: { name: 'select 1 (p50 of 200)', value: select1Now },
    ratio: dueQueued / select1Now,
  });
  return rows;
}
