// OIDC sign-in against an issuer this test starts on loopback (node:http serving the discovery
// document and the JWKS; keys from jose's generateKeyPair, tokens from SignJWT): mapped groups,
// audience, issuer, expiry with clock skew, refused algorithms, key rotation, unmapped groups → 403.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { base64url, exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from './authenticate.js';
import { createOidcVerifier, type OidcConfig } from './oidc.js';

type Key = Awaited<ReturnType<typeof generateKeyPair>>;
interface Published {
  kid: string;
  alg: string;
  jwk: JWK;
}

let server: Server;
let issuer = '';
let published: Published[] = [];
let discoveryHits = 0;
let failDiscovery = 0;
const keys: Record<string, Key> = {};

async function makeKey(kid: string, alg: 'RS256' | 'ES256' | 'PS256' | 'EdDSA'): Promise<Published> {
  const pair = await generateKeyPair(alg, { extractable: true });
  keys[kid] = pair;
  return { kid, alg, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' } };
}

beforeAll(async () => {
  published = [
    await makeKey('rsa-1', 'RS256'),
    await makeKey('ec-1', 'ES256'),
    await makeKey('ed-1', 'EdDSA'),
  ];
  server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      discoveryHits++;
      if (failDiscovery > 0) {
        failDiscovery--;
        res.writeHead(500).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    } else if (req.url === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
});

function config(over: Partial<OidcConfig> = {}): OidcConfig {
  return {
    issuer,
    audience: 'runsight',
    mappings: [
      { group: 'sre', role: 'admin' },
      { group: 'shop-team', role: 'viewer', scopes: ['namespace=shop', 'cluster=prod'] },
      { group: 'dev', role: 'operator' },
    ],
    ...over,
  };
}

const FAST = { jwksCooldownMs: 0, retryAfterMs: 0 };
const nowS = () => Math.floor(Date.now() / 1000);

async function sign(
  kid: string,
  claims: Record<string, unknown> = {},
  opts: { alg?: string; iss?: string; aud?: string; exp?: number } = {},
): Promise<string> {
  const k = published.find((p) => p.kid === kid) ?? { alg: opts.alg ?? 'RS256' };
  return new SignJWT({ groups: ['shop-team', 'dev'], ...claims })
    .setProtectedHeader({ alg: opts.alg ?? k.alg, kid })
    .setSubject('alice@example.com')
    .setIssuer(opts.iss ?? issuer)
    .setAudience(opts.aud ?? 'runsight')
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? nowS() + 300)
    .sign(keys[kid]!.privateKey);
}

describe('OIDC verifier', () => {
  it('maps the first configured group the caller has to role and scope; discovery waits for a token', async () => {
    const hits = discoveryHits;
    const v = createOidcVerifier(config(), FAST);
    expect(discoveryHits).toBe(hits); // lazy: nothing fetched yet
    // groups [shop-team, dev]: mappings are tried in config order, shop-team comes before dev.
    expect(await v.verify(await sign('rsa-1'))).toEqual({
      kind: 'ok',
      principal: {
        subject: 'oidc:alice@example.com',
        role: 'viewer',
        scope: { clusters: ['prod'], namespaces: ['shop'] },
        via: 'oidc',
      },
    });
    expect(discoveryHits).toBe(hits + 1);
    const sre = await v.verify(await sign('ec-1', { groups: ['dev', 'sre'] }));
    expect(sre.kind === 'ok' && sre.principal.role).toBe('admin');
    const ed = await v.verify(await sign('ed-1', { groups: 'dev' }));
    expect(ed.kind === 'ok' && ed.principal.role).toBe('operator');
    expect(discoveryHits).toBe(hits + 1); // discovered once
  });

  it('an SSO sign-in checks the nonce its request sent; a Bearer JWT needs none', async () => {
    const v = createOidcVerifier(config(), FAST);
    const jwt = await sign('rsa-1', { nonce: 'n-1' });
    expect((await v.verify(jwt, { nonce: 'n-1' })).kind).toBe('ok');
    expect(await v.verify(jwt, { nonce: 'n-2' })).toEqual({
      kind: 'invalid',
      reason: 'the OIDC ID token does not carry the nonce of this sign-in',
    });
    expect((await v.verify(await sign('rsa-1'), { nonce: 'n-1' })).kind).toBe('invalid');
    expect((await v.verify(jwt)).kind).toBe('ok');
  });

  it('reads another groups claim, nested with a dot', async () => {
    const v = createOidcVerifier(config({ groupsClaim: 'realm_access.roles' }), FAST);
    const r = await v.verify(await sign('rsa-1', { groups: [], realm_access: { roles: ['sre'] } }));
    expect(r.kind === 'ok' && r.principal.role).toBe('admin');
  });

  it('refuses a wrong audience and a wrong issuer', async () => {
    const v = createOidcVerifier(config(), FAST);
    expect(await v.verify(await sign('rsa-1', {}, { aud: 'someone-else' }))).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('"aud"'),
    });
    expect(await v.verify(await sign('rsa-1', {}, { iss: 'https://evil.example' }))).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('"iss"'),
    });
  });

  it('accepts a token expired within the clock skew and refuses one beyond it', async () => {
    const v = createOidcVerifier(config(), FAST); // default skew 60 s
    expect((await v.verify(await sign('rsa-1', {}, { exp: nowS() - 30 }))).kind).toBe('ok');
    expect(await v.verify(await sign('rsa-1', {}, { exp: nowS() - 120 }))).toEqual({
      kind: 'invalid',
      reason: 'the OIDC token has expired',
    });
    const strict = createOidcVerifier(config({ clockSkew: '10s' }), FAST);
    expect((await strict.verify(await sign('rsa-1', {}, { exp: nowS() - 30 }))).kind).toBe('invalid');
  });

  it('refuses alg none and HS256 signed with the public key as the secret', async () => {
    const v = createOidcVerifier(config(), FAST);
    const payload = { sub: 'mallory', iss: issuer, aud: 'runsight', exp: nowS() + 300, groups: ['sre'] };
    const part = (o: object) => base64url.encode(JSON.stringify(o));
    const none = `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
    expect(await v.verify(none)).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('algorithm'),
    });
    const pem = await exportSPKI(keys['rsa-1']!.publicKey);
    const hs = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
      .sign(new TextEncoder().encode(pem));
    expect(await v.verify(hs)).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('algorithm'),
    });
    const jwk = published.find((p) => p.kid === 'rsa-1')!.jwk;
    const hsN = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
      .sign(base64url.decode(jwk.n!));
    expect(await v.verify(hsN)).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('algorithm'),
    });
  });

  it('follows key rotation: a new kid is fetched and accepted, a removed key is refused', async () => {
    const v = createOidcVerifier(config(), FAST);
    expect((await v.verify(await sign('rsa-1'))).kind).toBe('ok');
    const rotated = await makeKey('rsa-2', 'PS256');
    const before = published;
    published = [rotated]; // the issuer rotates: rsa-1 (and the others) gone, rsa-2 in
    try {
      expect((await v.verify(await sign('rsa-2'))).kind).toBe('ok');
      expect(await v.verify(await sign('rsa-1'))).toEqual({
        kind: 'invalid',
        reason: "no key of the OIDC issuer matches the token's key id",
      });
    } finally {
      published = [...before, rotated];
    }
  });

  it('retries a failed discovery on a later token', async () => {
    failDiscovery = 1;
    const v = createOidcVerifier(config(), FAST);
    expect(await v.verify(await sign('rsa-1'))).toMatchObject({ kind: 'unavailable' });
    expect((await v.verify(await sign('rsa-1'))).kind).toBe('ok');
  });

  it('refuses a config mapping with a bad scope when created', () => {
    expect(() =>
      createOidcVerifier(config({ mappings: [{ group: 'x', role: 'viewer', scopes: ['pod=a'] }] })),
    ).toThrow(/server\.oidc\.mappings\[0\]\.scopes/);
  });
});

describe('authenticate with OIDC', () => {
  it('valid and mapped → principal; unmapped → 403 with the subject; invalid → 401; no token echoed', async () => {
    const oidc = createOidcVerifier(config(), FAST);
    const ok = await sign('rsa-1');
    expect(await authenticate({ oidc }, `Bearer ${ok}`)).toMatchObject({ role: 'viewer', via: 'oidc' });
    const unmapped = await sign('rsa-1', { groups: ['marketing'] });
    expect(await authenticate({ oidc }, `Bearer ${unmapped}`)).toMatchObject({
      status: 403,
      subject: 'oidc:alice@example.com',
    });
    const noGroups = await sign('rsa-1', { groups: undefined });
    expect(await authenticate({ oidc }, `Bearer ${noGroups}`)).toMatchObject({ status: 403 });
    const wrongAud = await sign('rsa-1', {}, { aud: 'other' });
    const r = await authenticate({ oidc }, `Bearer ${wrongAud}`);
    expect(r).toMatchObject({ status: 401 });
    expect(JSON.stringify(r)).not.toContain(wrongAud.split('.')[2]);
    // A JWT when OIDC is not configured is a 401, not a crash.
    expect(await authenticate({}, `Bearer ${ok}`)).toMatchObject({ status: 401 });
  });
});
