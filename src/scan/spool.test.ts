// Large files are read from a temporary file, not memory (spool.ts): the Go toolchain's own `go`
// binary (over SPOOL_BYTES) read by the layer walker for both executable extractors, compared with
// what `go version -m` says; a fat jar whose outer archive and a nested jar are both over
// SPOOL_BYTES, built with the JDK's `jar`; and no temporary file left behind.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireOrSkip } from '../test-support/require-or-skip.js';
import { byteBudget } from './decompress.js';
import { goExtractor, javaExtractor, rustExtractor } from './extractors/index.js';
import { readGoBuildInfo, readGoBuildInfoFromFile } from './extractors/lang/go/buildinfo.js';
import { SPOOL_BYTES } from './spool.js';
import { buildArtifacts } from './test-support/artifacts.js';
import { buildLayer } from './test-support/layers.js';
import { DEFAULT_LIMITS } from './types.js';
import { walkLayer } from './walk-layer.js';

const GO = '/usr/lib/go-1.19/bin/go';
const works = (cmd: string, args: string[]) => {
  try {
    execFileSync(cmd, args, { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
};
const haveGo = requireOrSkip(works('go', ['version', '-m', GO]), `Debian golang-1.19 (${GO})`);
const haveJar = requireOrSkip(works('jar', ['--version']), "the JDK's jar tool");

describe('large files are read from disk', () => {
  let tmp: string;
  let savedTmpdir: string | undefined;
  beforeAll(() => {
    // Everything spool.ts creates goes here, so the test can see that it is all removed.
    tmp = mkdtempSync(join(tmpdir(), 'runsight-spool-test-'));
    savedTmpdir = process.env.TMPDIR;
  });
  afterAll(() => {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
    rmSync(tmp, { recursive: true, force: true });
  });
  const scratch = (name: string) => {
    const d = join(tmp, name);
    mkdirSync(d);
    process.env.TMPDIR = d;
    return d;
  };

  it.skipIf(!haveGo)(
    'a Go binary over the spool size: same build info as `go version -m`, from disk',
    async () => {
      const data = readFileSync(GO);
      expect(data.length).toBeGreaterThan(SPOOL_BYTES);
      // `go version -m` output: "\tpath\tcmd/go", "\tdep\tNAME\tVERSION\t…", first line "FILE: goX.Y.Z".
      const lines = execFileSync('go', ['version', '-m', GO], { encoding: 'utf8' }).split('\n');
      const goVersion = /: (go\S+)/.exec(lines[0]!)![1]!;
      const deps = lines
        .map((l) => l.trim().split('\t'))
        .filter((f) => f[0] === 'dep')
        .map((f) => `${f[1]}@${f[2]}`);
      const fromFile = await readGoBuildInfoFromFile(GO);
      expect(fromFile?.goVersion).toBe(goVersion);
      expect(fromFile?.path).toBe('cmd/go');
      expect(fromFile?.deps.map((d) => `${d.path}@${d.version}`)).toEqual(deps);
      expect(fromFile).toEqual(readGoBuildInfo(data));

      // Through the layer walker: Go and Rust both want it, so it is written once to a file.
      const dir = scratch('walk');
      const layer = await buildLayer([{ path: 'usr/local/bin/go', content: data, mode: 0o755 }], 'gzip');
      const r = await walkLayer(Readable.from([layer.blob]), {
        diffId: layer.diffId,
        extractors: [goExtractor, rustExtractor],
        limits: DEFAULT_LIMITS,
        budget: byteBudget(DEFAULT_LIMITS.maxTotalBytes),
      });
      expect(r.errors).toEqual([]);
      const go = r.records.find((x) => x.extractor === 'lang/go')!;
      expect(go.packages.filter((p) => p.name !== 'stdlib').map((p) => `${p.name}@${p.version}`)).toEqual(
        deps,
      );
      expect(go.packages.find((p) => p.name === 'stdlib')?.version).toBe(`v${goVersion.slice(2)}`);
      expect(r.records.find((x) => x.extractor === 'lang/rust')?.packages).toEqual([]);
      expect(readdirSync(dir)).toEqual([]);
    },
  );

  it.skipIf(!haveGo)(
    'a Go binary over the per-file limit is still read (only bytes() is bounded by it)',
    async () => {
      scratch('limit');
      const data = readFileSync(GO);
      const layer = await buildLayer([{ path: 'usr/local/bin/go', content: data, mode: 0o755 }], 'gzip');
      const limits = { ...DEFAULT_LIMITS, maxFileBytes: 1024 * 1024 };
      const r = await walkLayer(Readable.from([layer.blob]), {
        diffId: layer.diffId,
        extractors: [goExtractor],
        limits,
        budget: byteBudget(limits.maxTotalBytes),
      });
      expect(r.errors).toEqual([]);
      expect(r.records[0]?.packages.some((p) => p.name === 'stdlib')).toBe(true);
    },
  );

  it.skipIf(!haveJar)(
    'a fat jar over the spool size with a nested jar over it too: every identity found, no file left',
    async () => {
      const artifacts = buildArtifacts();
      const work = join(tmp, 'jar-build');
      const padded = join(work, 'padded');
      mkdirSync(join(padded, 'META-INF/maven/org.example/padded'), { recursive: true });
      writeFileSync(
        join(padded, 'META-INF/maven/org.example/padded/pom.properties'),
        'groupId=org.example\nartifactId=padded\nversion=3.1.4\n',
      );
      // Incompressible content, stored: the nested jar is larger than SPOOL_BYTES inside the fat jar.
      writeFileSync(join(padded, 'blob.bin'), randomBytes(SPOOL_BYTES + 1024 * 1024));
      const fat = join(work, 'fat');
      mkdirSync(join(fat, 'BOOT-INF/lib'), { recursive: true });
      execFileSync('jar', [
        '--create',
        '--no-compress',
        '--file',
        join(fat, 'BOOT-INF/lib/padded-3.1.4.jar'),
        '-C',
        padded,
        '.',
      ]);
      execFileSync('cp', [join(artifacts, 'greet-lib-2.4.1.jar'), join(fat, 'BOOT-INF/lib/')]);
      const jarFile = join(work, 'big.jar');
      execFileSync('jar', ['--create', '--no-compress', '--file', jarFile, '-C', fat, '.']);
      const data = readFileSync(jarFile);
      expect(data.length).toBeGreaterThan(SPOOL_BYTES);
      const dir = scratch('jar');
      // The archive is read from its file, never buffered: bytes() would fail the extraction.
      const res = await javaExtractor.extract({
        path: 'app/big.jar',
        mode: 0o644,
        size: data.length,
        bytes: () => Promise.reject(new Error('a large archive must not be buffered')),
        stream: () => Readable.from([data]),
      });
      const got = res.packages;
      expect(got.map((p) => `${p.name}@${p.version} in ${p.subPath}`).sort()).toEqual([
        'org.example:greet-lib@2.4.1 in BOOT-INF/lib/greet-lib-2.4.1.jar',
        'org.example:padded@3.1.4 in BOOT-INF/lib/padded-3.1.4.jar',
      ]);
      expect(readdirSync(dir)).toEqual([]);
    },
  );
});
