// Local image sources over real OCI layouts (regclient testdata/testrepo, go-containerregistry
// pkg/v1/layout/testdata): tags, multi-arch selection, nested indexes, verified blob streams, and an
// OCI archive (tar of the layout) and a docker-save archive made from them by `tar` and `skopeo copy`.
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf, readAll } from '../digest-stream.js';
import {
  BlobSizeError,
  DigestMismatchError,
  ImageSourceError,
  InvalidReferenceError,
  ManifestUnknownError,
  PlatformNotFoundError,
  UnsupportedMediaTypeError,
} from '../errors.js';
import { openImageSource, sourceKind } from '../open-image-source.js';

const TD = fileURLToPath(new URL('../../../testdata/identity/', import.meta.url));
const TESTREPO = join(TD, 'regclient-testrepo');
const GGCR = join(TD, 'go-containerregistry-layout/test_index');
const V1_INDEX = 'sha256:7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa';
const V1_AMD64 = 'sha256:1effc9d48232693f4584ceb9c5e8d84ddeb5924ea4aff341aa8204510422f668';
const V1_ARM64 = 'sha256:7e87ffc91b9ceafa85be2777b16b1be10e4664fd4f3acc86e4295b97da5163ba';
const V1_AMD64_CONFIG = 'sha256:03d7b3c657a4af5b4ff7967bf843d04a93008f28d658a7df3f679b2c7e519639';
const LAYER = 'sha256:ac4ae1712ec852391e6aae58abf8ff4665df9ae87c71d1e81aa421508a7b831d';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'runsight-local-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writableCopy(src: string, name: string): string {
  const dst = join(tmp, name);
  cpSync(src, dst, { recursive: true });
  execFileSync('chmod', ['-R', 'u+w', dst]);
  return dst;
}

