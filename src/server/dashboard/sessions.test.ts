// Stored dashboard sessions over both stores: only hashes of the id and CSRF token are kept, a
// second SessionStore (a restart) and, on PostgreSQL, a second connection pool (another server
// process) see the same session; idle and absolute ends, logout, a revoked or expired API token,
// and a pasted ID token's expiry each end it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../core/access.js';
import { openStore, type Store } from '../../store/index.js';
import {
  ADMIN_URL,
  createTestStore,
  storeKindsToTest,
  type TestStore,
} from '../../store/test-support/stores.js';
import { createToken, revokeToken } from '../auth/index.js';
import { SESSION_IDLE_MS, SESSION_TTL_MS, SessionStore } from './sessions.js';

const kinds = await storeKindsToTest();
const T0 = Date.parse('2026-03-01T08:00:00Z');

describe.each(kinds)('dashboard sessions on %s', (kind) => {
  let store: TestStore;
  let clock = T0;
  const now = () => clock;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  async function tokenPrincipal(name: string, expiresIn?: string): Promise<Principal> {
    const t = await createToken(store, {
      name,
      role: 'operator',
      scopes: ['cluster=c1'],
      expiresIn,
      now: new Date(clock),
    });
    return {
      subject: `token:${name}`,
      role: 'operator',
      scope: { clusters: ['c1'] },
      via: 'token',
      tokenId: t.id,
    };
  }

  it('stores hashes only, and a new SessionStore (a restart) finds the session', async () => {
    clock = T0;
    const p = await tokenPrincipal('s-restart');
    const { id, session } = await new SessionStore(store, now).create(p);
    const rows = await store.db.selectFrom('dashboard_sessions').selectAll().execute();
    const row = rows.find((r) => r.subject === 'token:s-restart')!;
    expect(row.id_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(id);
    expect(JSON.stringify(rows)).not.toContain(session.csrf);
    expect(row).toMatchObject({
      role: 'operator',
      scopes: ['cluster=c1'],
      via: 'token',
      token_id: p.tokenId,
    });
    const again = await new SessionStore(store, now).get(id);
    expect(again?.principal).toEqual(p);
    expect(again?.csrf).toBe(session.csrf);
    expect(await new SessionStore(store, now).get(`${id}x`)).toBeUndefined();
  });

  it('ends after an hour idle, and at 8 h however busy', async () => {
    clock = T0;
    const sessions = new SessionStore(store, now);
    const p = await tokenPrincipal('s-idle');
    const idle = await sessions.create(p);
    clock = T0 + SESSION_IDLE_MS - 60_000;
    expect(await sessions.get(idle.id)).toBeDefined(); // seen: the idle clock restarts
    clock += SESSION_IDLE_MS - 60_000;
    expect(await sessions.get(idle.id)).toBeDefined();
    clock += SESSION_IDLE_MS + 1;
    expect(await sessions.get(idle.id)).toBeUndefined();

    clock = T0;
    const busy = await sessions.create(p);
    for (clock = T0; clock < T0 + SESSION_TTL_MS; clock += 30 * 60e3)
      expect(await sessions.get(busy.id), new Date(clock).toISOString()).toBeDefined();
    clock = T0 + SESSION_TTL_MS;
    expect(await sessions.get(busy.id)).toBeUndefined();
  });

  it('logout deletes; a revoked or expired token ends its sessions; an ID token caps the end', async () => {
    clock = T0;
    const sessions = new SessionStore(store, now);
    const a = await sessions.create(await tokenPrincipal('s-logout'));
    await sessions.delete(a.id);
    expect(await sessions.get(a.id)).toBeUndefined();

    const b = await sessions.create(await tokenPrincipal('s-revoked'));
    expect(await sessions.get(b.id)).toBeDefined();
    await revokeToken(store, 's-revoked');
    expect(await sessions.get(b.id)).toBeUndefined();

    const c = await sessions.create(await tokenPrincipal('s-expiring', '30m'));
    clock = T0 + 29 * 60e3;
    expect(await sessions.get(c.id)).toBeDefined();
    clock = T0 + 31 * 60e3;
    expect(await sessions.get(c.id)).toBeUndefined();

    clock = T0;
    const oidc: Principal = { subject: 'oidc:alice', role: 'viewer', scope: {}, via: 'oidc' };
    const d = await sessions.create(oidc, T0 + 20 * 60e3);
    clock = T0 + 19 * 60e3;
    expect((await sessions.get(d.id))?.principal).toEqual(oidc);
    clock = T0 + 20 * 60e3;
    expect(await sessions.get(d.id)).toBeUndefined();
  });
});

describe.runIf(kinds.includes('postgres'))('two server processes on one PostgreSQL', () => {
  const name = `runsight_sessions_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  let a: Store;
  let b: Store;
  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    a = await openStore({ databaseUrl: url.toString() });
    b = await openStore({ databaseUrl: url.toString() });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  it('a session made by one is seen by the other, and a logout on either ends it for both', async () => {
    const p: Principal = { subject: 'oidc:bob', role: 'admin', scope: {}, via: 'oidc' };
    const { id, session } = await new SessionStore(a).create(p);
    const seen = await new SessionStore(b).get(id);
    expect(seen?.principal).toEqual(p);
    expect(seen?.csrf).toBe(session.csrf);
    await new SessionStore(b).delete(id);
    expect(await new SessionStore(a).get(id)).toBeUndefined();
  });
});
