// The API client against a small Hono app served on loopback that answers as the API does
// (`{error: {code, message}}`, cursor pages): paging, query strings, path escaping, and each failure
// mapped to the CLI's typed errors (401/403, 404, other 4xx → exit 2; 5xx, network, timeout → exit
// 3) with messages that never carry the token. The real app is exercised in src/cli/remote-mode.test.ts,
// and here for `vuln where`, which the client walks in pages: over a PGlite fleet of 7 carriers, pages
// of 2 take 4 requests and assemble the local view's document byte for byte (its JSON text).
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonText } from '../cli/output.js';
import type { Principal } from '../core/access.js';
import { InputError, InterruptedError, RunsightError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { syncPosture } from '../propagation/index.js';
import {
  addContainers,
  addManifest,
  addScan,
  addSource,
  digestOf,
} from '../propagation/test-support/fleet.js';
import { openStore } from '../store/index.js';
import { vulnWhere } from '../views/index.js';
import { createApp } from './app.js';
import { createClient } from './client.js';

const TOKEN = 'rs_test_0123456789abcdef';
let url: string;
let closedUrl: string;
let server: ReturnType<typeof serve>;
const seen: string[] = [];

beforeAll(async () => {
  const app = new Hono();
  app.use('*', async (c, next) => {
    seen.push(c.req.url.replace(/^http:\/\/[^/]+/, ''));
    if (c.req.header('authorization') !== `Bearer ${TOKEN}`)
      return c.json({ error: { code: 'unauthorized', message: 'unknown or revoked token' } }, 401);
    await next();
  });
  // Three containers, two per page; the cursor is the last id of the page.
  const all = ['a', 'b', 'c'].map((id) => ({ id }));
  app.get('/api/v1/containers', (c) => {
    const after = c.req.query('after');
    const limit = Number(c.req.query('limit'));
    const from = after ? all.findIndex((x) => x.id === after) + 1 : 0;
    const items = all.slice(from, from + limit);
    return c.json({ items, next: from + limit < all.length ? items.at(-1)!.id : null });
  });
  app.get('/api/v1/posture', (c) => c.json({ query: c.req.queries() }));
  let resets = 0;
  app.get('/api/v1/workloads/:key', (c) => {
    // The first request for `flaky` loses its connection before any answer (a closed keep-alive).
    if (c.req.param('key') === 'flaky' && resets++ === 0)
      (c.env as { incoming: { socket: { destroy(): void } } }).incoming.socket.destroy();
    return c.json({ workload: c.req.param('key'), resets });
  });
  app.get('/api/v1/vulnerabilities/:id/where', (c) =>
    c.json({ error: { code: 'not_found', message: `no vulnerability ${c.req.param('id')}` } }, 404),
  );
  app.get('/api/v1/images/:ref', (c) =>
    c.json({ error: { code: 'bad_request', message: `bad reference ${c.req.param('ref')}` } }, 400),
  );
  app.get('/api/v1/containers/:id', (c) =>
    c.json({ error: { code: 'forbidden', message: `token ${TOKEN} may not read this` } }, 403),
  );
  app.get('/api/v1/validate', (c) =>
    c.json({ error: { code: 'internal', message: 'internal error; the server log has the details' } }, 500),
  );
  app.get('/api/v1/vulnerabilities/:id', async (c) => {
    await new Promise((r) => setTimeout(r, 2000));
    return c.json({ id: c.req.param('id') });
  });
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A port that was open a moment ago and is closed now: connection refused.
  const gone = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => gone.once('listening', resolve));
  closedUrl = `http://127.0.0.1:${(gone.address() as AddressInfo).port}`;
  await new Promise((resolve) => gone.close(resolve));
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

async function failure(p: Promise<unknown>): Promise<RunsightError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RunsightError);
  return err as RunsightError;
}

