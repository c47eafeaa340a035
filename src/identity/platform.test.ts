// Platform selection against real manifest lists and indexes (testdata/identity, from
// containers/image internal/manifest/testdata and regclient testdata/testrepo) and the choices
// their upstream tests expect (list_test.go TestChooseInstance, oci_index_test.go).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import type { Platform } from '../core/types.js';
import { normalisePlatform, parsePlatform, runnableEntries, selectPlatform } from './platform.js';
import { indexSchema } from './schema.js';

const TD = new URL('../../testdata/identity/', import.meta.url);
function entries(path: string) {
  return indexSchema.parse(JSON.parse(readFileSync(new URL(path, TD), 'utf8'))).manifests;
}
const p = (os: string, architecture: string, variant?: string): Platform => ({ os, architecture, variant });

describe('selectPlatform on real indexes', () => {
  it.each([
    [
      'schema2list.json',
      p('linux', 'amd64'),
      'sha256:030fcb92e1487b18c974784dcc110a93147c9fc402188370fbfd17efabffc6af',
    ],
    [
      'schema2list.json',
      p('linux', 'x86_64'),
      'sha256:030fcb92e1487b18c974784dcc110a93147c9fc402188370fbfd17efabffc6af',
    ],
    [
      'schema2list.json',
      p('linux', 's390x'),
      'sha256:e5aa1b0a24620228b75382997a0977f609b3ca3a95533dafdef84c74cc8df642',
    ],
    [
      'schema2list.json',
      p('linux', 'arm', 'v7'),
      'sha256:b5dbad4bdb4444d919294afe49a095c23e86782f98cdf0aa286198ddb814b50b',
    ],
    [
      'schema2list.json',
      p('linux', 'arm64'),
      'sha256:dc472a59fb006797aa2a6bfb54cc9c57959bb0a6d11fadaa608df8c16dea39cf',
    ],
    [
      'schema2list.json',
      p('linux', 'aarch64'),
      'sha256:dc472a59fb006797aa2a6bfb54cc9c57959bb0a6d11fadaa608df8c16dea39cf',
    ],
    [
      'schema2list.json',
      p('linux', 'arm64', 'v8'),
      'sha256:dc472a59fb006797aa2a6bfb54cc9c57959bb0a6d11fadaa608df8c16dea39cf',
    ],
    [
      'schema2list.json',
      p('linux', 'i386'),
      'sha256:9a33b9909e56b0a2092a65fb1b79ef6717fa160b1f084476b860418780e8d53b',
    ],
    [
      'schema2list-variants.json',
      p('linux', 'amd64'),
      'sha256:59eec8837a4d942cc19a52b8c09ea75121acc38114a2c68b98983ce9356b8610',
    ],
    [
      'schema2list-variants.json',
      p('linux', 'arm', 'v7'),
      'sha256:f365626a556e58189fc21d099fc64603db0f440bff07f77c740989515c544a39',
    ],
    [
      'schema2list-variants.json',
      p('linux', 'arm', 'v6'),
      'sha256:f365626a556e58189fc21d099fc64603db0f440bff07f77c740989515c544a39',
    ],
    [
      'schema2list-variants.json',
      p('linux', 'arm', 'v5'),
      'sha256:c84b0a3a07b628bc4d62e5047d0f8dff80f7c00979e1e28a821a033ecda8fe53',
    ],
    [
      'schema2list-variants.json',
      p('linux', 'arm'),
      'sha256:c84b0a3a07b628bc4d62e5047d0f8dff80f7c00979e1e28a821a033ecda8fe53',
    ],
    [
      'schema2list-variants.json',
      p('linux', 'arm', 'unrecognized-present'),
      'sha256:bcf9771c0b505e68c65440474179592ffdfa98790eb54ffbf129969c5e429990',
    ],
    [
      'schema2list-variants.json',
      p('linux', 'arm', 'unrecognized-not-present'),
      'sha256:c84b0a3a07b628bc4d62e5047d0f8dff80f7c00979e1e28a821a033ecda8fe53',
    ],
    [
      'oci1index.json',
      p('linux', 'amd64'),
      'sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270',
    ],
    [
      'oci1index.json',
      p('linux', 'ppc64le'),
      'sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f',
    ],
    ['ocilist-variants.json', p('linux', 'arm', 'v7'), `sha256:${'e'.repeat(64)}`],
    ['ocilist-variants.json', p('linux', 'arm', 'v6'), `sha256:${'d'.repeat(64)}`],
    ['oci1.index.zstd-selection.json', p('linux', 'amd64'), `sha256:${'a'.repeat(64)}`],
    ['oci1.index.zstd-selection.json', p('linux', 'arm64'), `sha256:${'c'.repeat(64)}`],
    ['oci1.index.zstd-selection.json', p('linux', 's390x'), `sha256:${'e'.repeat(64)}`],
  ])('%s: %o → %s', (file, wanted, digest) => {
    expect(selectPlatform(entries(`containers-image/${file}`), wanted)?.digest).toBe(digest);
  });

  it('finds no match for an unknown architecture or OS', () => {
    expect(
      selectPlatform(entries('containers-image/schema2list.json'), p('linux', 'mips64')),
    ).toBeUndefined();
    expect(
      selectPlatform(entries('containers-image/schema2list.json'), p('windows', 'amd64')),
    ).toBeUndefined();
  });

  it('skips buildkit attestation/builder entries (unknown/unknown, vnd.docker.reference.type)', () => {
    const v1 = entries(
      'regclient-testrepo/blobs/sha256/7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa',
    );
    expect(v1).toHaveLength(4);
    const runnable = runnableEntries(v1);
    expect(runnable.map((d) => d.platform?.architecture)).toEqual(['amd64', 'arm64']);
    expect(selectPlatform(v1, p('unknown', 'unknown'))).toBeUndefined();
    expect(selectPlatform(v1, p('linux', 'arm64'))?.digest).toBe(
      'sha256:7e87ffc91b9ceafa85be2777b16b1be10e4664fd4f3acc86e4295b97da5163ba',
    );
  });

  it('matches Windows entries on os.version build', () => {
    const win = [
      {
        digest: `sha256:${'1'.repeat(64)}`,
        size: 1,
        platform: { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.5329' },
      },
      {
        digest: `sha256:${'2'.repeat(64)}`,
        size: 1,
        platform: { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.2227' },
      },
    ];
    expect(
      selectPlatform(win, { os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.1000' })?.digest,
    ).toBe(`sha256:${'2'.repeat(64)}`);
    expect(
      selectPlatform(win, { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763.5329' })?.digest,
    ).toBe(`sha256:${'1'.repeat(64)}`);
    expect(
      selectPlatform(win, { os: 'windows', architecture: 'amd64', osVersion: '10.0.14393.1' }),
    ).toBeUndefined();
    expect(selectPlatform(win, { os: 'windows', architecture: 'amd64' })?.digest).toBe(
      `sha256:${'1'.repeat(64)}`,
    );
  });
});

describe('platform names', () => {
  it.each([
    ['linux/x86_64', { os: 'linux', architecture: 'amd64' }],
    ['linux/aarch64', { os: 'linux', architecture: 'arm64' }],
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64' }],
    ['linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['linux/armhf', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['Linux/AMD64', { os: 'linux', architecture: 'amd64' }],
    ['windows/amd64:10.0.17763.1', { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763.1' }],
  ])('%s', (s, expected) => {
    expect(parsePlatform(s)).toEqual(expected);
  });

  it('rejects malformed platforms', () => {
    expect(() => parsePlatform('linux')).toThrow(UsageError);
    expect(() => parsePlatform('linux/arm/v7/x')).toThrow(UsageError);
  });

  it('drops baseline variants', () => {
    expect(normalisePlatform({ os: 'linux', architecture: 'amd64', variant: 'v1' })).toEqual({
      os: 'linux',
      architecture: 'amd64',
    });
  });
});
