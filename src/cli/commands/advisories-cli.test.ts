// `db update`, `db status` (advisory freshness) and `vuln show`, run in-process on PGlite.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TESTDATA } from '../../advisories/test-support/expected-packages.js';
import { runCli } from '../test-support/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'runsight-advcli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('advisory commands', () => {
  const data = ['--data-dir', join(tmp, 'data')];

  it('db update imports sources and prints a summary per source', async () => {
    const r = await runCli([
      ...data,
      '--format',
      'json',
      'db',
      'update',
      '--source',
      join(TESTDATA, 'osv/osv-scanner-offline-dbs'),
      '--source',
      join(TESTDATA, 'alpine-secdb/v3.10'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.json<{ sources: { name: string; read: number; written: number }[] }>();
    expect(out.sources.map((s) => s.name)).toContain('alpine-secdb:v3.10');
    expect(out.sources.find((s) => s.name === 'osv:Alpine')).toMatchObject({ read: 1, written: 1 });
  });

  it('db status keeps store, schemaVersion and counts and adds advisory freshness', async () => {
    const r = await runCli([...data, '--format', 'json', 'db', 'status']);
    expect(r.code).toBe(0);
    const s = r.json<{
      store: string;
      schemaVersion: number;
      counts: Record<string, number>;
      advisories: {
        sources: { name: string; records: number; ageSeconds: number }[];
        ecosystems: { ecosystem: string }[];
      };
    }>();
    expect(s.store).toBe('pglite');
    expect(s.counts.advisories).toBeGreaterThan(0);
    expect(s.advisories.sources.find((x) => x.name === 'osv:Debian')?.records).toBe(4);
    expect(s.advisories.ecosystems.map((e) => e.ecosystem)).toContain('Alpine:v3.10');
  });

  it('vuln show finds an advisory by its CVE and shows aliases, severity and ranges', async () => {
    const r = await runCli([...data, '--format', 'json', 'vuln', 'show', 'CVE-2022-1292']);
    expect(r.code).toBe(0);
    const v = r.json<{
      advisories: { id: string; affected: { ecosystem: string; package: string; ranges: unknown[] }[] }[];
    }>();
    expect(v.advisories.map((a) => a.id)).toEqual(['DLA-3008-1']);
    expect(v.advisories[0]!.affected).toEqual([
      expect.objectContaining({
        ecosystem: 'Debian:9',
        package: 'openssl',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.1.0l-1~deb9u6' }] }],
      }),
    ]);
    const table = await runCli([...data, 'vuln', 'show', 'ALPINE-CVE-2025-26519']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('CVSS_V3 CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H → HIGH');
    expect(table.stdout).toContain('Alpine:v3.18');
  });

  it('exits 2 and names the file on a malformed source; 2 on an unknown id', async () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, '{"id": 42}');
    const r = await runCli([...data, 'db', 'update', '--source', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.json');
    expect(r.stderr).toContain('Nothing was imported');
    const none = await runCli([...data, 'vuln', 'show', 'CVE-1999-0000']);
    expect(none.code).toBe(2);
    // --kind without --source is a usage error, refused before any feed is fetched.
    const usage = await runCli([...data, 'db', 'update', '--kind', 'osv']);
    expect(usage.code).toBe(2);
  });
});