describe('oci: layout directory', () => {
  it('resolves a tag to its index and the default linux/amd64 manifest', async () => {
    const img = await (await openImageSource(`oci:${TESTREPO}:v1`)).resolve();
    expect(img.digest).toBe(V1_INDEX);
    expect(img.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(img.tag).toBe('v1');
    expect(img.platforms).toHaveLength(1);
    const p = img.platforms[0]!;
    expect(p.digest).toBe(V1_AMD64);
    expect(p.configDigest).toBe(V1_AMD64_CONFIG);
    expect(p.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(p.layers.map((l) => l.digest)).toEqual([
      LAYER,
      'sha256:5fcd3f90f6c7214b2f48d998385f38dd9f047fd219f03255f3c823c0e93f630a',
    ]);
    expect(p.layers[0]!.diffId).toBe(
      'sha256:d619c4d83d9147229dc5eb5b2c4c8554bb7843e7ccf0f5c8685283f47bba0475',
    );
    // Attestation/builder entries are not children.
    expect(img.children?.map((c) => c.digest)).toEqual([V1_AMD64, V1_ARM64]);
  });

  it('selects arm64 and all platforms on request', async () => {
    const src = await openImageSource(`oci:${TESTREPO}:v1`);
    const arm = await src.resolve({ platform: { os: 'linux', architecture: 'aarch64' } });
    expect(arm.platforms.map((p) => p.digest)).toEqual([V1_ARM64]);
    const all = await src.resolve({ platform: 'all' });
    expect(all.platforms.map((p) => `${p.platform.os}/${p.platform.architecture}`)).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);
    await expect(src.resolve({ platform: { os: 'linux', architecture: 's390x' } })).rejects.toThrow(
      PlatformNotFoundError,
    );
  });

  it('resolves by digest and a single-platform manifest', async () => {
    const img = await (await openImageSource(`oci:${TESTREPO}@${V1_AMD64}`)).resolve();
    expect(img.digest).toBe(V1_AMD64);
    expect(img.platforms).toHaveLength(1);
    expect(img.children).toBeUndefined();
  });

  it('reads the Docker schema 2 manifest and the nested index of go-containerregistry', async () => {
    const one = await (await openImageSource(`oci:${GGCR}:1`)).resolve();
    expect(one.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(one.platforms[0]!.configDigest).toBe(
      'sha256:6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e',
    );
    const nested = await (await openImageSource(`oci:${GGCR}:3`)).resolve();
    expect(nested.digest).toBe('sha256:05f95b26ed10668b7183c1e2da98610e91372fa9f510046d4ce5812addad86b5');
    expect(nested.platforms[0]!.digest).toBe(
      'sha256:eebff607b1628d67459b0596643fc07de70d702eccf030f0bc7bb6fc2b278650',
    );
  });

  it('rejects artifacts (builder manifests) as not runnable images', async () => {
    await expect((await openImageSource(`oci:${TESTREPO}:a-docker`)).resolve()).rejects.toThrow(
      UnsupportedMediaTypeError,
    );
  });

  it('names the available tags for an unknown tag, and needs a tag when there are several', async () => {
    await expect((await openImageSource(`oci:${TESTREPO}:nope`)).resolve()).rejects.toThrow(
      /no image tagged "nope".*v1/,
    );
    await expect((await openImageSource(`oci:${TESTREPO}`)).resolve()).rejects.toThrow(ImageSourceError);
    await expect((await openImageSource(`oci:${tmp}/missing:1`)).resolve()).rejects.toThrow(
      /not an OCI image layout/,
    );
  });

  it('streams blobs verified against their digest', async () => {
    const src = await openImageSource(`oci:${TESTREPO}:v1`);
    const bytes = await readAll(await src.openBlob(LAYER, { expectedSize: 106 }));
    expect(bytes.length).toBe(106);
    expect(digestOf(bytes)).toBe(LAYER);
  });

  it('errors the stream on a tampered blob and on a truncated blob', async () => {
    const dir = writableCopy(TESTREPO, 'tampered');
    const path = join(dir, 'blobs/sha256', LAYER.slice(7));
    chmodSync(path, 0o644);
    const original = (await import('node:fs')).readFileSync(path);
    const changed = Buffer.from(original);
    changed[50] = changed[50]! ^ 0xff;
    writeFileSync(path, changed);
    const src = await openImageSource(`oci:${dir}:v1`);
    await expect(readAll(await src.openBlob(LAYER, { expectedSize: 106 }))).rejects.toThrow(
      DigestMismatchError,
    );
    writeFileSync(path, original);
    truncateSync(path, 60);
    await expect(readAll(await src.openBlob(LAYER, { expectedSize: 106 }))).rejects.toThrow(BlobSizeError);
    // A tampered config fails resolution itself.
    const cfg = join(dir, 'blobs/sha256', V1_AMD64_CONFIG.slice(7));
    chmodSync(cfg, 0o644);
    const cfgBytes = (await import('node:fs')).readFileSync(cfg);
    cfgBytes[cfgBytes.indexOf('amd64')] = 'A'.charCodeAt(0);
    writeFileSync(cfg, cfgBytes);
    await expect(src.resolve()).rejects.toThrow(DigestMismatchError);
  });
});

describe('oci-archive: and docker-archive:', () => {
  it('reads an OCI archive made with tar, streaming members in place', async () => {
    const file = join(tmp, 'testrepo.tar');
    execFileSync('tar', ['-cf', file, '-C', TESTREPO, '.']);
    const src = await openImageSource(`oci-archive:${file}:v1`);
    const img = await src.resolve({ platform: 'all' });
    expect(img.digest).toBe(V1_INDEX);
    expect(img.platforms.map((p) => p.digest)).toEqual([V1_AMD64, V1_ARM64]);
    expect(digestOf(await readAll(await src.openBlob(LAYER)))).toBe(LAYER);
  });

  it('rejects a gzip archive with advice', async () => {
    const file = join(tmp, 'testrepo.tar.gz');
    execFileSync('tar', ['-czf', file, '-C', TESTREPO, '.']);
    await expect(openImageSource(`oci-archive:${file}`)).rejects.toThrow(/gzip-compressed/);
  });

  it('reads a docker-save archive written by skopeo', async (ctx) => {
    const file = join(tmp, 'app.tar');
    try {
      execFileSync(
        'skopeo',
        ['copy', '-q', `oci:${TESTREPO}:v1`, `docker-archive:${file}:example.com/app:v1`],
        { stdio: 'pipe' },
      );
    } catch (err) {
      if (process.env.CI === 'true') throw err;
      ctx.skip();
    }
    const src = await openImageSource(`docker-archive:${file}:example.com/app:v1`);
    const img = await src.resolve();
    expect(img.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const p = img.platforms[0]!;
    // The config digest (Docker image ID) is the same content as in the OCI layout.
    expect(p.configDigest).toBe(V1_AMD64_CONFIG);
    expect(p.layers.map((l) => l.diffId)).toEqual([
      'sha256:d619c4d83d9147229dc5eb5b2c4c8554bb7843e7ccf0f5c8685283f47bba0475',
      'sha256:3a904016e626ab65cf5b0924b39c1a8d20ea027715c2df5ad120601ed8437678',
    ]);
    for (const l of p.layers)
      expect(digestOf(await readAll(await src.openBlob(l.digest, { expectedSize: l.size })))).toBe(l.digest);
    await expect((await openImageSource(`docker-archive:${file}:other:v1`)).resolve()).rejects.toThrow(
      ManifestUnknownError,
    );
    // The same image by position.
    expect(
      (await (await openImageSource(`docker-archive:${file}:@0`)).resolve()).platforms[0]!.configDigest,
    ).toBe(V1_AMD64_CONFIG);
  });
});

describe('openImageSource', () => {
  it('tells transports apart and validates registry references', async () => {
    expect(sourceKind('oci:/x')).toBe('oci');
    expect(sourceKind('oci-archive:/x.tar')).toBe('oci-archive');
    expect(sourceKind('docker-archive:/x.tar')).toBe('docker-archive');
    expect(sourceKind('nginx:1')).toBe('registry');
    await expect(openImageSource('Nginx:1')).rejects.toThrow(InvalidReferenceError);
  });
});
