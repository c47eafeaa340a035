// Two `serve` processes over one PostgreSQL (each its own store connection, queue, worker and
// scheduler, as two hosts would have): with `cadence.imports: 1s` both list the watched directory
// and queue its files, yet each file is imported once, by one of them, and moved once; copies of
// one report land one scan. With `cadence.inventory: 3s` the schedulers wake when it is due (runs
// about every 3 s, not once per 15 s tick) and never run it twice within its interval.
import { copyFileSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { TESTDATA } from '../importers/test-support/reports.js';
import { openStore, type Store } from '../store/index.js';
import { createTestStore, postgresAvailable, type TestStore } from '../store/test-support/stores.js';
import { requireOrSkip } from '../test-support/require-or-skip.js';
import type { DirectoryImportOutcome } from './handlers/imports-directory.js';
import { stageHandlers } from './handlers/stage-handlers.js';
import { type JobQueue, openJobQueue } from './queue.js';
import { type Scheduler, startScheduler } from './scheduler.js';
import { startWorker, type Worker } from './worker.js';

const pg = requireOrSkip(await postgresAvailable(), 'PostgreSQL at 127.0.0.1:5432');
const KEYCLOAK = 'sha256:d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e';
const dir = mkdtempSync(join(tmpdir(), 'runsight-imports-pg-'));
const FILES = ['k1.json', 'k2.json', 'k3.json', 'k4.json', 'g1.json', 'g2.json', 'g3.json'];

describe.skipIf(!pg)('imports and cadences with two processes on PostgreSQL', () => {
  let store: TestStore;
  let second: Store;
  const procs: { queue: JobQueue; worker: Worker; scheduler: Scheduler }[] = [];
  const outcomes: (DirectoryImportOutcome & { proc: number })[] = [];
  const inventoryRuns: { proc: number; start: number; end: number }[] = [];

  beforeAll(async () => {
    const old = new Date(Date.now() - 60_000);
    for (const f of FILES) {
      copyFileSync(`${TESTDATA}grype/${f.startsWith('k') ? 'keycloak' : 'ghsa'}-test.json`, join(dir, f));
      utimesSync(join(dir, f), old, old);
    }
    writeFileSync(join(dir, 'bad.json'), 'not a report');
    utimesSync(join(dir, 'bad.json'), old, old);

    store = await createTestStore('postgres');
    const db = (await sql<{ d: string }>`select current_database() as d`.execute(store.db)).rows[0]!.d;
    const url = new URL(process.env.RUNSIGHT_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    url.pathname = `/${db}`;
    second = await openStore({ databaseUrl: url.toString() });
    for (const [proc, s] of [store, second].entries()) {
      const queue = await openJobQueue(s, { pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1 });
      const deps = {
        store: s,
        queue,
        logger: silentLogger,
        env: {},
        posture: {},
        inventory: { kubernetes: [], docker: [] },
        advisorySources: [],
        scan: {},
        imports: { directory: { path: dir } },
      };
      const handlers = stageHandlers(deps);
      const worker = await startWorker({
        store: s,
        queue,
        handlers: {
          ...handlers,
          'imports.directory': async (job, signal) => {
            const out = (await handlers['imports.directory']!(job, signal)) as DirectoryImportOutcome;
            outcomes.push({ ...out, proc });
            return out;
          },
          'inventory.collect': async () => {
            const start = Date.now();
            await new Promise((r) => setTimeout(r, 200));
            inventoryRuns.push({ proc, start, end: Date.now() });
          },
        },
      });
      const scheduler = startScheduler({
        store: s,
        queue,
        cadence: { inventory: '3s', imports: '1s' },
        imports: deps.imports,
      });
      procs.push({ queue, worker, scheduler });
    }
  }, 240_000);

  afterAll(async () => {
    for (const p of procs) {
      await p.scheduler.stop();
      await p.worker.stop();
    }
    await second?.close();
    await store?.dispose();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('imports each dropped file once and runs a 3 s cadence every ~3 s, never twice at once', async () => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && readdirSync(dir).some((n) => n.endsWith('.json')))
      await new Promise((r) => setTimeout(r, 250));
    // Let the cadence run on a while (16 s of it at least) with both schedulers looking.
    const until = (inventoryRuns[0]?.start ?? Date.now()) + 16_000;
    while (Date.now() < until) await new Promise((r) => setTimeout(r, 250));
    for (const p of procs) await p.scheduler.stop();

    expect(readdirSync(dir).sort()).toEqual(['failed', 'imported']);
    expect(readdirSync(join(dir, 'imported')).sort()).toEqual([...FILES].sort());
    expect(readdirSync(join(dir, 'failed')).sort()).toEqual(['bad.json', 'bad.json.error.txt']);
    const handled = outcomes.filter((o) => o.outcome !== 'gone').map((o) => o.file);
    expect(handled.sort()).toEqual([...FILES, 'bad.json'].sort()); // each once, by one process
    // Four copies of one report: one scan, its findings once.
    const scans = await sql<{
      n: string;
    }>`select count(*) as n from scans where image_digest = ${KEYCLOAK}`.execute(store.db);
    expect(Number(scans.rows[0]!.n)).toBe(1);

    const starts = inventoryRuns.map((r) => r.start).sort((a, b) => a - b);
    // Due 3 s after the last run finished, then taken by a polling worker on a busy machine: 3–8 s
    // apart (a look every 15 s gave 15 s), never closer than the interval.
    expect(starts.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < starts.length; i++) {
      expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(3_000);
      expect(starts[i]! - starts[i - 1]!).toBeLessThanOrEqual(8_000);
    }
  }, 180_000);
});
