// Test support: the real `runsight` CLI as a child process (from source, through tsx), with its
// output collected, and a wait for a line it prints — for the tests of long-running commands
// (`serve`, `demo --serve`) that then talk to it and stop it with a signal.
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');

export interface SpawnedCli {
  child: ChildProcess;
  /** The exit code (null when ended by a signal). */
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

export function spawnCli(args: string[]): SpawnedCli {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => {
    stdout += b.toString();
  });
  child.stderr!.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** Waits until stdout matches `pattern`; kills the child and throws when it exits or `ms` pass first. */
export async function waitForOutput(cli: SpawnedCli, pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = pattern.exec(cli.stdout());
    if (m) return m;
    if (cli.child.exitCode !== null || Date.now() > deadline) {
      cli.child.kill('SIGKILL');
      throw new Error(`no ${pattern} from runsight (exit ${cli.child.exitCode}): ${cli.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
