// API token rows and the audit log over both stores: unique live names, revoke by id or name,
// the once-a-minute last-use write, and audit paging by time range and keyset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, storeKindsToTest, type TestStore } from '../../test-support/stores.js';
import {
  createApiToken,
  findApiToken,
  listApiTokens,
  revokeApiToken,
  TokenNameTakenError,
  touchApiToken,
} from './api-tokens.js';
import { appendAudit, listAudit } from './audit-log.js';

const kinds = await storeKindsToTest();

describe.each(kinds)('api tokens and audit log on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('creates, finds and lists a token with its scopes and expiry', async () => {
    const created = await createApiToken(store, {
      id: '00000000000000a1',
      name: 'ci',
      role: 'operator',
      scopes: ['cluster=prod', 'namespace=shop'],
      hash: 'scrypt$x',
      expiresAt: new Date('2030-01-02T03:04:05.000Z'),
    });
    expect(created.createdAt).toBeInstanceOf(Date);
    const found = await findApiToken(store, '00000000000000a1');
    expect(found).toMatchObject({
      id: '00000000000000a1',
      name: 'ci',
      role: 'operator',
      scopes: ['cluster=prod', 'namespace=shop'],
      hash: 'scrypt$x',
      revokedAt: null,
      lastUsedAt: null,
    });
    expect(found?.expiresAt?.toISOString()).toBe('2030-01-02T03:04:05.000Z');
    expect(await findApiToken(store, 'ffffffffffffffff')).toBeUndefined();
    expect((await listApiTokens(store)).map((t) => t.name)).toContain('ci');
  });

  it('refuses a second live token of the same name; revoking frees the name', async () => {
    const base = { role: 'viewer' as const, scopes: [], hash: 'h', expiresAt: null };
    await createApiToken(store, { ...base, id: '00000000000000b1', name: 'dup' });
    await expect(
      createApiToken(store, { ...base, id: '00000000000000b2', name: 'dup' }),
    ).rejects.toBeInstanceOf(TokenNameTakenError);
    const revoked = await revokeApiToken(store, 'dup', new Date('2026-01-01T00:00:00Z'));
    expect(revoked?.id).toBe('00000000000000b1');
    expect(revoked?.revokedAt?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    await createApiToken(store, { ...base, id: '00000000000000b2', name: 'dup' });
    // Revoking by id; a second revoke of the same token finds nothing live.
    expect((await revokeApiToken(store, '00000000000000b2'))?.name).toBe('dup');
    expect(await revokeApiToken(store, '00000000000000b2')).toBeUndefined();
    expect(await revokeApiToken(store, 'no-such-token')).toBeUndefined();
  });

  it('writes the last use at most once a minute', async () => {
    await createApiToken(store, {
      id: '00000000000000c1',
      name: 'touch',
      role: 'viewer',
      scopes: [],
      hash: 'h',
      expiresAt: null,
    });
    const t0 = new Date('2026-06-01T10:00:00Z');
    expect(await touchApiToken(store, '00000000000000c1', t0)).toBe(true);
    expect(await touchApiToken(store, '00000000000000c1', new Date('2026-06-01T10:00:30Z'))).toBe(false);
    expect((await findApiToken(store, '00000000000000c1'))?.lastUsedAt?.toISOString()).toBe(
      '2026-06-01T10:00:00.000Z',
    );
    expect(await touchApiToken(store, '00000000000000c1', new Date('2026-06-01T10:01:01Z'))).toBe(true);
    expect((await findApiToken(store, '00000000000000c1'))?.lastUsedAt?.toISOString()).toBe(
      '2026-06-01T10:01:01.000Z',
    );
  });

  it('appends audit entries and pages through a time range, newest first', async () => {
    // 5 entries at 10:00 … 10:04; the range [10:01, 10:04) holds 3 of them.
    for (let i = 0; i < 5; i++) {
      await appendAudit(store, {
        subject: 'token:ci',
        role: 'operator',
        action: 'POST /api/v1/imports',
        target: `import-${i}`,
        outcome: '201',
        detail: { n: i },
        at: new Date(`2026-05-01T10:0${i}:00Z`),
      });
    }
    const range = { from: new Date('2026-05-01T10:01:00Z'), to: new Date('2026-05-01T10:04:00Z') };
    const first = await listAudit(store, { ...range, limit: 2 });
    expect(first.entries.map((e) => e.target)).toEqual(['import-3', 'import-2']);
    expect(first.entries[0]).toMatchObject({
      subject: 'token:ci',
      role: 'operator',
      outcome: '201',
      detail: { n: 3 },
    });
    expect(first.next).not.toBeNull();
    const second = await listAudit(store, { ...range, limit: 2, before: first.next! });
    expect(second.entries.map((e) => e.target)).toEqual(['import-1']);
    expect(second.next).toBeNull();
    const all = await listAudit(store, {});
    expect(all.entries).toHaveLength(5);
    expect(all.entries[4]?.at.toISOString()).toBe('2026-05-01T10:00:00.000Z');
  });
});
