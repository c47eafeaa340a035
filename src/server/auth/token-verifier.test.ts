// Checking presented API tokens: a token stands for its role and scope until it expires or is
// revoked; unknown, malformed and wrong tokens are refused; successful checks are cached for the
// TTL (so revocation takes effect within it) and concurrent checks of one token share one scrypt.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestStore, type TestStore } from '../../store/test-support/stores.js';
import * as hash from './token-hash.js';
import { createTokenVerifier } from './token-verifier.js';
import { createToken, revokeToken } from './tokens.js';

vi.mock('./token-hash.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./token-hash.js')>();
  return { ...actual, verifySecret: vi.fn(actual.verifySecret) };
});
const scrypts = vi.mocked(hash.verifySecret);

let store: TestStore;
beforeAll(async () => {
  store = await createTestStore('pglite');
});
afterAll(async () => {
  await store?.dispose();
});

describe('token verifier', () => {
  it('creates rs_<id>_<secret> and verifies it to its role and scope', async () => {
    const t = await createToken(store, {
      name: 'shop-reader',
      role: 'viewer',
      scopes: ['namespace=shop', 'cluster=prod'],
    });
    expect(t.token).toMatch(/^rs_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(t.token.slice(3, 19)).toBe(t.id);
    expect(t.scopes).toEqual(['cluster=prod', 'namespace=shop']);
    expect(t.expiresAt).toBeNull();
    const v = createTokenVerifier(store);
    expect(await v.verify(t.token)).toEqual({
      subject: 'token:shop-reader',
      role: 'viewer',
      scope: { clusters: ['prod'], namespaces: ['shop'] },
      via: 'token',
      tokenId: t.id,
    });
    await v.flush();
  });

  it('refuses unknown, malformed and wrong-secret tokens', async () => {
    const t = await createToken(store, { name: 'wrong-secret', role: 'admin' });
    const v = createTokenVerifier(store);
    const secret = t.token.slice(20);
    const flipped = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    expect(await v.verify(`rs_${t.id}_${flipped}`)).toBeNull();
    expect(await v.verify(`rs_ffffffffffffffff_${secret}`)).toBeNull();
    expect(await v.verify('rs_short')).toBeNull();
    expect(await v.verify(`${t.token}x`)).toBeNull();
    expect(await v.verify(t.token)).not.toBeNull();
  });

  it('refuses a token after it expires, even one cached before', async () => {
    let now = Date.parse('2026-03-01T00:00:00Z');
    const t = await createToken(store, {
      name: 'short-lived',
      role: 'operator',
      expiresIn: '1h',
      now: new Date(now),
    });
    expect(t.expiresAt).toBe('2026-03-01T01:00:00.000Z');
    const v = createTokenVerifier(store, { now: () => now });
    expect((await v.verify(t.token))?.role).toBe('operator');
    now += 59 * 60_000 + 30_000; // 00:59:30: cached until the expiry at 01:00, not for 60 s more
    expect((await v.verify(t.token))?.role).toBe('operator');
    now += 30_000; // 01:00:00
    expect(await v.verify(t.token)).toBeNull();
    expect(await createTokenVerifier(store, { now: () => now }).verify(t.token)).toBeNull();
  });

  it('honours a revocation from elsewhere within the cache TTL, at once with forget()', async () => {
    let now = Date.now();
    const t = await createToken(store, { name: 'revoked-later', role: 'viewer' });
    const v = createTokenVerifier(store, { now: () => now, cacheTtlMs: 60_000 });
    expect(await v.verify(t.token)).not.toBeNull();
    await revokeToken(store, 'revoked-later');
    now += 30_000;
    expect(await v.verify(t.token)).not.toBeNull(); // still cached: accepted at most for the TTL
    now += 30_001;
    expect(await v.verify(t.token)).toBeNull(); // the entry ended; the store says revoked
    const fresh = createTokenVerifier(store);
    const u = await createToken(store, { name: 'revoked-here', role: 'viewer' });
    expect(await fresh.verify(u.token)).not.toBeNull();
    await revokeToken(store, u.id);
    fresh.forget(u.id);
    expect(await fresh.verify(u.token)).toBeNull();
  });

  it('200 concurrent requests with one token run one scrypt; the cache serves the next ones', async () => {
    const t = await createToken(store, { name: 'busy', role: 'operator' });
    const v = createTokenVerifier(store);
    scrypts.mockClear();
    const results = await Promise.all(Array.from({ length: 200 }, () => v.verify(t.token)));
    expect(results.every((p) => p?.subject === 'token:busy')).toBe(true);
    expect(scrypts).toHaveBeenCalledTimes(1);
    await v.verify(t.token);
    expect(scrypts).toHaveBeenCalledTimes(1);
    // With the cache off, each check runs scrypt.
    const uncached = createTokenVerifier(store, { cacheTtlMs: 0 });
    await uncached.verify(t.token);
    await uncached.verify(t.token);
    expect(scrypts).toHaveBeenCalledTimes(3);
  });

  it('writes the last use once a minute per token, not on every request', async () => {
    let now = Date.parse('2026-04-01T12:00:00Z');
    const t = await createToken(store, { name: 'last-used', role: 'viewer' });
    const v = createTokenVerifier(store, { now: () => now });
    const lastUsed = async () =>
      (
        await store.db
          .selectFrom('api_tokens')
          .select('last_used_at')
          .where('id', '=', t.id)
          .executeTakeFirstOrThrow()
      ).last_used_at;
    for (let i = 0; i < 5; i++) await v.verify(t.token);
    await v.flush();
    expect((await lastUsed())?.toISOString()).toBe('2026-04-01T12:00:00.000Z');
    now += 30_000;
    await v.verify(t.token);
    await v.flush();
    expect((await lastUsed())?.toISOString()).toBe('2026-04-01T12:00:00.000Z');
    now += 31_000;
    await v.verify(t.token);
    await v.flush();
    expect((await lastUsed())?.toISOString()).toBe('2026-04-01T12:01:01.000Z');
  });
});
