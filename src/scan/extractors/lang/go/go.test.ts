import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildArtifacts } from '../../../test-support/artifacts.js';
import { extractFile } from '../../../test-support/expected.js';
import { goExtractor } from './go.js';

describe('lang/go', () => {
  let dir: string;
  beforeAll(() => {
    dir = buildArtifacts();
  });

  it('reads main module, replaced dependency and Go version like `go version -m`', async () => {
    const bin = join(dir, 'hello-go');
    const got = await extractFile(goExtractor, 'usr/local/bin/hello-go', readFileSync(bin), 0o755);
    const m = execFileSync('go', ['version', '-m', bin], { encoding: 'utf8' });
    const goVersion = /: go(\S+)/.exec(m)![1];
    expect(m).toContain('=>\t../greet');
    expect(
      m
        .split('\n')
        .filter((l) => /^\s+dep\s/.test(l))
        .map((l) => l.trim().split(/\s+/)[1]),
    ).toEqual(['example.com/greet']);
    expect(got).toEqual([
      expect.objectContaining({
        name: 'example.com/app',
        version: '(devel)',
        // The main module depends on every module `go version -m` lists as dep, and on stdlib.
        meta: { main: true, depends: 'example.com/greet,stdlib' },
      }),
      expect.objectContaining({
        name: 'example.com/greet',
        version: 'v1.4.2',
        meta: { replacedBy: '../greet' },
      }),
      expect.objectContaining({ name: 'stdlib', version: `v${goVersion}` }),
    ]);
  });

  it('ignores ELF files that are not Go binaries and small scripts', async () => {
    const got = await extractFile(goExtractor, 'usr/bin/ls', readFileSync('/usr/bin/ls'), 0o755);
    expect(got).toEqual([]);
    expect(goExtractor.fileRequired({ path: 'usr/bin/x.sh', mode: 0o755, size: 300 })).toBe(false);
    expect(goExtractor.fileRequired({ path: 'usr/share/x', mode: 0o644, size: 30000 })).toBe(false);
  });
});
