// A PGlite store is its owner's alone: the data directory and every directory in it 0700, every
// file 0600 — while the store is open, after it closes, and after reopening a store left loose.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from './index.js';

const tmp = mkdtempSync(join(tmpdir(), 'runsight-modes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every path under `root` (and root) with a mode other than 0700 (directory) or 0600 (file). */
function looseModes(root: string): string[] {
  const loose: string[] = [];
  const walk = (path: string) => {
    const st = statSync(path);
    const mode = st.mode & 0o777;
    if (st.isDirectory()) {
      if (mode !== 0o700) loose.push(`${path} ${mode.toString(8)}`);
      for (const name of readdirSync(path)) walk(join(path, name));
    } else if (mode !== 0o600) {
      loose.push(`${path} ${mode.toString(8)}`);
    }
  };
  walk(root);
  return loose;
}

function countFiles(root: string): number {
  return readdirSync(root, { recursive: true }).filter((p) => statSync(join(root, String(p))).isFile())
    .length;
}

describe.skipIf(process.platform === 'win32')('PGlite store file modes', () => {
  it('creates the data directory 0700 and every file 0600, open and closed', async () => {
    const dir = join(tmp, 'new', 'data');
    const store = await openStore({ dataDir: dir });
    try {
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(countFiles(dir)).toBeGreaterThan(1000); // the PGlite cluster and the lock file
      expect(looseModes(dir)).toEqual([]);
      await store.db.schema.createTable('mode_probe').addColumn('id', 'integer').execute();
    } finally {
      await store.close();
    }
    expect(looseModes(dir)).toEqual([]);
  });

  it('tightens a store an older Runsight left readable and writable by everyone', async () => {
    const dir = join(tmp, 'old');
    await (await openStore({ dataDir: dir })).close();
    const loosen = (path: string) => {
      const st = statSync(path);
      chmodSync(path, st.isDirectory() ? 0o777 : 0o666);
      if (st.isDirectory()) for (const name of readdirSync(path)) loosen(join(path, name));
    };
    loosen(dir);
    expect(looseModes(dir).length).toBeGreaterThan(1000);
    const store = await openStore({ dataDir: dir });
    try {
      expect(looseModes(dir)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('leaves a shared data directory as it is but keeps the store inside it private', async () => {
    const dir = join(tmp, 'shared');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'notes.txt'), 'not Runsight’s');
    chmodSync(join(dir, 'notes.txt'), 0o644);
    const store = await openStore({ dataDir: dir });
    await store.close();
    expect(statSync(dir).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'notes.txt')).mode & 0o777).toBe(0o644);
    expect(looseModes(join(dir, 'pg'))).toEqual([]);
  });
});
