// A run with the build's manifest loads one command file and stand-ins for the rest: its help,
// version, usage errors and exit codes must be exactly those of a run with every file loaded.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CommandManifest,
  fileFor,
  fingerprintOf,
  MANIFEST_FILE,
  readManifest,
} from './command-manifest.js';
import { COMMANDS, commandManifest, createProgram, main } from './main.js';

const manifest = await commandManifest('test');
const tmp = mkdtempSync(join(tmpdir(), 'runsight-manifest-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(argv: string[], commands: CommandManifest | undefined, env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(
    argv,
    {
      env,
      stdout: (s) => {
        stdout += s;
      },
      stderr: (s) => {
        stderr += s;
      },
      stderrIsTTY: false,
      signal: new AbortController().signal,
    },
    commands,
  );
  return { code, stdout, stderr };
}

const fileOf = (argv: string[]) =>
  fileFor(manifest, argv, createProgram({ stdout: () => {}, stderr: () => {} }));

describe('command manifest', () => {
  it('lists every command with the file that registers it', () => {
    const paths = manifest.nodes.map((n) => n.path.join(' '));
    expect(paths).toContain('db status');
    expect(paths).toContain('inventory collect kubernetes');
    expect(manifest.nodes.find((n) => n.path.join(' ') === 'db')?.owner).toBeNull(); // three files add to it
    const owners = new Set(manifest.nodes.flatMap((n) => (n.owner === null ? [] : [n.owner])));
    expect(owners.size).toBe(COMMANDS.length);
  });

  it('finds the file a command line runs, as commander dispatches it', () => {
    const status = fileOf(['db', 'status']);
    expect(status).toBeDefined();
    expect(fileOf(['--data-dir', 'db', 'db', 'status'])).toBe(status); // an option's value is not a command
    expect(fileOf(['--format=json', 'db', 'status', '--bogus'])).toBe(status);
    expect(fileOf(['db', 'help', 'status'])).toBe(status);
    const scan = fileOf(['scan', 'nginx:1']);
    expect(fileOf(['help', 'scan'])).toBe(scan);
    expect(scan).not.toBe(status);
    for (const argv of [
      [],
      ['--help'],
      ['-V'],
      ['db'],
      ['db', '--help'],
      ['bogus'],
      ['--bogus', 'scan'],
      ['--', 'scan'],
    ])
      expect(fileOf(argv), argv.join(' ')).toBeUndefined();
  });

  it('help, version, usage errors and exit codes read as with every command file loaded', async () => {
    const lines = [
      [],
      ['--help'],
      ['help'],
      ['-V'],
      ['db'],
      ['db', '--help'],
      ['image', '--help'],
      ['help', 'scan'],
      ['scan', '--help'],
      ['db', 'status', '--help'],
      ['db', 'help', 'update'],
      ['inventory', 'collect', '--help'],
      ['import', '--help'],
      ['no-such-command'],
      ['db', 'no-such'],
      ['--format', 'xml', 'db', 'status'],
      ['posture', '--bogus'],
      ['vuln', 'where'],
      ['--help', 'scan'],
      ['--', 'vuln', 'where'], // not resolved up front: the stand-in is reached and all files load
    ];
    // None of them runs a command: no store is opened (a data dir that must not appear).
    const env = { RUNSIGHT_DATA_DIR: join(tmp, 'never') };
    for (const argv of lines) {
      const all = await run(argv, undefined, env);
      const lazy = await run(argv, manifest, env);
      expect(lazy, argv.join(' ')).toEqual(all);
    }
    expect((await run(['--help'], manifest)).stdout).toContain('workload');
    expect(existsSync(env.RUNSIGHT_DATA_DIR)).toBe(false);
  });

  it('is used only while it matches the built files', () => {
    const dir = join(tmp, 'dist-cli');
    mkdirSync(join(dir, 'commands', 'db'), { recursive: true });
    writeFileSync(join(dir, 'main.js'), 'export {};\n');
    writeFileSync(join(dir, 'commands', 'db', 'status.js'), 'export const a = 1;\n');
    const mainUrl = pathToFileURL(join(dir, 'main.js')).href;
    expect(readManifest(mainUrl)).toBeUndefined(); // none written yet
    writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify({ ...manifest, fingerprint: fingerprintOf(dir) }));
    expect(readManifest(mainUrl)?.nodes).toEqual(manifest.nodes);
    writeFileSync(join(dir, 'commands', 'db', 'status.js'), 'export const a = 2;\n'); // rebuilt without it
    expect(readManifest(mainUrl)).toBeUndefined();
    expect(readManifest(pathToFileURL(join(dir, 'main.ts')).href)).toBeUndefined(); // from source
  });
});
