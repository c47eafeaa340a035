// The demo's closing hint is runnable as printed: from a clone (`npm ci && npm run demo`) nothing is
// built and `runsight` is not on PATH, so the hint says `npm run runsight --`; each printed line is
// run through the shell, as a user pasting it would.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test-support/run-cli.js';
import { runsightCommand, shellWord } from './demo.js';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../../../..');
const tmp = mkdtempSync(join(tmpdir(), 'runsight-demo-hint-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('runsight demo: the closing hint', () => {
  it('prints one command per line that runs as printed from the clone', { timeout: 300_000 }, async () => {
    const dir = join(tmp, "demo store's dir"); // a space and a quote: the hint must quote it
    const demo = await runCli(['--data-dir', dir, 'demo']);
    expect(demo.code).toBe(0);
    const quoted = `'${tmp}/demo store'\\''s dir'`;
    const cli = `npm run runsight -- --data-dir ${quoted}`;
    const hint = demo.stdout.trimEnd().split('\n').slice(-6);
    expect(hint).toEqual([
      'Explore it:',
      `  ${cli} posture --by workload`,
      `  ${cli} containers`,
      `  ${cli} vuln where CVE-2025-26519`,
      `  ${cli} workload show shop/Deployment/shop-api`,
      `  ${cli} container show batch-vms/vm-batch-01/report`,
    ]);
    // What each command shows, by hand from the demo data.
    const expected = [
      'shop/Deployment/shop-api',
      'batch-vms/vm-batch-01/report',
      'CVE-2025-26519',
      'shop/Deployment/shop-api',
      'container batch-vms/vm-batch-01/report',
    ];
    for (const [i, line] of hint.slice(1).entries()) {
      const r = await run('sh', ['-c', line.trim()], { cwd: REPO });
      expect(r.stdout, line).toContain(expected[i]);
    }
  });
});

describe('runsightCommand', () => {
  it('names the CLI the way it runs where the demo ran', () => {
    expect(runsightCommand({}, 'file:///clone/src/cli/commands/demo/demo.ts')).toBe('npm run runsight --');
    const npx = 'file:///cache/_npx/1/node_modules/runsight/dist/cli/commands/demo/demo.js';
    expect(runsightCommand({ npm_command: 'exec' }, npx)).toBe('npx runsight');
    expect(
      runsightCommand({ npm_command: 'exec', npm_config_package: '/tmp/my dir/runsight-0.1.0.tgz' }, npx),
    ).toBe(`npx --package '/tmp/my dir/runsight-0.1.0.tgz' runsight`);
    expect(runsightCommand({}, 'file:///usr/lib/node_modules/runsight/dist/cli/commands/demo/demo.js')).toBe(
      'runsight',
    );
  });

  it('quotes a path for the shell only when it must', () => {
    expect(shellWord('/home/me/.runsight/demo')).toBe('/home/me/.runsight/demo');
    expect(shellWord('/tmp/a b')).toBe(`'/tmp/a b'`);
    expect(shellWord(`/tmp/it's`)).toBe(`'/tmp/it'\\''s'`);
  });
});
