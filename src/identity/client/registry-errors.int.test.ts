// Integration: the registry client against small local HTTP servers started here that misbehave
// on purpose — 401/403, 429 storms, 5xx, timeouts, wrong or truncated content, schema 1 and
// unknown media types, redirects to another host, and a bearer token server.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readAll } from '../digest-stream.js';
import {
  AuthError,
  BlobSizeError,
  DigestMismatchError,
  RateLimitedError,
  RegistryError,
  RegistryUnavailableError,
  UnsupportedMediaTypeError,
} from '../errors.js';
import { OCI_MANIFEST } from '../media-types.js';
import { credentialResolver } from './credentials.js';
import { RegistryClient, type RegistryClientOptions } from './registry-client.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const servers: Server[] = [];

async function serve(handler: Handler): Promise<{ host: string; url: string; hits: IncomingMessage[] }> {
  const hits: IncomingMessage[] = [];
  const srv = createServer((req, res) => {
    hits.push(req);
    handler(req, res);
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  return { host: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}`, hits };
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const noCreds = credentialResolver({ env: {}, dockerConfigPath: '/nonexistent' });
function client(host: string, extra: RegistryClientOptions = {}) {
  return new RegistryClient(host, {
    insecureRegistries: [host],
    credentials: noCreds,
    retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 50 },
    ...extra,
  });
}
const MANIFEST = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha('{}'), size: 2 },
    layers: [],
  }),
);

describe('authentication failures', () => {
  it('401 without credentials is an AuthError that says how to log in', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="test"', 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
    });
    const err = await client(s.host)
      .getManifest('app', '1')
      .catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/no credentials were found; run docker login/);
    expect(s.hits).toHaveLength(2); // anonymous, then once more after learning the challenge
  });

  it('wrong basic credentials are rejected once, not retried forever', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' });
      res.end();
    });
    const creds = credentialResolver({
      env: {},
      config: { [s.host]: { username: 'u', password: 'bad' } },
      dockerConfigPath: '/nonexistent',
    });
    const err = await client(s.host, { credentials: creds })
      .getManifest('app', '1')
      .catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toMatch(/rejected the credentials from config registries/);
    expect(s.hits.at(-1)?.headers.authorization).toBe(`Basic ${Buffer.from('u:bad').toString('base64')}`);
  });

  it('403 is an AuthError naming the denied scope', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }],
        }),
      );
    });
    const err = await client(s.host)
      .getManifest('app', '1')
      .catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.status).toBe(403);
    expect(err.message).toMatch(/denied .*DENIED.*repository:app:pull/);
  });
});

describe('bearer token flow', () => {
  it('fetches a token per scope from the realm, caches it, and sends it', async () => {
    const issued: string[] = [];
    const tokens = await serve((req, res) => {
      const u = new URL(req.url!, 'http://x');
      if (req.headers.authorization !== `Basic ${Buffer.from('alice:s3cret').toString('base64')}`) {
        res.writeHead(401);
        return res.end();
      }
      const tok = `tok-${u.searchParams.get('scope')}`;
      issued.push(`${u.searchParams.get('service')} ${u.searchParams.get('scope')}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: tok, expires_in: 300 }));
    });
    const reg = await serve((req, res) => {
      const repo = /^\/v2\/(.+)\/manifests\//.exec(req.url!)?.[1];
      if (req.headers.authorization !== `Bearer tok-repository:${repo}:pull`) {
        // A challenge in the exact form Docker Hub sends (auth.docker.io), pointed at the local token server.
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="${tokens.url}/token",service="registry.test",scope="repository:${repo}:pull"`,
        });
        return res.end();
      }
      res.writeHead(200, { 'content-type': OCI_MANIFEST, 'docker-content-digest': sha(MANIFEST) });
      res.end(MANIFEST);
    });
    const creds = credentialResolver({
      env: {
        RUNSIGHT_REGISTRY_AUTH: JSON.stringify({ [reg.host]: { username: 'alice', password: 's3cret' } }),
      },
      dockerConfigPath: '/nonexistent',
    });
    const c = client(reg.host, { credentials: creds });
    for (let i = 0; i < 3; i++) expect((await c.getManifest('team/app', '1')).digest).toBe(sha(MANIFEST));
    await c.getManifest('team/other', '1');
    expect(issued).toEqual([
      'registry.test repository:team/app:pull',
      'registry.test repository:team/other:pull',
    ]);
    // First request anonymous + challenged; later ones carry the cached token straight away.
    expect(reg.hits.filter((h) => !h.headers.authorization)).toHaveLength(1);
  });

  it('a token server that refuses the credentials gives an AuthError', async () => {
    const tokens = await serve((_req, res) => {
      res.writeHead(401);
      res.end();
    });
    const reg = await serve((_req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${tokens.url}/token",service="s"` });
      res.end();
    });
    const err = await client(reg.host)
      .getManifest('app', '1')
      .catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.message).toMatch(/refused an anonymous token/);
  });
});

