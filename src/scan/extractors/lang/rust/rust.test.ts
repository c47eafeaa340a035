import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { extractFile, fixture } from '../../../test-support/expected.js';
import { rustExtractor } from './rust.js';

describe('lang/rust', () => {
  it('Cargo.lock lists every locked crate (trivy cargo fixture)', async () => {
    const got = await extractFile(
      rustExtractor,
      'src/app/Cargo.lock',
      fixture('trivy-repo/cargo/Cargo.lock'),
    );
    // reports/trivy/cargo.lock.json.golden lists these seven; trivy drops the three winapi crates
    // because Cargo.toml names winapi a dev-dependency — an image scan sees only the lockfile.
    const golden = [
      'app@0.1.0',
      'memchr@1.0.2',
      'regex@1.7.3',
      'aho-corasick@0.7.20',
      'libc@0.2.171',
      'memchr@2.7.4',
      'regex-syntax@0.6.29',
    ];
    const dev = ['winapi@0.3.9', 'winapi-i686-pc-windows-gnu@0.4.0', 'winapi-x86_64-pc-windows-gnu@0.4.0'];
    expect(got.map((p) => `${p.name}@${p.version}`).sort()).toEqual([...golden, ...dev].sort());
  });
});

describe('lang/rust cargo-auditable', () => {
  it('reads the .dep-v0 section of an ELF binary (section added with objcopy)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runsight-auditable-'));
    try {
      const json = readFileSync(
        new URL('../../../../../testdata/scan/rust/audit-data.json', import.meta.url),
      );
      writeFileSync(join(dir, 'dep-v0'), deflateSync(json));
      copyFileSync('/usr/bin/ls', join(dir, 'ls'));
      execFileSync('objcopy', [
        '--add-section',
        `.dep-v0=${join(dir, 'dep-v0')}`,
        join(dir, 'ls'),
        join(dir, 'ls-audited'),
      ]);
      const got = await extractFile(
        rustExtractor,
        'usr/bin/hello-rs',
        readFileSync(join(dir, 'ls-audited')),
        0o755,
      );
      // Build-time crates (kind "build") are not in the binary.
      expect(got.map((p) => `${p.name}@${p.version}`)).toEqual([
        'hello-rs@0.3.0',
        'itoa@1.0.9',
        'serde@1.0.188',
      ]);
      expect(await extractFile(rustExtractor, 'usr/bin/ls', readFileSync('/usr/bin/ls'), 0o755)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
