// Test support: one worker process for queue.int.test.ts. Opens the store at $URL, runs scan.image
// jobs with a handler that records its start and end (clock_timestamp) in test_runs and sleeps
// data.ms between them, with a 5 s lease (pg-boss 10 also fails a handler that runs longer) and 1 s maintenance so a killed worker's job is retried
// quickly. Prints `ready` when it takes jobs; SIGTERM stops it gracefully.
import { sql } from 'kysely';
import { silentLogger } from '../../core/logger.js';
import { openStore } from '../../store/index.js';
import { openJobQueue } from '../queue.js';
import { startWorker } from '../worker.js';

const name = process.env.WORKER_NAME ?? `w${process.pid}`;
const store = await openStore({ databaseUrl: process.env.URL });
const queue = await openJobQueue(store, {
  maintenanceIntervalSeconds: 1,
  pollingIntervalSeconds: 0.5,
  leaseSeconds: { 'scan.image': 5 },
  retryDelaySeconds: 1,
  logger: {
    ...silentLogger,
    info: (m, f) => process.stderr.write(`${new Date().toISOString()} ${name}: ${m} ${JSON.stringify(f)}\n`),
    warn: (m, f) => process.stderr.write(`${name}: ${m} ${JSON.stringify(f)}\n`),
  },
});
const worker = await startWorker({
  store,
  queue,
  concurrency: Number(process.env.CONCURRENCY ?? 2),
  graceMs: 5_000,
  logger: {
    ...silentLogger,
    info: (m, f) => process.stderr.write(`${new Date().toISOString()} ${name}: ${m} ${JSON.stringify(f)}\n`),
  },
  handlers: {
    'scan.image': async (job) => {
      await sql`insert into test_runs (job_id, job_key, worker, phase, at)
        values (${job.id}, ${job.key}, ${name}, 'start', clock_timestamp())`.execute(store.db);
      await new Promise((r) => setTimeout(r, Number(job.data.ms ?? 100)));
      await sql`insert into test_runs (job_id, job_key, worker, phase, at)
        values (${job.id}, ${job.key}, ${name}, 'end', clock_timestamp())`.execute(store.db);
      return { worker: name };
    },
  },
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker
    .stop()
    .then(() => store.close())
    .then(() => process.exit(0));
});
