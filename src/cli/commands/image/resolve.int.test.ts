// Integration: `runsight image resolve` and `runsight registry list` in-process against a real
// docker-registry with umoci-built, skopeo-pushed images; the JSON shape and digests are checked
// against `skopeo inspect --raw`, and the store against what the command recorded.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BuiltImage,
  buildAndPush,
  imageToolsAvailable,
} from '../../../identity/test-support/build-image.js';
import { startRegistry, type TestRegistry } from '../../../identity/test-support/registry-server.js';
import { openStore } from '../../../store/index.js';
import { runCli } from '../../test-support/run-cli.js';

let reg: TestRegistry | undefined;
let single: BuiltImage;
let multi: BuiltImage;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'runsight-cli-'));
  if (!(await imageToolsAvailable())) return;
  reg = await startRegistry();
  if (!reg) return;
  single = await buildAndPush({
    registry: reg.host,
    repository: 'shop/api',
    tag: '2.1',
    platforms: [
      {
        os: 'linux',
        architecture: 'amd64',
        layers: [{ files: { 'app/main': 'v2.1\n' } }, { files: { 'etc/conf': 'x\n' } }],
      },
    ],
  });
  multi = await buildAndPush({
    registry: reg.host,
    repository: 'shop/web',
    tag: 'stable',
    platforms: [
      { os: 'linux', architecture: 'amd64', layers: [{ files: { index: 'amd64\n' } }] },
      { os: 'linux', architecture: 'arm', variant: 'v7', layers: [{ files: { index: 'arm\n' } }] },
    ],
  });
}, 180_000);
afterAll(async () => {
  await reg?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const cli = (args: string[]) =>
  runCli(['--data-dir', dataDir, '--insecure-registry', reg!.host, '--format', 'json', ...args]);

async function count(table: 'tag_history' | 'image_layers' | 'image_children' | 'images'): Promise<number> {
  const store = await openStore({ dataDir });
  try {
    const r = await store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  } finally {
    await store.close();
  }
}

describe('runsight image resolve', () => {
  it('prints the documented JSON for a single-platform image and records it', async (ctx) => {
    if (!reg) return ctx.skip();
    const r = await cli(['image', 'resolve', `${reg.host}/shop/api:2.1`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const m = single.manifests[0]!;
    expect(r.json()).toEqual({
      reference: `${reg.host}/shop/api:2.1`,
      registry: reg.host,
      repository: 'shop/api',
      tag: '2.1',
      digest: single.digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      configDigest: m.configDigest,
      platforms: [
        { os: 'linux', architecture: 'amd64', variant: null, digest: m.digest, configDigest: m.configDigest },
      ],
    });
    expect(await count('tag_history')).toBe(1);
    expect(await count('image_layers')).toBe(2);
  });

  it('resolves an index: the index digest, one platform or all', async (ctx) => {
    if (!reg) return ctx.skip();
    const arm = await cli(['image', 'resolve', `${reg.host}/shop/web:stable`, '--platform', 'linux/arm/v7']);
    expect(arm.code).toBe(0);
    expect(arm.json()).toMatchObject({
      digest: multi.digest,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      configDigest: multi.manifests[1]!.configDigest,
      platforms: [{ os: 'linux', architecture: 'arm', variant: 'v7', digest: multi.manifests[1]!.digest }],
    });
    const all = await cli(['image', 'resolve', `${reg.host}/shop/web:stable`, '--platform', 'all']);
    const doc = all.json<{
      configDigest: string | null;
      platforms: { digest: string; configDigest: string }[];
    }>();
    expect(doc.configDigest).toBeNull();
    expect(doc.platforms.map((p) => [p.digest, p.configDigest])).toEqual(
      multi.manifests.map((m) => [m.digest, m.configDigest]),
    );
    expect(await count('image_children')).toBe(2);
  });

  it('fails with typed errors and writes nothing', async (ctx) => {
    if (!reg) return ctx.skip();
    const before = await cli(['db', 'status']);
    const layersBefore = await count('image_layers');
    const bad = await cli(['image', 'resolve', 'Bad//ref']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid image reference/);
    const tag = await cli(['image', 'resolve', `${reg.host}/shop/api:9.9`]);
    expect(tag.code).toBe(3);
    expect(tag.stderr).toMatch(/manifest shop\/api:9\.9 does not exist.*it has 2\.1/);
    const repo = await cli(['image', 'resolve', `${reg.host}/shop/none:1`]);
    expect(repo.stderr).toMatch(/repository .* does not exist/);
    const plat = await cli(['image', 'resolve', `${reg.host}/shop/web:stable`, '--platform', 'linux/s390x']);
    expect(plat.code).toBe(2);
    expect(plat.stderr).toMatch(
      /no manifest for platform linux\/s390x; the index offers linux\/amd64, linux\/arm\/v7/,
    );
    const badPlatform = await cli(['image', 'resolve', `${reg.host}/shop/web:stable`, '--platform', 'linux']);
    expect(badPlatform.code).toBe(2);
    expect((await cli(['db', 'status'])).json()).toEqual(before.json());
    expect(await count('image_layers')).toBe(layersBefore);
  });

  it('writes nothing when the registry serves content that fails verification', async (ctx) => {
    if (!reg) return ctx.skip();
    // A proxy in front of the real registry that lies about the manifest digest.
    const srv = createServer(async (req, res) => {
      const up = await fetch(`${reg!.url}${req.url}`, {
        headers: { accept: String(req.headers.accept ?? '') },
      });
      const body = Buffer.from(await up.arrayBuffer());
      const headers: Record<string, string> = {};
      up.headers.forEach((v, k) => {
        headers[k] = v;
      });
      if (req.url!.includes('/manifests/')) headers['docker-content-digest'] = `sha256:${'0'.repeat(64)}`;
      res.writeHead(up.status, headers);
      res.end(body);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(srv.address() as AddressInfo).port}`;
    try {
      const before = await count('images');
      const history = await count('tag_history');
      const r = await runCli([
        '--data-dir',
        dataDir,
        '--insecure-registry',
        host,
        'image',
        'resolve',
        `${host}/shop/api:2.1`,
      ]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(
        /expected content with digest sha256:0{64}, but the bytes received hash to sha256:/,
      );
      expect(await count('images')).toBe(before);
      expect(await count('tag_history')).toBe(history);
    } finally {
      srv.closeAllConnections();
      await new Promise((r) => srv.close(r));
    }
  });

  it('with --no-record resolves the same and opens no store', async (ctx) => {
    if (!reg) return ctx.skip();
    const never = join(dataDir, 'never-opened');
    const ref = `${reg.host}/shop/api:2.1`;
    const r = await runCli([
      '--data-dir',
      never,
      '--insecure-registry',
      reg.host,
      '--format',
      'json',
      'image',
      'resolve',
      '--no-record',
      ref,
    ]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.json()).toEqual((await cli(['image', 'resolve', ref])).json());
    expect(existsSync(never)).toBe(false);
    const bad = await runCli([
      '--data-dir',
      never,
      '--insecure-registry',
      reg.host,
      'image',
      'resolve',
      '--no-record',
      `${reg.host}/shop/api:9.9`,
    ]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/manifest shop\/api:9\.9 does not exist/);
    expect(existsSync(never)).toBe(false);
  });

  it('resolves local sources too', async () => {
    const r = await runCli([
      '--data-dir',
      dataDir,
      '--format',
      'json',
      'image',
      'resolve',
      `oci:${new URL('../../../../testdata/identity/regclient-testrepo', import.meta.url).pathname}:v1`,
    ]);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({
      registry: null,
      repository: null,
      tag: 'v1',
      digest: 'sha256:7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa',
    });
  });
});

describe('runsight registry list', () => {
  it('lists repositories and their tags', async (ctx) => {
    if (!reg) return ctx.skip();
    const r = await cli(['registry', 'list', reg.host]);
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({
      registry: reg.host,
      repositories: [
        { repository: 'shop/api', tags: ['2.1'] },
        { repository: 'shop/web', tags: ['stable'] },
      ],
    });
    const one = await cli(['registry', 'list', reg.host, '--repository', 'shop/web']);
    expect(one.json()).toEqual({
      registry: reg.host,
      repositories: [{ repository: 'shop/web', tags: ['stable'] }],
    });
    const table = await runCli(['--insecure-registry', reg.host, 'registry', 'list', reg.host]);
    expect(table.stdout).toMatch(/shop\/api\s+2\.1/);
  });
});
