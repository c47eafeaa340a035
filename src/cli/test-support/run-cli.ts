// Runs the CLI in-process, capturing stdout, stderr and the exit code (no child process).
import { main } from '../main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json<T = unknown>(): T;
}

export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    env: { ...env },
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    stderrIsTTY: false,
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}
