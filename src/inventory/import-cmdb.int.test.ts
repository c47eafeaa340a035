// A large CMDB file (200k generated rows, ~45 MB) imported from disk on PostgreSQL with bounded
// memory: the resident set of this process, sampled during the import, grows by far less than the
// old whole-file path used (2.0 GB peak RSS for this file through the CLI, 1.35 GB in the issue),
// every row lands, and past the id limit only counts come back (posture takes the watermark pass).
// PGlite holds its database in this process's memory, so its RSS is measured by the benchmark
// (bench/inventory.ts) against the store's floor instead.
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, postgresAvailable, type TestStore } from '../store/test-support/stores.js';
import { CMDB_ID_LIMIT, importCmdbFile } from './import-cmdb.js';
import { metadataKeys } from './metadata-keys.js';

const ROWS = 200_000;
const hasPostgres = await postgresAvailable();

async function writeRows(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('source_id,cluster,namespace,workload,container,image,platform,labels,owner\n');
  for (let i = 0; i < n; i++) {
    const line = `vm-${i},dc-${i % 20},team-${i % 200},Deployment/svc-${i % 5000},app,registry.example.com/app-${i % 800}:1.${i % 7},linux/amd64,app=svc-${i % 5000};tier=back,team-${i % 200}\n`;
    if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}

describe.skipIf(!hasPostgres)('a 200k-row CMDB file on postgres', () => {
  let store: TestStore;
  const dir = mkdtempSync(join(tmpdir(), 'runsight-cmdb-large-'));
  const file = join(dir, 'fleet.csv');
  beforeAll(async () => {
    store = await createTestStore('postgres');
    await writeRows(file, ROWS);
  });
  afterAll(async () => {
    await store?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports every row while this process grows by well under the old path', {
    timeout: 900_000,
  }, async () => {
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sample = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 25);
    let r: Awaited<ReturnType<typeof importCmdbFile>>;
    try {
      r = await importCmdbFile(store, { path: file }, { sourceName: 'fleet', keys: metadataKeys() });
    } finally {
      clearInterval(sample);
    }
    const growthMiB = (peak - before) / 2 ** 20;
    expect(growthMiB).toBeLessThan(400);
    expect(r.status).toBe('ok');
    expect(r.seen).toBe(ROWS);
    expect(r.counts).toEqual({ added: ROWS, changed: 0, removed: 0 });
    expect(ROWS).toBeGreaterThan(CMDB_ID_LIMIT);
    expect(r.idsOmitted).toBe(true);
    expect(r.added).toEqual([]);
    const n = await store.db
      .selectFrom('containers')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('removed_at', 'is', null)
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(ROWS);
    const exposures = await store.db
      .selectFrom('exposures')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('closed_at', 'is', null)
      .executeTakeFirstOrThrow();
    expect(Number(exposures.n)).toBe(ROWS);
  });
});
