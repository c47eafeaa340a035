#!/usr/bin/env node
// Entry point of the `runsight` binary. The first SIGINT/SIGTERM aborts the command's AbortSignal:
// the command stops, closes the store and ends with `runsight: interrupted (SIG…)`, exit 130/143
// (a watch ends normally on it, with its summary). A second one exits at once. Only the command
// named is loaded (main.ts); on Node 22+ compiled modules are cached between runs (Node's own
// compile cache, off with NODE_DISABLE_COMPILE_CACHE=1).
import module from 'node:module';
import v8 from 'node:v8';
import { WASM_TIERING_FLAG } from './wasm-tiering.js';

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// A larger WebAssembly tiering budget (wasm-tiering.ts), set before any module is compiled; the
// flag exists in the V8 of every Node in package.json's engines.
if (/^v(20|22|24)\./.test(process.version)) v8.setFlagsFromString(WASM_TIERING_FLAG);
const { InterruptedError } = await import('../core/errors.js');
const { main } = await import('./main.js');

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
