// The `registry:` config keys reach every registry-facing command as transfer limits, with the
// durations in milliseconds; an invalid value is a config error.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContext } from './context.js';
import { runCli } from './test-support/run-cli.js';

function configFile(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'runsight-registry-config-')), 'runsight.yaml');
  writeFileSync(file, yaml, { mode: 0o600 });
  return file;
}

const io = {
  env: {},
  stdout: () => {},
  stderr: () => {},
  stderrIsTTY: false,
  signal: new AbortController().signal,
};

describe('registry transfer limits from the config', () => {
  it('blobTimeout, minThroughput and throughputWindow become the registry options', () => {
    const config = configFile(
      'registry:\n  blobTimeout: 2m\n  minThroughput: 4096\n  throughputWindow: 45s\n',
    );
    const ctx = createContext({ format: 'json', logLevel: 'warn', insecureRegistry: [], config }, io);
    expect(ctx.registryOptions).toMatchObject({
      blobTimeoutMs: 120_000,
      minThroughput: 4096,
      throughputWindowMs: 45_000,
    });
  });

  it('unset keys leave the client defaults', () => {
    const ctx = createContext({ format: 'json', logLevel: 'warn', insecureRegistry: [] }, io);
    expect(ctx.registryOptions).toMatchObject({
      blobTimeoutMs: undefined,
      minThroughput: undefined,
      throughputWindowMs: undefined,
    });
  });

  it('a value that is not a duration is a config error (exit 2)', async () => {
    const config = configFile('registry:\n  blobTimeout: soon\n');
    const r = await runCli(['--config', config, 'db', 'status']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/registry\.blobTimeout|blobTimeout/);
  });
});
