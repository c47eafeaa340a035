// `runsight inventory import` at its input boundaries (PGlite data dir; the store suite in
// src/inventory/import-cmdb.test.ts covers PostgreSQL): a header-only file exits 2 and removes nothing
// unless --allow-empty; a Latin-1 file exits 2 with the line; a NUL cell imports cleaned, with a warning.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../test-support/run-cli.js';

const HEADER = 'source_id,namespace,container,image';

describe('runsight inventory import: empty, Latin-1 and NUL files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'runsight-inventory-import-'));
  const data = join(dir, 'data');
  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const cli = (...args: string[]) => runCli(['--data-dir', data, '--format', 'json', ...args]);

  it('a header-only file exits 2 naming --allow-empty and removes nothing; with --allow-empty it empties the source', async () => {
    const three = file(
      'hosts.csv',
      `${HEADER}\nvm-1,shop,web,nginx:1.25\nvm-2,shop,api,node:20\nvm-3,ops,cron,busybox:1.36\n`,
    );
    expect((await cli('inventory', 'import', three)).code).toBe(0);
    const empty = file('empty.csv', `${HEADER}\n`);
    const refused = await cli('inventory', 'import', empty, '--source-name', 'hosts');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('no rows; importing it would remove every container of source "hosts"');
    expect(refused.stderr).toContain('--allow-empty');
    expect((await cli('containers', '--source', 'hosts')).json<unknown[]>()).toHaveLength(3);

    const emptied = await cli('inventory', 'import', empty, '--source-name', 'hosts', '--allow-empty');
    expect(emptied.code).toBe(0);
    expect(emptied.json()).toMatchObject([{ source: 'hosts', status: 'ok', seen: 0, removed: 3 }]);
    expect((await cli('containers', '--source', 'hosts')).json<unknown[]>()).toEqual([]);
  });

  it('a Latin-1 file exits 2 with the line and column of the first byte that is not UTF-8', async () => {
    const latin1 = file('latin.csv', Buffer.from(`${HEADER}\nvm-1,café,web,nginx:1.25\n`, 'latin1'));
    const r = await cli('inventory', 'import', latin1);
    expect(r.code).toBe(2);
    // é (0xE9) is byte 9 of line 2: "vm-1,caf" is 8 bytes.
    expect(r.stderr).toContain(`${latin1}: line 2, column 9: byte 0xE9 is not UTF-8; nothing was imported`);
    expect(r.stderr).toContain('iconv -f ISO-8859-1 -t UTF-8');
    expect((await cli('containers', '--source', 'latin')).json<unknown[]>()).toEqual([]);
  });

  it('a NUL in a cell imports the row cleaned, with a warning in the JSON and on stderr', async () => {
    const nul = file('nul.csv', `${HEADER}\nvm-1,shop,we\u0000b,nginx:1.25\n`);
    const r = await cli('inventory', 'import', nul);
    expect(r.code).toBe(0);
    const message = 'container: 1 control character (U+0000) replaced by U+FFFD → "we�b"';
    expect(r.json()).toMatchObject([
      { source: 'nul', status: 'ok', added: 1, warnings: [{ where: `${nul}:2`, message }] },
    ]);
    expect(r.stderr).toContain('text cleaned');
    const rows = (await cli('containers', '--source', 'nul')).json<{ container: string }[]>();
    expect(rows.map((c) => c.container)).toEqual(['we\uFFFDb']);
  });
});
