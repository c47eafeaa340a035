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
