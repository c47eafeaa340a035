// Token guessing is slowed: 30 failed credentials from one address in a minute, then 429 with
// Retry-After (before any token is checked) until the minute has passed. Requests without
// credentials never count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../core/access.js';
import { silentLogger } from '../core/logger.js';
import { openStore, type Store } from '../store/index.js';
import { type App, createApp } from './app.js';
import type { AuthFailure } from './auth/index.js';

let store: Store;
let app: App;
let clock = Date.parse('2026-12-01T12:00:00Z');
let checks = 0;

async function authenticate(header: string | undefined): Promise<Principal | AuthFailure> {
  checks++;
  if (header === 'Bearer good') return { subject: 'token:good', role: 'viewer', scope: {}, via: 'token' };
  return { status: 401, message: 'the API token is unknown, revoked or expired' };
}

beforeAll(async () => {
  store = await openStore({ dataDir: 'memory://' });
  app = createApp({ store, config: {}, authenticate, logger: silentLogger, now: () => new Date(clock) });
}, 300_000);
afterAll(() => store?.close());

const call = (token?: string) =>
  app.request('/openapi.json', { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('failed sign-ins are throttled per address', () => {
  it('requests without credentials never count', async () => {
    for (let i = 0; i < 40; i++) expect((await call()).status).toBe(401);
    expect((await call('good')).status).toBe(200);
  });

  it('the 31st failure within a minute is 429 without a check; after the minute, checks resume', async () => {
    for (let i = 0; i < 30; i++) expect((await call(`bad-${i}`)).status).toBe(401);
    const before = checks;
    const blocked = await call('bad-31');
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe('60');
    expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe('too_many_failures');
    // Blocked for every credential from that address, a good one too, and nothing was checked.
    expect((await call('good')).status).toBe(429);
    expect(checks).toBe(before);
    clock += 61_000;
    expect((await call('good')).status).toBe(200);
    expect((await call('bad-again')).status).toBe(401);
  });
});
