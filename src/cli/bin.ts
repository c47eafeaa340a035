#!/usr/bin/env node
// Entry point of the `runsight` binary. The first SIGINT/SIGTERM aborts the command's AbortSignal:
// the command stops, closes the store and ends with `runsight: interrupted (SIG…)`, exit 130/143
// (a watch ends normally on it, with its summary). A second one exits at once.
import { InterruptedError } from '../core/errors.js';
import { main } from './main.js';

const controller = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    const reason = new InterruptedError(sig);
    if (controller.signal.aborted) {
      process.stderr.write(`runsight: ${reason.message} again; exiting without waiting for the store\n`);
      process.exit(reason.exitCode);
    }
    controller.abort(reason);
  });
}

const code = await main(process.argv.slice(2), {
  env: process.env,
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  signal: controller.signal,
});
process.exitCode = code;