describe('createClient', () => {
  it('pages through the whole container list with the filters in the query string', async () => {
    const client = createClient({ url, token: TOKEN, pageSize: 2 });
    seen.length = 0;
    const items = await client.containers({
      cluster: 'prod',
      namespaces: ['shop', 'cart'],
      includeRemoved: true,
    });
    expect(items.map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(seen).toEqual([
      '/api/v1/containers?cluster=prod&namespace=shop&namespace=cart&all=true&limit=2',
      '/api/v1/containers?cluster=prod&namespace=shop&namespace=cart&all=true&limit=2&after=b',
    ]);
  });

  it('sends the posture query, leaving out what is not set', async () => {
    const client = createClient({ url: `${url}/`, token: TOKEN });
    const r = (await client.posture({
      by: 'cluster',
      severity: 'HIGH',
      kev: true,
      fixable: false,
      top: 5,
    })) as unknown;
    expect(r).toEqual({ query: { by: ['cluster'], severity: ['HIGH'], kev: ['true'], top: ['5'] } });
  });

  it('escapes a workload key with slashes into one path segment', async () => {
    const client = createClient({ url, token: TOKEN });
    const w = await client.workload('prod/shop/Deployment/a b');
    expect(w.workload).toBe('prod/shop/Deployment/a b');
  });

  it('sends a GET again once when its connection was reset', async () => {
    const w = (await createClient({ url, token: TOKEN }).workload('flaky')) as unknown;
    expect(w).toEqual({ workload: 'flaky', resets: 2 });
  });

  it('a missing or refused token is an input error that names RUNSIGHT_TOKEN, never the token', async () => {
    const none = await failure(createClient({ url }).posture({}));
    expect(none).toBeInstanceOf(InputError);
    expect(none.exitCode).toBe(2);
    expect(none.message).toBe(
      `the Runsight server at ${url} refused the token (HTTP 401: unknown or revoked token); check RUNSIGHT_TOKEN (or --token-file): it must be a current token with access to /api/v1/posture`,
    );
    const forbidden = await failure(createClient({ url, token: TOKEN }).container('x'));
    expect(forbidden.exitCode).toBe(2);
    expect(forbidden.message).toContain('HTTP 403: token *** may not read this');
    expect(forbidden.message).not.toContain(TOKEN);
  });

  it('404 and other 4xx are input errors with the server message; 5xx is a runtime failure', async () => {
    const client = createClient({ url, token: TOKEN });
    const missing = await failure(client.vulnerabilityWhere('CVE-0000-1'));
    expect(missing).toBeInstanceOf(InputError);
    expect(missing.message).toBe('not found (HTTP 404): no vulnerability CVE-0000-1');
    const bad = await failure(client.image('reg.example/app:1'));
    expect(bad.exitCode).toBe(2);
    expect(bad.message).toBe(
      'the Runsight server refused the request (HTTP 400): bad reference reg.example/app:1',
    );
    const broken = await failure(client.validate({}));
    expect(broken).not.toBeInstanceOf(InputError);
    expect(broken.exitCode).toBe(3);
    expect(broken.message).toBe(
      `the Runsight server at ${url} failed (HTTP 500): internal error; the server log has the details`,
    );
  });

  it('a closed port is a runtime failure with one clear line', async () => {
    const err = await failure(createClient({ url: closedUrl, token: TOKEN }).posture({}));
    expect(err.exitCode).toBe(3);
    expect(err.message).toBe(
      `cannot reach the Runsight server at ${closedUrl} (ECONNREFUSED); check --server or RUNSIGHT_SERVER and that "runsight serve" is running`,
    );
  });

  it('a slow answer times out; an aborted signal surfaces its own reason', async () => {
    const slow = await failure(createClient({ url, token: TOKEN, timeoutMs: 200 }).vulnerability('CVE-1'));
    expect(slow.exitCode).toBe(3);
    expect(slow.message).toBe(
      `the Runsight server at ${url} did not answer GET /api/v1/vulnerabilities/CVE-1 within 0.2 s`,
    );
    const ac = new AbortController();
    const pending = createClient({ url, token: TOKEN, signal: ac.signal }).vulnerability('CVE-1');
    ac.abort(new InterruptedError('SIGINT'));
    expect((await failure(pending)).exitCode).toBe(130);
  });

  it('refuses a URL that is not http(s), without showing credentials', () => {
    expect(() => createClient({ url: 'ftp://user:secret@host' })).toThrow(InputError);
    expect(() => createClient({ url: 'ftp://user:secret@host' })).toThrow(/"ftp:\/\/\*\*\*@host"/);
    expect(() => createClient({ url: 'not a url' })).toThrow(/such as http:\/\/127\.0\.0\.1:8080/);
  });
});

describe('vuln where through the client', () => {
  const V1 = digestOf('where-v1');
  const V2 = digestOf('where-v2');
  const CLEAN = digestOf('where-clean');

  it('walks the containers in pages and returns the local document, byte for byte', {
    timeout: 120_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runsight-client-where-'));
    const store = await openStore({ dataDir: dir });
    try {
      const src = await addSource(store);
      for (const d of [V1, V2, CLEAN]) await addManifest(store, d);
      await addScan(store, V1, [{ id: 'CVE-2024-9', severity: 'HIGH', pkg: 'zlib', fixed: '1.1' }]);
      await addScan(store, V2, [
        { id: 'CVE-2024-9', severity: 'CRITICAL', pkg: 'openssl' },
        { id: 'CVE-2024-9', severity: 'CRITICAL', pkg: 'zlib' },
      ]);
      await addScan(store, CLEAN, [{ id: 'CVE-2024-8', severity: 'LOW' }]);
      const c = (
        id: string,
        cluster: string,
        namespace: string,
        kind: string,
        name: string,
        digest: string,
      ) => ({
        id,
        image: `app:${id}`,
        digest,
        cluster,
        namespace,
        workloadKind: kind,
        workloadName: name,
      });
      await addContainers(store, src, [
        c('p/api-2', 'prod', 'shop', 'Deployment', 'api', V1),
        c('p/api-1', 'prod', 'shop', 'Deployment', 'api', V1),
        c('p/db-1', 'prod', 'shop', 'StatefulSet', 'db', V1),
        c('p/web-1', 'prod', 'blog', 'Deployment', 'web', V2),
        c('a/web-1', 'prod', 'blog', 'Deployment', 'web', V2),
        c('s/job-1', 'stage', 'shop', 'Deployment', 'job', V2),
        c('s/api-1', 'stage', 'shop', 'Deployment', 'api', V1),
        c('p/clean-1', 'prod', 'shop', 'Deployment', 'clean', CLEAN),
      ]);
      await syncPosture(store);
      const local = await vulnWhere(store, 'CVE-2024-9');

      const viewer: Principal = { subject: 'token:test', role: 'viewer', scope: {}, via: 'token' };
      const app = createApp({ store, config: {}, logger: silentLogger, authenticate: async () => viewer });
      const requests: string[] = [];
      const client = createClient({
        url: 'http://runsight.test',
        token: TOKEN,
        pageSize: 2,
        fetch: async (input, init) => {
          const u = new URL(String(input));
          requests.push(`${u.pathname}${u.search}`);
          return app.request(`${u.pathname}${u.search}`, init);
        },
      });
      const remote = await client.vulnerabilityWhere('CVE-2024-9');

      // In the list's order (cluster, namespace, kind, name, id); workloads and images as first met.
      expect(local.containers.map((x) => x.containerId)).toEqual([
        'a/web-1',
        'p/web-1',
        'p/api-1',
        'p/api-2',
        'p/db-1',
        's/api-1',
        's/job-1',
      ]);
      expect(local.workloads.map((w) => [w.cluster, w.namespace, w.kind, w.name, w.containers])).toEqual([
        ['prod', 'blog', 'Deployment', 'web', 2],
        ['prod', 'shop', 'Deployment', 'api', 2],
        ['prod', 'shop', 'StatefulSet', 'db', 1],
        ['stage', 'shop', 'Deployment', 'api', 1],
        ['stage', 'shop', 'Deployment', 'job', 1],
      ]);
      expect(local.images).toEqual([V2, V1]);
      expect(jsonText(remote)).toBe(jsonText(local));
      // Seven containers in pages of two: four requests, each after the previous page's `next`.
      expect(requests).toHaveLength(4);
      expect(requests[0]).toBe('/api/v1/vulnerabilities/CVE-2024-9/where?limit=2');
      for (const r of requests.slice(1))
        expect(r).toMatch(
          /^\/api\/v1\/vulnerabilities\/CVE-2024-9\/where\?limit=2&after=[\w-]+&summary=false$/,
        );
      expect(new Set(requests).size).toBe(4);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
