// Store tests of `importCmdbFile` at its boundaries, on PGlite and PostgreSQL: a NUL in a cell is
// cleaned and reported with its line; a file without rows empties a source only with allowEmpty; a
// file that is not UTF-8 (Latin-1) is refused with the line of the first bad byte.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.js';
import { listContainers } from '../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { importCmdbFile } from './import-cmdb.js';
import { metadataKeys } from './metadata-keys.js';

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
    const rows = Array.from({ length: 2500 }, (_, i) => `vm-${i},shop,web,nginx:1.25`);
    const seen: [number, number | undefined][] = [];
    await importCmdbFile(
      store,
      { path: 'big.csv', text: `${HEADER}\n${rows.join('\n')}\n` },
      { sourceName: 'big', keys, progress: (p) => seen.push([p.done, p.total]) },
    );
    // Before writing, after each batch of 1,000 rows started, and when done.
    expect(seen).toEqual([
      [0, 2500],
      [1000, 2500],
      [2000, 2500],
      [2500, 2500],
      [2500, 2500],
    ]);
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
});