describe('retries', () => {
  it('rides out a 429 storm honouring Retry-After, then succeeds', async () => {
    let n = 0;
    const s = await serve((_req, res) => {
      if (++n <= 3) {
        res.writeHead(429, { 'retry-after': '0' });
        return res.end();
      }
      res.writeHead(200, { 'content-type': OCI_MANIFEST });
      res.end(MANIFEST);
    });
    expect((await client(s.host).getManifest('app', '1')).digest).toBe(sha(MANIFEST));
    expect(n).toBe(4);
  });

  it('waits as long as Retry-After says', async () => {
    let n = 0;
    const s = await serve((_req, res) => {
      if (++n === 1) {
        res.writeHead(503, { 'retry-after': '1' });
        return res.end();
      }
      res.writeHead(200, { 'content-type': OCI_MANIFEST });
      res.end(MANIFEST);
    });
    const t0 = Date.now();
    await client(s.host, { retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5000 } }).getManifest('app', '1');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it('gives up on an endless 429 storm with RateLimitedError, and on 5xx with RegistryError', async () => {
    const s = await serve((req, res) => {
      res.writeHead(req.url!.includes('busy') ? 429 : 502);
      res.end();
    });
    const rl = await client(s.host)
      .getManifest('busy', '1')
      .catch((e) => e);
    expect(rl).toBeInstanceOf(RateLimitedError);
    expect(rl.message).toMatch(/after 4 attempts/);
    const bad = await client(s.host)
      .getManifest('app', '1')
      .catch((e) => e);
    expect(bad).toBeInstanceOf(RegistryError);
    expect(bad.status).toBe(502);
    expect(s.hits).toHaveLength(8);
  });

  it('times out a registry that never answers', async () => {
    const s = await serve(() => {
      // never responds
    });
    const err = await client(s.host, { timeoutMs: 200, retry: { retries: 1, baseDelayMs: 1 } })
      .getManifest('app', '1')
      .catch((e) => e);
    expect(err).toBeInstanceOf(RegistryUnavailableError);
    expect(err.message).toMatch(/no response within 200 ms/);
    expect(s.hits).toHaveLength(2);
  });
});

describe('content verification', () => {
  it('rejects a manifest whose bytes do not match the requested digest or the Docker-Content-Digest', async () => {
    const s = await serve((req, res) => {
      res.writeHead(200, {
        'content-type': OCI_MANIFEST,
        'docker-content-digest': req.url!.includes('lying') ? sha('other') : sha(MANIFEST),
      });
      res.end(MANIFEST);
    });
    await expect(client(s.host).getManifest('app', sha('something else'))).rejects.toThrow(
      DigestMismatchError,
    );
    await expect(client(s.host).getManifest('lying', '1')).rejects.toThrow(DigestMismatchError);
  });

  it('errors the blob stream on wrong bytes and on a truncated transfer', async () => {
    const good = Buffer.alloc(1000, 7);
    const s = await serve((req, res) => {
      if (req.url!.includes('short')) {
        res.writeHead(200, { 'content-length': '1000' });
        res.write(good.subarray(0, 500));
        setTimeout(() => res.destroy(), 20);
        return;
      }
      res.writeHead(200, { 'content-length': '1000' });
      res.end(Buffer.alloc(1000, 8));
    });
    await expect(readAll(await client(s.host).openBlob('app', sha(good)), 1e6)).rejects.toThrow(
      DigestMismatchError,
    );
    const err = await readAll(
      await client(s.host).openBlob('short', sha(good), { expectedSize: 1000 }),
      1e6,
    ).catch((e) => e);
    expect(err).toBeInstanceOf(BlobSizeError);
    expect(err.message).toMatch(/expected 1000 bytes .* ended after 500/);
  });

  it('verifies large blobs hashed off the main thread, and abandons them cleanly', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024, 1);
    const s = await serve((req, res) => {
      res.writeHead(200, { 'content-length': String(big.length) });
      res.end(req.url!.includes('bad') ? Buffer.alloc(big.length, 2) : big);
    });
    const c = client(s.host);
    const ok = await readAll(await c.openBlob('good', sha(big)), 1e8);
    expect(ok.equals(big)).toBe(true);
    await expect(readAll(await c.openBlob('bad', sha(big)), 1e8)).rejects.toThrow(DigestMismatchError);
    const early = await c.openBlob('good', sha(big));
    early.destroy();
    // The slot was released: the limit of 1 lets the next request through.
    const one = client(s.host, { concurrency: 1 });
    (await one.openBlob('good', sha(big))).destroy();
    expect((await readAll(await one.openBlob('good', sha(big)), 1e8)).length).toBe(big.length);
  });

  it('refuses Docker schema 1 and unknown media types', async () => {
    const { RegistrySource } = await import('./registry-source.js');
    const s = await serve((req, res) => {
      if (req.url!.includes('old')) {
        res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' });
        return res.end(JSON.stringify({ schemaVersion: 1, name: 'old', tag: '1', fsLayers: [] }));
      }
      res.writeHead(200, { 'content-type': 'application/vnd.example.thing+json' });
      res.end('{"hello":"world"}');
    });
    const c = client(s.host);
    const old = await new RegistrySource({ registry: s.host, repository: 'old', tag: '1' }, c, 'old:1')
      .resolve()
      .catch((e) => e);
    expect(old).toBeInstanceOf(UnsupportedMediaTypeError);
    expect(old.message).toMatch(/schema 1.*skopeo copy/);
    const odd = await new RegistrySource({ registry: s.host, repository: 'odd', tag: '1' }, c, 'odd:1')
      .resolve()
      .catch((e) => e);
    expect(odd).toBeInstanceOf(UnsupportedMediaTypeError);
    expect(odd.mediaType).toBe('application/vnd.example.thing+json');
  });
});

