// Stored dashboard sessions over both stores: only hashes of the id and CSRF token are kept, a
// second SessionStore (a restart) and, on PostgreSQL, a second connection pool (another server
// process) see the same session; idle and absolute ends, logout, a revoked or expired API token,
// and a pasted ID token's expiry each end it.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../core/access.js';
import { silentLogger } from '../../core/logger.js';
import { openStore, type Store } from '../../store/index.js';
import {
  ADMIN_URL,
  createTestStore,
  storeKindsToTest,
  type TestStore,
} from '../../store/test-support/stores.js';
import { createApp } from '../app.js';
import { createToken, revokeToken } from '../auth/index.js';
import { authenticateAs } from '../test-support/authenticate.js';
import { SESSION_IDLE_MS, SESSION_TTL_MS, SessionStore } from './sessions.js';

const kinds = await storeKindsToTest();
const T0 = Date.parse('2026-03-01T08:00:00Z');

describe.each(kinds)('dashboard sessions on %s', (kind) => {
  let store: TestStore;
  let clock = T0;
  const now = () => clock;
  beforeAll(async () => {
    store = await createTestStore(kind);
  }, 600_000);
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

describe('on a read-only store a sign-in gets a signed session', () => {
  let store: Store;
  let clock = T0;
  const now = () => clock;
  let principal: Principal;
  beforeAll(async () => {
    store = await openStore({ dataDir: 'memory://' });
    const t = await createToken(store, {
      name: 'ro-viewer',
      role: 'viewer',
      scopes: ['cluster=c1'],
      now: new Date(clock),
    });
    principal = {
      subject: 'token:ro-viewer',
      role: 'viewer',
      scope: { clusters: ['c1'] },
      via: 'token',
      tokenId: t.id,
    };
    // What openStore({ readOnly: true }) does to a PGlite store: every transaction read-only.
    await sql`set default_transaction_read_only = on`.execute(store.db);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('the store refuses the session row; the signed cookie holds, and tampering is refused', async () => {
    clock = T0;
    await expect(
      store.db.deleteFrom('dashboard_sessions').execute(),
      'the store really refuses writes',
    ).rejects.toThrow(/read-only/);
    const sessions = new SessionStore(store, now);
    const { id, session } = await sessions.create(principal);
    expect(session.signed).toBe(true);
    expect(id.startsWith('v1.')).toBe(true);
    expect(await store.db.selectFrom('dashboard_sessions').selectAll().execute()).toEqual([]);
    const seen = await new SessionStore(store, now).get(id);
    expect(seen?.principal).toEqual(principal);
    expect(seen?.csrf).toBe(session.csrf);
    // A changed principal (an admin role) breaks the signature.
    const [, body, mac] = id.split('.');
    const forged = Buffer.from(
      Buffer.from(body!, 'base64url').toString().replace('"viewer"', '"admin"'),
    ).toString('base64url');
    expect(forged).not.toBe(body);
    expect(await sessions.get(`v1.${forged}.${mac}`)).toBeUndefined();
    expect(await sessions.get(`v1.${body}.${'A'.repeat(mac!.length)}`)).toBeUndefined();
  });

  it('ends when idle (the cookie is re-signed with each use), at 8 h, on logout, and with its token', async () => {
    clock = T0;
    const sessions = new SessionStore(store, now);
    const { id } = await sessions.create(principal);
    clock = T0 + SESSION_IDLE_MS - 60_000;
    const used = await sessions.get(id);
    expect(used?.renewed).toBeDefined();
    clock = T0 + SESSION_IDLE_MS + 60_000;
    expect(await sessions.get(id), 'the old cookie is idle').toBeUndefined();
    expect(await sessions.get(used!.renewed), 'the re-signed one is not').toBeDefined();
    // Used every 50 minutes, it still ends at 8 h.
    let cookie = used!.renewed!;
    for (clock = T0 + 50 * 60_000; clock < T0 + SESSION_TTL_MS; clock += 50 * 60_000) {
      const s = await sessions.get(cookie);
      expect(s, new Date(clock).toISOString()).toBeDefined();
      cookie = s!.renewed ?? cookie;
    }
    clock = T0 + SESSION_TTL_MS;
    expect(await sessions.get(cookie)).toBeUndefined();

    clock = T0;
    const b = await sessions.create(principal);
    await sessions.delete(b.id);
    expect(await sessions.get(b.id), 'logged out').toBeUndefined();
    const c = await sessions.create(principal);
    expect(await sessions.get(c.id)).toBeDefined();
    // The token is revoked (by a writable process on the same data): the next page ends it.
    await sql`set default_transaction_read_only = off`.execute(store.db);
    await revokeToken(store, 'ro-viewer');
    await sql`set default_transaction_read_only = on`.execute(store.db);
    expect(await sessions.get(c.id)).toBeUndefined();
  });

  it('a back-channel logout ends signed SSO sessions of its sid or sub in this process; a replay is refused', async () => {
    clock = T0;
    const sessions = new SessionStore(store, now);
    const sso: Principal = { subject: 'oidc:frank', role: 'viewer', scope: {}, via: 'oidc' };
    const a = await sessions.create(sso, undefined, 'sid-a');
    const b = await sessions.create(sso, undefined, 'sid-b');
    clock = T0 + 1000;
    expect(await sessions.endSso({ sid: 'sid-a', jti: 'jti-1', expiresAt: T0 + 600_000 })).toEqual({
      replayed: false,
      ended: 0,
    });
    expect(await sessions.get(a.id)).toBeUndefined();
    expect(await sessions.get(b.id)).toBeDefined();
    expect((await sessions.endSso({ sid: 'sid-b', jti: 'jti-1', expiresAt: T0 + 600_000 })).replayed).toBe(
      true,
    );
    expect(await sessions.get(b.id), 'a replay ends nothing').toBeDefined();
    await sessions.endSso({ subject: 'oidc:frank', jti: 'jti-2', expiresAt: T0 + 600_000 });
    expect(await sessions.get(b.id)).toBeUndefined();
    // A sign-in after the logout is a new session.
    clock = T0 + 2000;
    const c = await sessions.create(sso, undefined, 'sid-c');
    expect(await sessions.get(c.id)).toBeDefined();
  });

  it('the login form signs in and the pages open on a read-only store', async () => {
    clock = T0;
    const app = createApp({
      store,
      config: {},
      // (The token of the tests above is revoked now: an OIDC identity signs in here.)
      authenticate: authenticateAs({
        'ro-token': { subject: 'oidc:ro-user', role: 'viewer', scope: { clusters: ['c1'] }, via: 'oidc' },
      }),
      logger: silentLogger,
      now: () => new Date(clock),
    });
    const form = await app.request('/login');
    const csrfCookie = form.headers.getSetCookie().find((l) => l.startsWith('rs_login_csrf='))!;
    const csrf = /rs_login_csrf=([^;]*)/.exec(csrfCookie)![1]!;
    const body = new URLSearchParams({ csrf, token: 'ro-token', next: '/sources' }).toString();
    const login = await app.request('/login', {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(Buffer.byteLength(body)),
        cookie: `rs_login_csrf=${csrf}`,
      },
    });
    expect(login.status, await login.clone().text()).toBe(303);
    expect(login.headers.get('location')).toBe('/sources');
    const session = login.headers.getSetCookie().find((l) => l.startsWith('rs_session='))!;
    expect(session).toMatch(/HttpOnly/);
    const value = /rs_session=([^;]*)/.exec(session)![1]!;
    expect(value.startsWith('v1.')).toBe(true);
    const page = await app.request('/sources', { headers: { cookie: `rs_session=${value}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('oidc:ro-user');
  });
});
