// Store tests of `importCmdbFile` at its boundaries, on PGlite and PostgreSQL: a NUL in a cell is
// cleaned and reported with its line; a file without rows empties a source only with allowEmpty; a
// file that is not UTF-8 (Latin-1) is refused with the line of the first bad byte. Streamed from
// disk (more rows than one batch): a bad row at the very end leaves the previous import as it was;
// with allowPartial the good rows land as a delta; past the id limit only counts come back.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { listContainers, listInventorySources } from '../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { CMDB_BATCH, importCmdbFile } from './import-cmdb.js';
import { metadataKeys } from './metadata-keys.js';
import { CmdbImportError } from './providers/cmdb/cmdb-import-error.js';

const kinds = await storeKindsToTest();
const keys = metadataKeys();
const HEADER = 'source_id,namespace,container,image';
const THREE = `${HEADER}\nvm-1,shop,web,nginx:1.25\nvm-2,shop,api,node:20\nvm-3,ops,cron,busybox:1.36\n`;

describe.each(kinds)('importCmdbFile on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  const live = async (source: string) =>
    (await listContainers(store, { source }))
      .map((c) => [c.id, c.namespace, c.container])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));

  it('reports how many rows were written, batch by batch', async () => {
    const rows = Array.from({ length: 10_500 }, (_, i) => `vm-${i},shop,web,nginx:1.25`);
    const seen: [number, number | undefined][] = [];
    await importCmdbFile(
      store,
      { path: 'big.csv', text: `${HEADER}\n${rows.join('\n')}\n` },
      { sourceName: 'big', keys, progress: (p) => seen.push([p.done, p.total]) },
    );
    // Before writing (the total not known yet), after each batch landed (the text is read in
    // chunks: a batch is what a chunk completes, at least CMDB_BATCH rows), and when done.
    const done = seen.map(([d]) => d);
    expect(seen[0]).toEqual([0, undefined]);
    expect(seen.slice(-2)).toEqual([
      [10_500, 10_500],
      [10_500, 10_500],
    ]);
    expect(done).toEqual([...done].sort((x, y) => x - y));
    expect(done.filter((d) => d > 0 && d < 10_500).length).toBeGreaterThan(0);
  });

  it('a NUL in a cell is replaced by U+FFFD and reported with its line; the rows land', async () => {
    const text = `${HEADER}\nvm-1,sh\u0000op,web,nginx:1.25\nvm-2,shop,api,node:20\n`;
    const r = await importCmdbFile(store, { path: 'nul.csv', text }, { sourceName: 'nul', keys });
    expect(r.status).toBe('ok');
    expect(r.added).toHaveLength(2);
    expect(r.warnings).toEqual([
      {
        where: 'nul.csv:2',
        message: 'namespace: 1 control character (U+0000) replaced by U+FFFD → "sh�op"',
      },
    ]);
    expect(await live('nul')).toEqual([
      ['nul/vm-1', 'sh\uFFFDop', 'web'],
      ['nul/vm-2', 'shop', 'api'],
    ]);
  });

  it('a file without rows is refused (nothing removed) unless allowEmpty; with it the source is emptied', async () => {
    await importCmdbFile(store, { path: 'three.csv', text: THREE }, { sourceName: 'assets', keys });
    expect(await live('assets')).toHaveLength(3);
    for (const text of [`${HEADER}\n`, '[]']) {
      const err = await importCmdbFile(store, { path: 'empty', text }, { sourceName: 'assets', keys }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).exitCode).toBe(2);
      expect((err as Error).message).toBe(
        'empty: no rows; importing it would remove every container of source "assets". Nothing was changed: pass --allow-empty to empty the source on purpose.',
      );
      expect(await live('assets')).toHaveLength(3);
    }
    const emptied = await importCmdbFile(
      store,
      { path: 'empty.csv', text: `${HEADER}\n` },
      { sourceName: 'assets', keys, allowEmpty: true },
    );
    expect(emptied.removed.sort()).toEqual(['assets/vm-1', 'assets/vm-2', 'assets/vm-3']);
    expect(await live('assets')).toEqual([]);
  });

  it('a Latin-1 file is refused with the line and column of the first byte that is not UTF-8', async () => {
    // "Zürich" in ISO-8859-1: ü is the single byte 0xFC, line 3, after "vm-2,z" (6 bytes).
    const bytes = Buffer.from(`${HEADER}\nvm-1,shop,web,nginx:1.25\nvm-2,zürich,api,node:20\n`, 'latin1');
    const err = await importCmdbFile(
      store,
      { path: 'latin1.csv', bytes },
      { sourceName: 'latin', keys },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(
      /^latin1\.csv: line 3, column 7: byte 0xFC is not UTF-8; nothing was imported\. It looks like ISO-8859-1 \(Latin-1\) or Windows-1252: convert it to UTF-8 first, e\.g\. iconv -f ISO-8859-1 -t UTF-8 latin1\.csv/,
    );
    expect(await live('latin')).toEqual([]);
    // The same file in UTF-8 imports, ü and all.
    const utf8 = Buffer.from(bytes.toString('latin1'), 'utf8');
    const ok = await importCmdbFile(store, { path: 'utf8.csv', bytes: utf8 }, { sourceName: 'latin', keys });
    expect(ok.warnings).toEqual([]);
    expect(await live('latin')).toEqual([
      ['latin/vm-1', 'shop', 'web'],
      ['latin/vm-2', 'zürich', 'api'],
    ]);
  });

  const dir = mkdtempSync(join(tmpdir(), 'runsight-cmdb-stream-'));
  /** A file on disk of `n` good rows (more than a batch), then `tail`. */
  const bigFile = (name: string, n: number, tail: string) => {
    const rows = Array.from({ length: n }, (_, i) => `row-${i},shop,web,nginx:1.25`);
    const path = join(dir, `${kind}-${name}`);
    writeFileSync(path, `${HEADER}\n${rows.join('\n')}\n${tail}`);
    return path;
  };
  const N = CMDB_BATCH * 2 + 1;

  it('a bad row at the very end of a streamed file imports nothing: the previous import stays', async () => {
    await importCmdbFile(store, { path: 'three.csv', text: THREE }, { sourceName: 'late', keys });
    const before = await live('late');
    // Line 1 is the header, the good rows are lines 2…N+1, the bad row (no image) is line N+2.
    const path = bigFile('late.csv', N, 'row-bad,shop,,nginx:1.25\n');
    const err = await importCmdbFile(store, { path }, { sourceName: 'late', keys }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CmdbImportError);
    expect((err as Error).message).toBe(
      `${path}: 1 bad row; nothing was imported (fix them, or pass --allow-partial to import the good rows):\n  line ${N + 2}: container is required`,
    );
    expect(await live('late')).toEqual(before);
    const source = (await listInventorySources(store)).find((s) => s.name === 'late')!;
    expect(source.lastRun).toMatchObject({ mode: 'full', status: 'ok', counts: { seen: 3 } });
  });

  it('with allowPartial the good rows of a streamed file land as a delta: nothing closed, the run partial', async () => {
    const path = bigFile('partial.csv', N, 'row-bad,shop,,nginx:1.25\n');
    const r = await importCmdbFile(store, { path }, { sourceName: 'late', keys, allowPartial: true });
    expect(r.status).toBe('partial');
    expect(r.seen).toBe(N);
    expect(r.errors).toEqual([{ where: `${path}:${N + 2}`, message: 'container is required' }]);
    // The three rows of the previous import are not in this file, but a delta closes nothing.
    expect(r.counts).toEqual({ added: N, changed: 0, removed: 0 });
    const rows = await live('late');
    expect(rows).toHaveLength(N + 3);
    expect(rows.filter((c) => ['late/vm-1', 'late/vm-2', 'late/vm-3'].includes(String(c[0])))).toHaveLength(
      3,
    );
    const source = (await listInventorySources(store)).find((s) => s.name === 'late')!;
    expect(source.lastRun).toMatchObject({
      mode: 'delta',
      status: 'partial',
      errors: [{ where: `${path}:${N + 2}`, message: 'container is required' }],
    });
  });

  it('a clean streamed file is the full list; past the id limit only the counts come back', async () => {
    const path = bigFile('full.csv', N, '');
    const r = await importCmdbFile(store, { path }, { sourceName: 'late', keys, idLimit: 1000 });
    expect(r.status).toBe('ok');
    // The rows of the partial import are seen again unchanged; the three of the first import close.
    expect(r.counts).toEqual({ added: 0, changed: 0, removed: 3 });
    expect(r.removed.sort()).toEqual(['late/vm-1', 'late/vm-2', 'late/vm-3']);
    expect(r.idsOmitted).toBe(false);
    const emptied = await importCmdbFile(
      store,
      { path: bigFile('empty.csv', 0, '') },
      { sourceName: 'late', keys, allowEmpty: true, idLimit: 1000 },
    );
    expect(emptied.counts.removed).toBe(N);
    expect(emptied.idsOmitted).toBe(true);
    expect(emptied.removed).toEqual([]);
    expect(await live('late')).toEqual([]);
  });

  it('past the id limit the new rows of later batches are still counted, and land', async () => {
    const path = bigFile('counted.csv', N, '');
    const r = await importCmdbFile(store, { path }, { sourceName: 'counted', keys, idLimit: 10 });
    expect(r.idsOmitted).toBe(true);
    expect(r.added).toEqual([]);
    expect(r.counts).toEqual({ added: N, changed: 0, removed: 0 });
    expect(await live('counted')).toHaveLength(N);
  });
});
