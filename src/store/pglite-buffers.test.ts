// PGlite's buffer pool is capped at open (issue 15): its WebAssembly memory never shrinks, so at
// PostgreSQL's default of 128 MB a big import left up to 128 MB of pages in the process's RSS
// (docs/benchmarks.md, "Report import memory bounded"). On disk and in memory, new and reopened.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from './index.js';
import { PGLITE_SHARED_BUFFERS } from './open-store.js';

const tmp = mkdtempSync(join(tmpdir(), 'runsight-buffers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function sharedBuffers(dataDir: string): Promise<string> {
  const store = await openStore({ dataDir });
  try {
    const { rows } = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(store.db);
    return rows[0]!.shared_buffers;
  } finally {
    await store.close();
  }
}

describe('PGlite buffer pool', () => {
  it('is 32MB, not the default 128MB, in memory, on disk and on reopening', async () => {
    expect(PGLITE_SHARED_BUFFERS).toBe('32MB');
    expect(await sharedBuffers('memory://')).toBe('32MB');
    const dir = join(tmp, 'store');
    expect(await sharedBuffers(dir)).toBe('32MB');
    expect(await sharedBuffers(dir)).toBe('32MB');
  }, 120_000);
});
