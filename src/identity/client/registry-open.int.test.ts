// Integration: the registry client and RegistrySource against a real docker-registry (open), with
// images built by umoci and pushed by skopeo; every digest checked against `skopeo inspect --raw`.
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestOf, readAll } from '../digest-stream.js';
import { ManifestUnknownError, RegistryUnavailableError, RepositoryUnknownError } from '../errors.js';
import { openImageSource } from '../open-image-source.js';
import { type BuiltImage, buildAndPush, imageToolsAvailable } from '../test-support/build-image.js';
import { freePort, startRegistry, type TestRegistry } from '../test-support/registry-server.js';
import { RegistryClient } from './registry-client.js';
import { headTagDigest } from './registry-source.js';

let reg: TestRegistry | undefined;
let single: BuiltImage;
let multi: BuiltImage;

beforeAll(async () => {
  if (!(await imageToolsAvailable())) return;
  reg = await startRegistry();
  if (!reg) return;
  single = await buildAndPush({
    registry: reg.host,
    repository: 'team/app',
    tag: '1.0',
    platforms: [
      {
        os: 'linux',
        architecture: 'amd64',
        layers: [
          { files: { 'etc/os-release': 'ID=test\nVERSION_ID=1\n' } },
          { files: { 'usr/bin/app': 'binary\n' } },
        ],
      },
    ],
  });
  multi = await buildAndPush({
    registry: reg.host,
    repository: 'team/multi',
    tag: 'v1',
    platforms: [
      { os: 'linux', architecture: 'amd64', layers: [{ files: { 'a.txt': 'amd64\n' } }] },
      { os: 'linux', architecture: 'arm64', variant: 'v8', layers: [{ files: { 'a.txt': 'arm64\n' } }] },
      {
        os: 'linux',
        architecture: 'arm',
        variant: 'v7',
        layers: [{ files: { 'a.txt': 'armv7\n' } }, { files: { 'b.txt': 'b\n' } }],
      },
    ],
  });
}, 180_000);
afterAll(async () => {
  await reg?.stop();
});

describe('registry client against docker-registry (open)', () => {
  it('resolves a single-platform tag to the digest skopeo reports', async (ctx) => {
    if (!reg) return ctx.skip();
    const src = await openImageSource(`${reg.host}/team/app:1.0`, { insecureRegistries: [reg.host] });
    const img = await src.resolve();
    expect(img.registry).toBe(reg.host);
    expect(img.repository).toBe('team/app');
    expect(img.tag).toBe('1.0');
    expect(img.digest).toBe(single.digest);
    expect(img.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(img.platforms).toHaveLength(1);
    const p = img.platforms[0]!;
    expect(p.digest).toBe(single.manifests[0]!.digest);
    expect(p.configDigest).toBe(single.manifests[0]!.configDigest);
    expect(p.layers.map((l) => l.digest)).toEqual(single.manifests[0]!.layers.map((l) => l.digest));
    expect(p.layers.map((l) => l.diffId)).toEqual(single.manifests[0]!.diffIds);
    // Blobs stream and verify; each layer is a complete tar holding just its own files.
    const files: string[][] = [];
    for (const l of p.layers) {
      const bytes = await readAll(await src.openBlob(l.digest, { expectedSize: l.size }));
      expect(digestOf(bytes)).toBe(l.digest);
      const tar = gunzipSync(bytes);
      expect(digestOf(tar)).toBe(l.diffId);
      files.push(await tarNames(tar));
    }
    expect(files).toEqual([
      ['.', 'etc/', 'etc/os-release'],
      ['.', 'usr/', 'usr/bin/', 'usr/bin/app'],
    ]);
  });

  it('resolves an index assembled and pushed with skopeo --all, per platform and all', async (ctx) => {
    if (!reg) return ctx.skip();
    const opts = { insecureRegistries: [reg.host] };
    const src = await openImageSource(`${reg.host}/team/multi:v1`, opts);
    const def = await src.resolve();
    expect(def.digest).toBe(multi.digest);
    expect(def.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(def.platforms.map((p) => p.digest)).toEqual([multi.manifests[0]!.digest]);
    const arm = await src.resolve({ platform: { os: 'linux', architecture: 'arm', variant: 'v8' } });
    expect(arm.platforms[0]!.digest).toBe(multi.manifests[2]!.digest);
    expect(arm.platforms[0]!.platform).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    const all = await src.resolve({ platform: 'all' });
    expect(all.platforms.map((p) => [p.digest, p.configDigest])).toEqual(
      multi.manifests.map((m) => [m.digest, m.configDigest]),
    );
    // By digest: the index and one child.
    const byDigest = await (
      await openImageSource(`${reg.host}/team/multi@${multi.manifests[1]!.digest}`, opts)
    ).resolve();
    expect(byDigest.digest).toBe(multi.manifests[1]!.digest);
    expect(byDigest.platforms[0]!.platform.architecture).toBe('arm64');
  });

  it('HEADs, lists tags and the catalog with Link pagination', async (ctx) => {
    if (!reg) return ctx.skip();
    const client = new RegistryClient(reg.host, { insecureRegistries: [reg.host] });
    await client.ping();
    const head = await client.headManifest('team/multi', 'v1');
    expect(head.digest).toBe(multi.digest);
    expect(await headTagDigest(`${reg.host}/team/app:1.0`, { insecureRegistries: [reg.host] })).toEqual({
      digest: single.digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    });
    expect(await client.catalog({ pageSize: 1 })).toEqual(['team/app', 'team/multi']);
    expect(await client.listTags('team/app', { pageSize: 1 })).toEqual(['1.0']);
  });

  it('tells an unknown tag from an unknown repository', async (ctx) => {
    if (!reg) return ctx.skip();
    const opts = { insecureRegistries: [reg.host] };
    const tag = (await openImageSource(`${reg.host}/team/app:nope`, opts)).resolve();
    await expect(tag).rejects.toThrow(ManifestUnknownError);
    await expect(tag).rejects.toThrow(/it has 1\.0/);
    await expect((await openImageSource(`${reg.host}/team/none:1`, opts)).resolve()).rejects.toThrow(
      RepositoryUnknownError,
    );
    const client = new RegistryClient(reg.host, { insecureRegistries: [reg.host] });
    await expect(client.headManifest('team/app', 'nope')).rejects.toThrow(ManifestUnknownError);
    await expect(client.headManifest('team/none', 'nope')).rejects.toThrow(RepositoryUnknownError);
  });

  it('refuses plain HTTP unless the registry is named insecure, and reports a registry that is down', async (ctx) => {
    if (!reg) return ctx.skip();
    await expect(
      (await openImageSource(`${reg.host}/team/app:1.0`, { retry: { retries: 0 } })).resolve(),
    ).rejects.toThrow(/insecure-registry/);
    const port = await freePort();
    const down = (
      await openImageSource(`127.0.0.1:${port}/x:1`, {
        insecureRegistries: [`127.0.0.1:${port}`],
        retry: { retries: 1, baseDelayMs: 10 },
      })
    ).resolve();
    await expect(down).rejects.toThrow(RegistryUnavailableError);
    await expect(down).rejects.toThrow(/ECONNREFUSED/);
  });
});

async function tarNames(tar: Buffer): Promise<string[]> {
  const names: string[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, stream, next) => {
      names.push(h.name.replace(/^\.?\//, ''));
      stream.resume();
      stream.on('end', next);
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  Readable.from([tar]).pipe(ex);
  await done;
  return names.filter(Boolean).sort();
}
