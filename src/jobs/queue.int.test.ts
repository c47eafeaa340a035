// The queue on a real PostgreSQL shared by two worker processes (test-support/worker-child.ts):
// every job runs exactly once; a worker killed mid-job (SIGKILL) has its job retried by the other
// after the 5 s lease and completed; SIGTERM lets the running job finish; two jobs for one digest never run at once, and a third is
// refused while one is queued. Each test creates its database and drops it (pgboss schema with it).
import { type ChildProcess, spawn } from 'node:child_process';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listJobs } from '../store/index.js';
import { createTestStore, postgresAvailable, type TestStore } from '../store/test-support/stores.js';
import { type JobQueue, openJobQueue } from './queue.js';

const pg = await postgresAvailable();
const CHILD = new URL('./test-support/worker-child.ts', import.meta.url).pathname;

interface RunRow {
  job_id: string;
  job_key: string | null;
  worker: string;
  phase: 'start' | 'end';
  at: Date;
}

describe.skipIf(!pg)('job queue on PostgreSQL, two worker processes', () => {
  let store: TestStore;
  let url: string;
  let queue: JobQueue;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    store = await createTestStore('postgres');
    const db = (await sql<{ d: string }>`select current_database() as d`.execute(store.db)).rows[0]!.d;
    const u = new URL(process.env.RUNSIGHT_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    u.pathname = `/${db}`;
    url = u.toString();
    await sql`create table test_runs (job_id text, job_key text, worker text, phase text, at timestamptz)`.execute(
      store.db,
    );
    // The test's own handle on the queue: it sends, it does not supervise or work.
    queue = await openJobQueue(store, {
      supervise: false,
      leaseSeconds: { 'scan.image': 5 },
      retryDelaySeconds: 1,
    });
  }, 120_000);

  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGKILL');
        await new Promise((r) => c.once('exit', r));
      }
    }
    await queue.stop({ timeoutMs: 1_000 });
    await store.dispose();
  }, 120_000);

  function startChild(name: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, URL: url, WORKER_NAME: name },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    return new Promise((resolve, reject) => {
      child.stdout!.on('data', (b: Buffer) => {
        if (b.toString().includes('ready')) resolve(child);
      });
      child.once('exit', (code) => reject(new Error(`worker ${name} exited with ${code} before ready`)));
    });
  }

  async function runs(): Promise<RunRow[]> {
    return (await sql<RunRow>`select * from test_runs order by at`.execute(store.db)).rows;
  }

  async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > end)
        throw new Error(
          `timed out waiting for ${what}: jobs ${JSON.stringify(await listJobs(store))}, runs ${JSON.stringify(await runs())}`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('runs each of 12 jobs exactly once across two workers', async () => {
    await Promise.all([startChild('a'), startChild('b')]);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const id = await queue.send(
        'scan.image',
        { ms: 150 },
        { key: `sha256:${String(i).padStart(64, '0')}` },
      );
      ids.push(id!);
    }
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    const jobs = await until('12 completed jobs', async () => {
      const j = await listJobs(store, { kinds: ['scan.image'] });
      return j.filter((x) => x.state === 'completed').length === 12 ? j : undefined;
    });
    const rows = await runs();
    for (const id of ids) {
      expect(rows.filter((r) => r.job_id === id && r.phase === 'start')).toHaveLength(1);
      expect(rows.filter((r) => r.job_id === id && r.phase === 'end')).toHaveLength(1);
    }
    expect(rows).toHaveLength(24);
    expect(jobs.every((j) => j.attempts === 1 && j.error === null && j.finishedAt !== null)).toBe(true);
  }, 180_000);

  it('retries the job of a worker killed mid-job once its lease expires', async () => {
    const a = await startChild('a');
    const id = await queue.send('scan.image', { ms: 2_000 }, { key: 'sha256:crash' });
    await until('the job to start on a', async () =>
      (await runs()).some((r) => r.worker === 'a' && r.phase === 'start') ? true : undefined,
    );
    a.kill('SIGKILL');
    await new Promise((r) => a.once('exit', r));
    await startChild('b');
    const job = await until('the job to complete on b', async () => {
      const j = (await listJobs(store, { kinds: ['scan.image'] })).find((x) => x.id === id);
      return j?.state === 'completed' ? j : undefined;
    });
    const rows = (await runs()).filter((r) => r.job_id === id);
    expect(rows.map((r) => `${r.worker}:${r.phase}`)).toEqual(['a:start', 'b:start', 'b:end']);
    expect(job.attempts).toBe(2);
    expect(job.key).toBe('sha256:crash');
  }, 180_000);

  it('never runs two scans of one digest at once, and keeps one queued at most', async () => {
    await Promise.all([startChild('a'), startChild('b')]);
    const key = `sha256:${'d'.repeat(64)}`;
    const first = await queue.send('scan.image', { ms: 2_000 }, { key });
    expect(first).toEqual(expect.any(String));
    await until('the first to start', async () =>
      (await runs()).some((r) => r.job_id === first) ? true : undefined,
    );
    const second = await queue.send('scan.image', { ms: 500 }, { key });
    const third = await queue.send('scan.image', { ms: 500 }, { key });
    expect(second).toEqual(expect.any(String));
    expect(third).toBeNull(); // one already queued for this digest
    await until('both to complete', async () => {
      const j = await listJobs(store, { kinds: ['scan.image'] });
      return j.filter((x) => x.state === 'completed').length === 2 ? true : undefined;
    });
    const rows = await runs();
    const endFirst = rows.find((r) => r.job_id === first && r.phase === 'end')!.at.getTime();
    const startSecond = rows.find((r) => r.job_id === second && r.phase === 'start')!.at.getTime();
    expect(startSecond).toBeGreaterThanOrEqual(endFirst);
  }, 180_000);

  it('stops gracefully on SIGTERM: the running job finishes first', async () => {
    const a = await startChild('a');
    const id = await queue.send('scan.image', { ms: 1_500 }, { key: 'sha256:graceful' });
    await until('the job to start', async () =>
      (await runs()).some((r) => r.job_id === id) ? true : undefined,
    );
    const exited = new Promise<number | null>((r) => a.once('exit', (code) => r(code)));
    a.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect((await runs()).map((r) => `${r.worker}:${r.phase}`)).toEqual(['a:start', 'a:end']);
    const job = (await listJobs(store, { kinds: ['scan.image'] })).find((x) => x.id === id);
    expect(job).toMatchObject({ state: 'completed', attempts: 1 });
  }, 180_000);
});
