import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { WASM_TIERING_FLAG } from './wasm-tiering.js';

describe('the CLI WebAssembly tiering budget', () => {
  it('is a flag the running V8 knows (an unknown one prints "unrecognized flag" on stderr)', () => {
    const r = spawnSync(
      process.execPath,
      ['-e', `require('node:v8').setFlagsFromString(${JSON.stringify(WASM_TIERING_FLAG)})`],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    // The control: a flag V8 does not know is reported there.
    const bad = spawnSync(
      process.execPath,
      ['-e', "require('node:v8').setFlagsFromString('--wasm-no-such-budget=1')"],
      {
        encoding: 'utf8',
      },
    );
    expect(bad.stderr).toContain('unrecognized flag');
  });
});
