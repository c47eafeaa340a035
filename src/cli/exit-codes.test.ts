// Exit codes and error lines of the CLI (docs/cli.md): bad input is exit 2 with one `runsight:` line,
// a bug is one line without a stack (the stack at --log-level debug), an unknown vulnerability id is
// an input error, and SIGINT/SIGTERM end a command with one line, exit 130/143 and a clean store.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InterruptedError } from '../core/errors.js';
import { exitCodeFor, main } from './main.js';
import { runCli } from './test-support/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'runsight-exit-'));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STACK = /\n\s+at /;

/** An HTTP server whose responses start (a zip's first bytes) and never finish. */
let slow: Server;
let slowUrl: string;
let requests = 0;
beforeAll(async () => {
  slow = createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/zip' });
    res.write('PK');
  });
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/all.zip`;
});
afterAll(async () => {
  slow.closeAllConnections();
  await new Promise((resolve) => slow.close(resolve));
  rmSync(tmp, { recursive: true, force: true });
});

async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('bad input is exit 2 with one line', () => {
  it('--database-url that is not a URL', async () => {
    const r = await runCli(['--database-url', 'not a url', 'db', 'status']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'runsight: --database-url expects a PostgreSQL URL such as postgres://user@localhost:5432/runsight (or postgresql://…); got "not a url"\n',
    );
  });

  it('DATABASE_URL of another scheme, without echoing its password', async () => {
    const r = await runCli(['db', 'status'], { DATABASE_URL: 'mysql://app:hunter2@db.example/x' });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'runsight: DATABASE_URL expects a PostgreSQL URL such as postgres://user@localhost:5432/runsight (or postgresql://…); got "mysql://app:***@db.example/x"\n',
    );
  });

  it('a NUL byte in an argument', async () => {
    const dir = join(tmp, 'nul');
    const where = await runCli(['--data-dir', dir, 'vuln', 'where', 'CVE\0x']);
    expect(where.code).toBe(2);
    expect(where.stderr).toBe(
      'runsight: argument 5 ("CVE\\u0000x") contains a NUL byte; expected text without NUL bytes\n',
    );
    const resolve = await runCli(['image', 'resolve', 'a\0b']);
    expect(resolve.code).toBe(2);
    expect(resolve.stderr).toBe(
      'runsight: argument 3 ("a\\u0000b") contains a NUL byte; expected text without NUL bytes\n',
    );
  });

  it('vuln where of an id that no advisory or finding names', async () => {
    const r = await runCli(['--data-dir', join(tmp, 'where'), 'vuln', 'where', 'CVE-2099-0001']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^runsight: no advisory or finding names "CVE-2099-0001"; check the id/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('an unexpected error', () => {
  const signal = new AbortController().signal;

  it('is one line, without a stack', () => {
    let stderr = '';
    const code = exitCodeFor(new TypeError("Cannot read properties of undefined (reading 'x')"), {
      stderr: (s) => {
        stderr += s;
      },
      signal,
    });
    expect(code).toBe(3);
    expect(stderr).toBe(
      "runsight: unexpected failure: TypeError: Cannot read properties of undefined (reading 'x')\n",
    );
  });

  it('carries its stack at --log-level debug', () => {
    let stderr = '';
    exitCodeFor(
      new TypeError('boom'),
      {
        stderr: (s) => {
          stderr += s;
        },
        signal,
      },
      true,
    );
    expect(stderr).toMatch(/^runsight: unexpected failure: TypeError: boom\nTypeError: boom\n\s+at /);
  });
});

describe('SIGINT and SIGTERM', () => {
  it('SIGINT stops a command in-process: one line, exit 130, the store closed', async () => {
    const dir = join(tmp, 'sigint');
    const controller = new AbortController();
    let stdout = '';
    let stderr = '';
    const seen = requests;
    const done = main(['--data-dir', dir, 'db', 'update', '--source', slowUrl], {
      env: {},
      stdout: (s) => {
        stdout += s;
      },
      stderr: (s) => {
        stderr += s;
      },
      stderrIsTTY: false,
      signal: controller.signal,
    });
    await until('the download to start', () => requests > seen);
    controller.abort(new InterruptedError('SIGINT'));
    expect(await done).toBe(130);
    expect(stderr).toBe('runsight: interrupted (SIGINT)\n');
    expect(stdout).toBe('');
    expect(existsSync(join(dir, 'runsight.lock'))).toBe(false);
  });

  it('SIGTERM to the real binary: one line, exit 143, no stack, the store opens cleanly after', async () => {
    const dir = join(tmp, 'sigterm');
    const seen = requests;
    const child: ChildProcess = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'src/cli/bin.ts'),
        '--data-dir',
        dir,
        'db',
        'update',
        '--source',
        slowUrl,
      ],
      { cwd: ROOT, env: { ...process.env, CI: process.env.CI ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      await until('the download to start', () => requests > seen || child.exitCode !== null);
      expect(child.exitCode, stderr).toBeNull();
      child.kill('SIGTERM');
      expect(await exited).toEqual({ code: 143, signal: null });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    expect(stderr).toBe('runsight: interrupted (SIGTERM)\n');
    expect(stderr).not.toMatch(STACK);
    expect(stdout).toBe('');
    expect(existsSync(join(dir, 'runsight.lock'))).toBe(false);
    const status = await runCli(['--data-dir', dir, '--format', 'json', 'db', 'status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.json<{ counts: { advisories: number } }>().counts.advisories).toBe(0);
  });
});
