// A config file with credentials that group or others may read is loaded with a warning that
// names the file, its mode and the fix; a private file, or one without secrets, loads silently.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { runCli } from './test-support/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'runsight-config-mode-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function configFile(name: string, text: string, mode: number): string {
  const file = join(tmp, name);
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

const REGISTRY_PASSWORD = 'registries:\n  registry.example.com:\n    username: ci\n    password: s3cret\n';

describe.skipIf(process.platform === 'win32')('config file mode', () => {
  it('warns about credentials that group or others may read', () => {
    const cases: [string, string, number, boolean][] = [
      ['password-0644.yaml', REGISTRY_PASSWORD, 0o644, true],
      ['password-0640.yaml', REGISTRY_PASSWORD, 0o640, true],
      ['password-0600.yaml', REGISTRY_PASSWORD, 0o600, false],
      ['token-0604.yaml', 'registries:\n  ghcr.io:\n    token: t0ken\n', 0o604, true],
      ['db-0644.yaml', 'store:\n  databaseUrl: postgres://u:pw@db:5432/runsight\n', 0o644, true],
      ['db-nopw-0644.yaml', 'store:\n  databaseUrl: postgres://u@db:5432/runsight\n', 0o644, false],
      ['plain-0644.yaml', 'cadence:\n  scan: 24h\n', 0o644, false],
    ];
    for (const [name, text, mode, warned] of cases) {
      const warnings: string[] = [];
      const file = configFile(name, text, mode);
      loadConfig(file, (m) => warnings.push(m));
      expect({ name, warnings }).toEqual({
        name,
        warnings: warned
          ? [
              `config file ${file} holds credentials and group or others may read it (mode 0${mode.toString(8)}): run chmod 600 ${file}`,
            ]
          : [],
      });
    }
  });

  it('the CLI logs the warning on stderr and still runs', async () => {
    const file = configFile('cli.yaml', REGISTRY_PASSWORD, 0o644);
    const r = await runCli(['--config', file, '--data-dir', 'memory://', '--format', 'json', 'db', 'status']);
    expect(r.code).toBe(0);
    const lines = r.stderr
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn' });
    expect(lines[0].msg).toContain(`config file ${file} holds credentials`);
    expect(r.stderr).not.toContain('s3cret');
  });
});
