// Integration: a real docker-registry configured for token auth (distribution token spec), with a
// small token server started here that signs RS256 JWTs with an x5c certificate made by openssl.
// The registry's own challenges drive the client: realm, service, scope, token per scope, cache.
import { execFileSync } from 'node:child_process';
import { createSign, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../errors.js';
import { openImageSource } from '../open-image-source.js';
import { type BuiltImage, buildAndPush, imageToolsAvailable } from '../test-support/build-image.js';
import { freePort, startRegistry, type TestRegistry } from '../test-support/registry-server.js';
import { credentialResolver } from './credentials.js';
import { RegistryClient } from './registry-client.js';

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');
let dir: string;
let reg: TestRegistry | undefined;
let tokenServer: Server;
let img: BuiltImage;
const requests: { scope: string | null; user: string | undefined }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runsight-token-'));
  if (!(await imageToolsAvailable())) return;
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=runsight-token',
      ],
      { stdio: 'pipe' },
    );
  } catch (err) {
    if (process.env.CI === 'true') throw err;
    return;
  }
  const key = readFileSync(join(dir, 'key.pem'));
  const der = new X509Certificate(readFileSync(join(dir, 'cert.pem'))).raw;
  const port = await freePort();
  tokenServer = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    const auth = req.headers.authorization;
    const user = auth?.startsWith('Basic ')
      ? Buffer.from(auth.slice(6), 'base64').toString().split(':')[0]
      : undefined;
    if (auth && !Buffer.from(auth.slice(6), 'base64').toString().endsWith(':good')) {
      res.writeHead(401);
      return res.end();
    }
    const scopes = u.searchParams.getAll('scope');
    requests.push({ scope: scopes.join(' ') || null, user });
    const access = scopes.flatMap((s) => {
      const [type, name, actions] = s.split(':');
      // Anonymous callers get pull on public/* only; "writer" gets everything asked.
      const granted = (actions ?? '')
        .split(',')
        .filter((a) => user === 'writer' || (a === 'pull' && name!.startsWith('public/')));
      return granted.length ? [{ type, name, actions: granted }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [der.toString('base64')] };
    const claims = {
      iss: 'runsight-test-issuer',
      sub: user ?? '',
      aud: 'runsight-test',
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: String(Math.random()),
      access,
    };
    const body = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const sig = createSign('RSA-SHA256').update(body).sign(key);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        token: `${body}.${b64url(sig)}`,
        expires_in: 300,
        issued_at: new Date().toISOString(),
      }),
    );
  });
  await new Promise<void>((r) => tokenServer.listen(port, '127.0.0.1', r));
  reg = await startRegistry({
    token: {
      realm: `http://127.0.0.1:${port}/token`,
      service: 'runsight-test',
      issuer: 'runsight-test-issuer',
      rootCertBundle: join(dir, 'cert.pem'),
    },
  });
  if (!reg) return;
  img = await buildAndPush({
    registry: reg.host,
    repository: 'public/app',
    tag: '1',
    credentials: { username: 'writer', password: 'good' },
    platforms: [{ os: 'linux', architecture: 'amd64', layers: [{ files: { f: 'token\n' } }] }],
  });
}, 180_000);
afterAll(async () => {
  await reg?.stop();
  tokenServer?.closeAllConnections();
  await new Promise((r) => (tokenServer ? tokenServer.close(r) : r(undefined)));
  rmSync(dir, { recursive: true, force: true });
});

describe('token-auth docker-registry', () => {
  it('follows the registry challenge to the token server, once per scope', async (ctx) => {
    if (!reg) return ctx.skip();
    requests.length = 0;
    const anon = credentialResolver({ env: {}, dockerConfigPath: join(dir, 'none.json') });
    const client = new RegistryClient(reg.host, { insecureRegistries: [reg.host], credentials: anon });
    const src = await openImageSource(`${reg.host}/public/app:1`, {
      insecureRegistries: [reg.host],
      credentials: anon,
    });
    const r = await src.resolve();
    expect(r.digest).toBe(img.digest);
    expect(r.platforms[0]!.configDigest).toBe(img.manifests[0]!.configDigest);
    // manifest + config blob: one token for the repository's pull scope.
    expect(requests).toEqual([{ scope: 'repository:public/app:pull', user: undefined }]);
    expect((await client.headManifest('public/app', '1')).digest).toBe(img.digest);
  });

  it('a scope the token server does not grant ends in an AuthError, not a loop', async (ctx) => {
    if (!reg) return ctx.skip();
    const anon = credentialResolver({ env: {}, dockerConfigPath: join(dir, 'none.json') });
    const err = await (
      await openImageSource(`${reg.host}/private/app:1`, {
        insecureRegistries: [reg.host],
        credentials: anon,
      })
    )
      .resolve()
      .catch((e) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err.status).toBe(401);
    const bad = credentialResolver({
      env: {},
      config: { [reg.host]: { username: 'writer', password: 'bad' } },
    });
    const err2 = await (
      await openImageSource(`${reg.host}/public/app:1`, { insecureRegistries: [reg.host], credentials: bad })
    )
      .resolve()
      .catch((e) => e);
    expect(err2).toBeInstanceOf(AuthError);
    expect(err2.message).toMatch(/token server .* refused the credentials/);
  });

  it('uses credentials at the token server for a wider scope (catalog)', async (ctx) => {
    if (!reg) return ctx.skip();
    const writer = credentialResolver({
      env: {},
      config: { [reg.host]: { username: 'writer', password: 'good' } },
    });
    const client = new RegistryClient(reg.host, { insecureRegistries: [reg.host], credentials: writer });
    expect(await client.catalog()).toEqual(['public/app']);
  });
});
