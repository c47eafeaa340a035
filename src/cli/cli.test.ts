import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION } from '../store/index.js';
import { ADMIN_URL, createTestStore, postgresAvailable } from '../store/test-support/stores.js';
import { parseConfig } from './config.js';
import { createStderrLogger, redact } from './logger.js';
import { runCli } from './test-support/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'runsight-cli-'));
// A visible skip without a server; a failure under CI=true (postgresAvailable throws there).
const pgAnswers = await postgresAvailable();
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('runsight CLI', () => {
  it('prints help and version with exit 0', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--database-url');
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('exits 2 on a usage error and prints nothing on stdout', async () => {
    const r = await runCli(['no-such-command']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'no-such-command'");
    const bad = await runCli(['--format', 'xml', 'db', 'status']);
    expect(bad.code).toBe(2);
  });

  it('db status --format json on PGlite in a data directory', async () => {
    const dir = join(tmp, 'data');
    const r = await runCli(['--data-dir', dir, '--format', 'json', 'db', 'status']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const status = r.json<{ store: string; schemaVersion: number; counts: Record<string, number> }>();
    expect(status.store).toBe('pglite');
    expect(status.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(status.counts.containers).toBe(0);
    // RUNSIGHT_DATA_DIR is honoured and the data persists between runs.
    const again = await runCli(['--format', 'json', 'db', 'status'], { RUNSIGHT_DATA_DIR: dir });
    expect(again.json<{ location: string }>().location).toBe(dir);
  });

  it.skipIf(!pgAnswers)(
    'db status --format json on a PostgreSQL server; the URL wins over the data dir',
    async () => {
      const store = await createTestStore('postgres');
      const url = `${ADMIN_URL.replace(/\/[^/]*$/, '')}/${store.location.split('/').pop()}`;
      await store.close();
      try {
        const r = await runCli(['--data-dir', join(tmp, 'unused'), '--format', 'json', 'db', 'status'], {
          DATABASE_URL: url,
        });
        expect(r.code).toBe(0);
        expect(r.json<{ store: string }>().store).toBe('postgres');
      } finally {
        await store.dispose();
      }
    },
  );

  it('csv and table formats carry the same counts', async () => {
    const dir = join(tmp, 'data');
    const csv = await runCli(['--data-dir', dir, '--format', 'csv', 'db', 'status']);
    expect(csv.stdout.split('\n')[0]).toBe('table,rows');
    expect(csv.stdout).toContain('containers,0');
    const table = await runCli(['--data-dir', dir, 'db', 'status']);
    expect(table.stdout).toMatch(/^TABLE\s+ROWS/);
  });

  it('an unreachable PostgreSQL server is a runtime failure (exit 3) with the reason', async () => {
    const r = await runCli(['--database-url', 'postgres://nobody:secret@127.0.0.1:1/x', 'db', 'status']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('could not open the postgres store');
    expect(r.stderr).not.toContain('secret');
  });

  it('a second process on the same PGlite directory is refused, naming the owner', async () => {
    const dir = join(tmp, 'locked');
    const first = await runCli(['--data-dir', dir, 'db', 'status']);
    expect(first.code).toBe(0);
    writeFileSync(join(dir, 'runsight.lock'), String(process.ppid)); // a live process that is not us
    const r = await runCli(['--data-dir', dir, 'db', 'status']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`in use by process ${process.ppid}`);
  });
});

describe('config file', () => {
  it('names the key of an unknown or invalid setting', async () => {
    expect(() => parseConfig('registries:\n  ghcr.io:\n    pasword: x\n', 'f.yaml')).toThrow(
      /config key "registries.ghcr.io.pasword": unknown key/,
    );
    expect(() => parseConfig('cadence:\n  scan: daily\n', 'f.yaml')).toThrow(
      /config key "cadence.scan": expected a duration/,
    );
    const file = join(tmp, 'bad.yaml');
    writeFileSync(file, 'store: [1, 2\n');
    const r = await runCli(['--config', file, 'db', 'status']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not valid YAML');
  });

  it('accepts a valid file', () => {
    const c = parseConfig('cadence:\n  scan: 24h\nregistries:\n  127.0.0.1:5000:\n    insecure: true\n', 'f');
    expect(c.cadence?.scan).toBe('24h');
    expect(c.registries?.['127.0.0.1:5000']?.insecure).toBe(true);
  });
});

describe('logger', () => {
  it('writes JSON lines at or above the level and never writes secrets', () => {
    const lines: string[] = [];
    const log = createStderrLogger('info', (l) => lines.push(l));
    log.debug('hidden');
    log.info('pulling', { url: 'https://bob:hunter2@reg.example/v2/', password: 'hunter2', token: 'abc' });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry.level).toBe('info');
    expect(JSON.stringify(entry)).not.toContain('hunter2');
    expect(entry.token).toBe('***');
    expect(redact({ nested: { Authorization: 'Bearer x' } })).toEqual({ nested: { Authorization: '***' } });
  });
});