describe('redirects and concurrency', () => {
  it('follows a blob redirect to another host without sending the registry credentials there', async () => {
    const blob = Buffer.from('layer bytes');
    const storage = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(blob.length) });
      res.end(blob);
    });
    const reg = await serve((req, res) => {
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' });
        return res.end();
      }
      // localhost vs 127.0.0.1: a different origin.
      res.writeHead(307, { location: `http://localhost:${storage.host.split(':')[1]}/blob?sig=abc` });
      res.end();
    });
    const creds = credentialResolver({
      env: {},
      config: { [reg.host]: { username: 'u', password: 'p' } },
      dockerConfigPath: '/nonexistent',
    });
    const got = await readAll(await client(reg.host, { credentials: creds }).openBlob('app', sha(blob)));
    expect(got.equals(blob)).toBe(true);
    expect(reg.hits.at(-1)?.headers.authorization).toMatch(/^Basic /);
    expect(storage.hits).toHaveLength(1);
    expect(storage.hits[0]!.headers.authorization).toBeUndefined();
  });

  it('fetches a config shared by several tags once (content-addressed cache)', async () => {
    const { RegistrySource } = await import('./registry-source.js');
    const config = Buffer.from(
      JSON.stringify({ os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [] } }),
    );
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: sha(config),
          size: config.length,
        },
        layers: [],
      }),
    );
    const s = await serve((req, res) => {
      if (req.url!.includes('/blobs/')) {
        res.writeHead(200, { 'content-length': String(config.length) });
        return res.end(config);
      }
      res.writeHead(200, { 'content-type': OCI_MANIFEST });
      res.end(manifest);
    });
    const c = client(s.host);
    for (const tag of ['1.2.3', 'prod', 'latest'])
      expect(
        (await new RegistrySource({ registry: s.host, repository: 'app', tag }, c, tag).resolve()).digest,
      ).toBe(sha(manifest));
    expect(s.hits.filter((h) => h.url!.includes('/blobs/'))).toHaveLength(1);
    expect(s.hits.filter((h) => h.url!.includes('/manifests/'))).toHaveLength(3);
  });

  it('keeps at most `concurrency` requests in flight per registry', async () => {
    let inFlight = 0;
    let peak = 0;
    const s = await serve((_req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(200, { 'content-type': OCI_MANIFEST });
        res.end(MANIFEST);
      }, 20);
    });
    const c = client(s.host, { concurrency: 3 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => c.getManifest('app', String(i))));
    expect(peak).toBe(3);
    expect(c.limiter.peak).toBe(3);
  });
});
