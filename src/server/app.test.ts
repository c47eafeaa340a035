// The HTTP API in-process (Hono's app.request): every route's validation (400 naming the field),
// authentication (401), roles (403), scope (404 outside it, never 403; totals over the scope),
// cursor paging, body limits (413) and the audit of writes — over the small fleet of
// test-support/fleet.ts (2 clusters × 2 namespaces, hand-worked expectations). The JSON of
// containers, posture and vuln where equals the CLI's `--format json` on the same store.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../core/access.js';
import { silentLogger } from '../core/logger.js';
import { openStore, type Store } from '../store/index.js';
import { type App, createApp } from './app.js';
import { openApiDocument } from './openapi-page.js';
import { authenticateAs } from './test-support/authenticate.js';
import { buildFleet, CVE, type Fleet } from './test-support/fleet.js';

const TESTDATA = join(import.meta.dirname, '../../testdata/importers/');
const KEYCLOAK = `${TESTDATA}grype/keycloak-test.json`;
// From src/cli/commands/import.test.ts: the report's amd64 manifest, 6 findings.
const KEYCLOAK_AMD64 = 'sha256:d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e';
const MAX_BODY = 40_000; // the keycloak report is 37,565 bytes

const PRINCIPALS: Record<string, Principal> = {
  viewer: { subject: 'token:viewer', role: 'viewer', scope: {}, via: 'token' },
  operator: { subject: 'token:operator', role: 'operator', scope: {}, via: 'token' },
  admin: { subject: 'token:admin', role: 'admin', scope: {}, via: 'token' },
  'viewer-c1': { subject: 'token:viewer-c1', role: 'viewer', scope: { clusters: ['c1'] }, via: 'token' },
  'viewer-nsb': {
    subject: 'token:viewer-nsb',
    role: 'viewer',
    scope: { namespaces: ['ns-b'] },
    via: 'token',
  },
  'viewer-c1-nsb': {
    subject: 'token:viewer-c1-nsb',
    role: 'viewer',
    scope: { clusters: ['c1'], namespaces: ['ns-b'] },
    via: 'token',
  },
  'operator-c1': {
    subject: 'token:operator-c1',
    role: 'operator',
    scope: { clusters: ['c1'] },
    via: 'token',
  },
};

const fakeAuthenticate = authenticateAs(PRINCIPALS);

let fleet: Fleet;
let store: Store;
let app: App;
/** The CLI's `--format json` documents, taken before the app opened the store. */
const cliJson: Record<string, unknown> = {};

const CLI_VIEWS: Record<string, string[]> = {
  containers: ['containers'],
  'containers c2': ['containers', '--cluster', 'c2'],
  'posture cluster': ['posture', '--by', 'cluster'],
  'posture workload high ns-b': [
    'posture',
    '--by',
    'workload',
    '--severity',
    'high',
    '--namespace',
    'ns-b',
    '--top',
    '5',
  ],
  where: ['vuln', 'where', CVE],
};

beforeAll(async () => {
  fleet = await buildFleet();
  for (const [name, args] of Object.entries(CLI_VIEWS)) {
    const r = await fleet.cli('--format', 'json', ...args);
    expect(r.code, r.stderr).toBe(0);
    cliJson[name] = r.json();
  }
  store = await openStore({ dataDir: fleet.dataDir });
  app = createApp({
    store,
    config: { server: { maxBodyBytes: MAX_BODY } },
    authenticate: fakeAuthenticate,
    logger: silentLogger,
  });
}, 600_000);
afterAll(async () => {
  await store?.close();
  if (fleet) rmSync(fleet.dir, { recursive: true, force: true });
});

function get(path: string, token?: string) {
  return app.request(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}
function post(path: string, token: string | undefined, body: string | Uint8Array, type = 'application/json') {
  return app.request(path, {
    method: 'POST',
    body,
    headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
}
async function json<T = Record<string, unknown>>(
  res: Response | Promise<Response>,
  status = 200,
): Promise<T> {
  const r = await res;
  const text = await r.text();
  expect(r.status, text).toBe(status);
  return JSON.parse(text) as T;
}
interface Page {
  items: { id: string; cluster: string; namespace: string }[];
  next: string | null;
}
async function allContainers(token: string, query = '', limit = 2): Promise<Page['items']> {
  const items: Page['items'] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 20; pages++) {
    const q = `limit=${limit}${query}${after ? `&after=${encodeURIComponent(after)}` : ''}`;
    const page: Page = await json(get(`/api/v1/containers?${q}`, token));
    items.push(...page.items);
    if (!page.next) return items;
    after = page.next;
  }
  throw new Error('paging did not end');
}
const ids = (items: { id: string }[]) => items.map((i) => i.id).sort();
/** Fields that depend on the moment a document was made (ages, "since"), set aside for equality. */
function timeless(doc: unknown): unknown {
  return JSON.parse(JSON.stringify(doc), (k, v) =>
    ['ageSeconds', 'since', 'now', 'exposureSeconds'].includes(k) ? undefined : v,
  );
}

/** Every route of the app, as `METHOD /path` (OpenAPI paths, plus the two meta routes). */
function registeredRoutes(): string[] {
  const doc = openApiDocument(app);
  const fromDoc = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
    ([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
  );
  // app.routes holds what Hono dispatches (middleware as ALL): a route missing from the document shows here.
  const fromHono = app.routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`);
  return [...new Set([...fromDoc, ...fromHono])].sort();
}

describe('health and authentication', () => {
  it('/healthz and /readyz answer without a token', async () => {
    expect(await json(get('/healthz'))).toEqual({ status: 'ok' });
    expect(await json(get('/readyz'))).toMatchObject({ status: 'ready' });
  });

  it('every other route is 401 without a token, with the error shape and WWW-Authenticate', async () => {
    for (const route of registeredRoutes()) {
      const [method, path] = route.split(' ') as [string, string];
      if (path === '/healthz' || path === '/readyz') continue;
      const url = path.replace(/\{[^}]+\}/g, 'x');
      const r = await app.request(url, { method, body: method === 'POST' ? '{}' : undefined });
      expect(r.status, route).toBe(401);
      expect(r.headers.get('www-authenticate'), route).toMatch(/^Bearer/);
      expect(await r.json(), route).toEqual({
        error: { code: 'unauthorized', message: 'an API token is required' },
      });
    }
  });

  it('a viewer may not write or read the audit log (403); security headers are set', async () => {
    const r = await post('/api/v1/inventory/x/batches', 'viewer', JSON.stringify({ type: 'delta' }));
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect((await get('/api/v1/audit', 'operator')).status).toBe(403);
    const h = (await get('/healthz')).headers;
    expect(h.get('x-content-type-options')).toBe('nosniff');
    expect(h.get('access-control-allow-origin')).toBeNull(); // no CORS unless configured
  });

  it('an unknown route is a JSON 404', async () => {
    expect(await json(get('/api/v1/nothing', 'viewer'), 404)).toEqual({
      error: { code: 'not_found', message: 'no route GET /api/v1/nothing' },
    });
  });
});

describe('validation errors name the field', () => {
  it.each([
    ['/api/v1/containers?limit=0', 'query.limit'],
    ['/api/v1/containers?limit=abc', 'query.limit'],
    ['/api/v1/containers?all=maybe', 'query.all'],
    ['/api/v1/posture?by=planet', 'query.by'],
    ['/api/v1/posture?severity=dire', 'query.severity'],
    ['/api/v1/posture?top=0', 'query.top'],
    ['/api/v1/audit?from=yesterday', 'query.from'],
    ['/api/v1/images/a/diff/b?platform=amd64', 'query.platform'],
  ])('%s → 400 naming %s', async (url, field) => {
    const token = url.includes('audit') ? 'admin' : 'viewer';
    const body = await json<{ error: { code: string; message: string } }>(get(url, token), 400);
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message.startsWith(`${field}:`), body.error.message).toBe(true);
  });

  it('a bad inventory body names the path inside it', async () => {
    const bad = { type: 'full', containers: [{ id: 'x', container: 'c', image: 'i', digest: 'sha256:zz' }] };
    const body = await json<{ error: { message: string } }>(
      post('/api/v1/inventory/src/batches', 'operator', JSON.stringify(bad)),
      400,
    );
    expect(body.error.message).toMatch(/^json\.containers\.0\.digest: expected sha256: and 64 hex digits/);
  });

  it('a cursor that the listing did not return is 400', async () => {
    const body = await json<{ error: { code: string } }>(
      get('/api/v1/containers?after=bm9wZQ', 'viewer'),
      400,
    );
    expect(body.error.code).toBe('bad_request');
  });
});

describe('paging', () => {
  it('walks every container once, in pages of 2 (3 pages for 5)', async () => {
    const first: Page = await json(get('/api/v1/containers?limit=2', 'viewer'));
    expect(first.items).toHaveLength(2);
    expect(first.next).toEqual(expect.any(String));
    const items = await allContainers('viewer');
    expect(items.map((i) => i.id)).toEqual(['cmdb/vm-1', 'cmdb/vm-2', 'cmdb/vm-3', 'cmdb/vm-4', 'cmdb/vm-5']);
    const one = await allContainers('viewer', '', 1);
    expect(one.map((i) => i.id)).toEqual(items.map((i) => i.id));
  });

  it('filters: cluster, repeated namespace', async () => {
    expect(ids(await allContainers('viewer', '&cluster=c2'))).toEqual([
      'cmdb/vm-3',
      'cmdb/vm-4',
      'cmdb/vm-5',
    ]);
    expect(ids(await allContainers('viewer', '&namespace=ns-a&namespace=ns-b&cluster=c1'))).toEqual([
      'cmdb/vm-1',
      'cmdb/vm-2',
    ]);
  });
});

describe('the same documents as the CLI', () => {
  it('GET /containers items = `containers --format json` (also filtered)', async () => {
    const items = await allContainers('viewer', '', 3);
    expect(items).toEqual(cliJson.containers);
    expect(await allContainers('viewer', '&cluster=c2', 1)).toEqual(cliJson['containers c2']);
  });

  it('GET /posture = `posture --format json` (ages set aside)', async () => {
    const byCluster = await json(get('/api/v1/posture?by=cluster', 'viewer'));
    expect(timeless(byCluster)).toEqual(timeless(cliJson['posture cluster']));
    const filtered = await json(
      get('/api/v1/posture?by=workload&severity=high&namespace=ns-b&top=5', 'viewer'),
    );
    expect(timeless(filtered)).toEqual(timeless(cliJson['posture workload high ns-b']));
  });

  it('GET /vulnerabilities/{id}/where = `vuln where --format json`', async () => {
    expect(await json(get(`/api/v1/vulnerabilities/${CVE}/where`, 'viewer'))).toEqual(cliJson.where);
  });
});

/**
 * What each route shows scoped callers (hand-worked from the fleet). A route of the app that has no
 * entry here fails the test: a new route must say how it honours the scope.
 */
const SCOPE_CHECKS: Record<string, () => Promise<void>> = {
  'GET /healthz': async () => {}, // public, no data
  'GET /readyz': async () => {},
  'GET /openapi.json': async () => {
    expect((await get('/openapi.json', 'viewer-c1')).status).toBe(200); // the document, no data
  },
  'GET /docs': async () => {
    expect((await get('/docs', 'viewer-c1')).status).toBe(200);
  },
  'GET /metrics': async () => {
    // c1 runs vm-1 and vm-2 only; no series of c2 (src/server/routes/metrics.test.ts has the rest).
    const text = await (await get('/metrics', 'viewer-c1')).text();
    expect(text).toContain('runsight_containers{cluster="c1",environment="prod"} 2');
    expect(text).not.toContain('cluster="c2"');
  },
  'GET /api/v1/containers': async () => {
    expect(ids(await allContainers('viewer-c1'))).toEqual(['cmdb/vm-1', 'cmdb/vm-2']);
    expect(ids(await allContainers('viewer-nsb'))).toEqual(['cmdb/vm-2', 'cmdb/vm-4', 'cmdb/vm-5']);
    expect(ids(await allContainers('viewer-c1-nsb'))).toEqual(['cmdb/vm-2']);
    // A filter cannot widen the scope.
    expect(ids(await allContainers('viewer-c1', '&cluster=c2'))).toEqual([]);
  },
  'GET /api/v1/containers/{id}': async () => {
    expect((await json<{ id: string }>(get('/api/v1/containers/cmdb%2Fvm-1', 'viewer-c1'))).id).toBe(
      'cmdb/vm-1',
    );
    const outside = await json(get('/api/v1/containers/cmdb%2Fvm-3', 'viewer-c1'), 404);
    const unknown = await json(get('/api/v1/containers/cmdb%2Fvm-9', 'viewer-c1'), 404);
    expect(Object.keys(outside)).toEqual(Object.keys(unknown));
  },
  'GET /api/v1/workloads/{key}': async () => {
    const w = await json<{ containers: unknown[] }>(
      get('/api/v1/workloads/c1%2Fns-a%2FDeployment%2Fapi', 'viewer-c1'),
    );
    expect(w.containers).toHaveLength(1);
    await json(get('/api/v1/workloads/c2%2Fns-a%2FDeployment%2Fapi', 'viewer-c1'), 404);
  },
  'GET /api/v1/posture': async () => {
    type Report = { totals: { containers: number; instances: { total: number } }; groups: { key: string }[] };
    // Unrestricted: 5 containers; vm-1, vm-3, vm-4 carry 1 vulnerability each: 3 instances.
    const all = await json<Report>(get('/api/v1/posture?by=cluster', 'viewer'));
    expect(all.totals.containers).toBe(5);
    expect(all.totals.instances.total).toBe(3);
    const c1 = await json<Report>(get('/api/v1/posture?by=cluster', 'viewer-c1'));
    expect(c1.groups.map((g) => g.key)).toEqual(['c1']);
    expect(c1.totals.containers).toBe(2);
    expect(c1.totals.instances.total).toBe(1); // vm-1 only
    const nsb = await json<Report>(get('/api/v1/posture?by=namespace', 'viewer-nsb'));
    expect(nsb.totals.containers).toBe(3);
    expect(nsb.totals.instances.total).toBe(1); // vm-4 only
    const both = await json<Report>(get('/api/v1/posture?by=namespace', 'viewer-c1-nsb'));
    expect(both.totals.containers).toBe(1);
    expect(both.totals.instances.total).toBe(0);
  },
  'GET /api/v1/vulnerabilities/{id}': async () => {
    type Vuln = { images: { imageDigest: string }[] };
    const c1 = await json<Vuln>(get(`/api/v1/vulnerabilities/${CVE}`, 'viewer-c1'));
    expect([...new Set(c1.images.map((i) => i.imageDigest))]).toEqual([fleet.vulnerable]);
    // c1/ns-b runs only the patched image: the advisory exists, no image in scope carries it.
    const none = await json<Vuln>(get(`/api/v1/vulnerabilities/${CVE}`, 'viewer-c1-nsb'));
    expect(none.images).toEqual([]);
    await json(get('/api/v1/vulnerabilities/CVE-1999-0000', 'viewer-c1'), 404);
  },
  'GET /api/v1/vulnerabilities/{id}/where': async () => {
    type Where = { containers: { containerId: string }[]; workloads: unknown[] };
    const c1 = await json<Where>(get(`/api/v1/vulnerabilities/${CVE}/where`, 'viewer-c1'));
    expect(c1.containers.map((c) => c.containerId)).toEqual(['cmdb/vm-1']);
    const nsb = await json<Where>(get(`/api/v1/vulnerabilities/${CVE}/where`, 'viewer-nsb'));
    expect(nsb.containers.map((c) => c.containerId)).toEqual(['cmdb/vm-4']);
    expect(nsb.workloads).toHaveLength(1);
    const both = await json<Where>(get(`/api/v1/vulnerabilities/${CVE}/where`, 'viewer-c1-nsb'));
    expect(both.containers).toEqual([]);
    // Paged (read a page at a time in SQL): the pages and the whole-list figures keep to the scope.
    type Page = Where & { images: string[]; next: string | null };
    const page = (who: string, after?: string) =>
      json<Page>(get(`/api/v1/vulnerabilities/${CVE}/where?limit=1${after ? `&after=${after}` : ''}`, who));
    const c2 = await page('viewer-nsb');
    expect([c2.containers.map((c) => c.containerId), c2.workloads.length, c2.next]).toEqual([
      ['cmdb/vm-4'],
      1,
      null,
    ]);
    const all1 = await page('viewer');
    const all2 = await page('viewer', all1.next!);
    expect([...all1.containers, ...all2.containers].map((c) => c.containerId)).toEqual([
      'cmdb/vm-1',
      'cmdb/vm-3',
    ]);
    expect(all1.workloads).toHaveLength(3);
    // viewer-c1's pages end after vm-1: a cursor from a wider scope reveals nothing beyond it.
    const c1Next = await page('viewer-c1', all1.next!);
    expect([c1Next.containers, c1Next.workloads.length, c1Next.images.length, c1Next.next]).toEqual([
      [],
      1,
      1,
      null,
    ]);
  },
  'GET /api/v1/images/{digest}': async () => {
    expect((await json(get(`/api/v1/images/${fleet.vulnerable}`, 'viewer-c1'))).digest).toBe(
      fleet.vulnerable,
    );
    expect((await json(get(`/api/v1/images/${fleet.vulnerable}`, 'viewer-nsb'))).digest).toBe(
      fleet.vulnerable,
    );
    await json(get(`/api/v1/images/${fleet.vulnerable}`, 'viewer-c1-nsb'), 404); // only vm-2 (patched)
    expect((await json(get(`/api/v1/images/${fleet.patched}`, 'viewer-c1-nsb'))).digest).toBe(fleet.patched);
  },
  'GET /api/v1/images/{a}/diff/{b}': async () => {
    type Diff = { fixed: { vulnerabilityId: string }[]; introduced: unknown[] };
    const d = await json<Diff>(get(`/api/v1/images/${fleet.vulnerable}/diff/${fleet.patched}`, 'viewer-c1'));
    expect([...new Set(d.fixed.map((f) => f.vulnerabilityId))]).toEqual([CVE]);
    expect(d.introduced).toEqual([]);
    await json(get(`/api/v1/images/${fleet.vulnerable}/diff/${fleet.patched}`, 'viewer-c1-nsb'), 404);
  },
  'GET /api/v1/validate': async () => {
    const v = await json<{ checks: { name: string }[] }>(get('/api/v1/validate', 'viewer-c1'));
    expect(v.checks.length).toBeGreaterThan(0);
  },
  'GET /api/v1/history': async () => {
    type History = { snapshots: { scopeKey: string; containers: number }[] };
    // The fleet's snapshots cover every container: an unrestricted viewer reads them, c1's does not.
    const fleetAll = await json<History>(get('/api/v1/history?kind=fleet', 'viewer'));
    expect(fleetAll.snapshots.length).toBeGreaterThan(0);
    expect(fleetAll.snapshots[0]!.containers).toBe(5);
    expect((await json<History>(get('/api/v1/history?kind=fleet', 'viewer-c1'))).snapshots).toEqual([]);
    // Cluster c1's history is c1's viewer's; c2's is not (empty, as for an unknown key).
    const c1 = await json<History>(get('/api/v1/history?kind=cluster&key=c1&key=c2', 'viewer-c1'));
    expect(c1.snapshots.length).toBeGreaterThan(0);
    expect(new Set(c1.snapshots.map((s) => s.scopeKey))).toEqual(new Set(['c1']));
    expect(c1.snapshots[0]!.containers).toBe(2);
    await json(get('/api/v1/history?kind=namespace', 'viewer'), 400); // a key is needed
  },
  'GET /api/v1/priorities': async () => {
    type P = { priorities: { vulnerabilityId: string; containers: number }[] };
    // One vulnerability, carried by vm-1 (c1), vm-3 and vm-4 (c2).
    const all = await json<P>(get('/api/v1/priorities', 'viewer'));
    expect(all.priorities.map((p) => [p.vulnerabilityId, p.containers])).toEqual([[CVE, 3]]);
    const c1 = await json<P>(get('/api/v1/priorities', 'viewer-c1'));
    expect(c1.priorities.map((p) => [p.vulnerabilityId, p.containers])).toEqual([[CVE, 1]]);
  },
  'GET /api/v1/coverage': async () => {
    type C = { matchMethods: { containers: number }[] };
    const sum = (c: C) => c.matchMethods.reduce((n, m) => n + m.containers, 0);
    expect(sum(await json<C>(get('/api/v1/coverage', 'viewer')))).toBe(5);
    expect(sum(await json<C>(get('/api/v1/coverage', 'viewer-c1')))).toBe(2);
    expect(sum(await json<C>(get('/api/v1/coverage', 'viewer-c1-nsb')))).toBe(1);
  },
  'GET /api/v1/freshness': async () => {
    const f = await json<{ stale: boolean; scans: unknown }>(get('/api/v1/freshness', 'viewer-c1'));
    expect(typeof f.stale).toBe('boolean');
    expect(f.scans).toBeDefined();
  },
  'GET /api/v1/reports': async () => {
    type R = { scope: string[]; totals: { containers: number; instances: { total: number } } };
    // c1 holds vm-1 (vulnerable) and vm-2 (patched): 2 containers, 1 instance.
    const c1 = await json<R>(get('/api/v1/reports?format=json', 'viewer-c1'));
    expect([c1.scope, c1.totals.containers, c1.totals.instances.total]).toEqual([['cluster=c1'], 2, 1]);
    // A request can only narrow: c2 is outside viewer-c1's scope.
    const wider = await json<{ error: { code: string } }>(
      get('/api/v1/reports?format=json&scope=cluster%3Dc2', 'viewer-c1'),
      403,
    );
    expect(wider.error.code).toBe('forbidden');
    // ns-b narrowed to c2: vm-4 (vulnerable) and vm-5 (patched).
    const nsb = await json<R>(get('/api/v1/reports?format=json&scope=cluster%3Dc2', 'viewer-nsb'));
    expect([nsb.scope, nsb.totals.containers, nsb.totals.instances.total]).toEqual([
      ['cluster=c2', 'namespace=ns-b'],
      2,
      1,
    ]);
    // Streamed finding rows: only vm-1 in c1; an attachment with a safe name.
    const csv = await get('/api/v1/reports?format=csv&rows=finding', 'viewer-c1');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toMatch(
      /^attachment; filename="runsight-cluster-c1-findings-\d{8}T\d{6}Z\.csv"$/,
    );
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['cmdb/vm-1']);
    const html = await get('/api/v1/reports?format=html&scope=namespace%3Dns-b', 'viewer-c1-nsb');
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await html.text()).toContain('cluster=c1, namespace=ns-b');
  },
  'GET /api/v1/images/{digest}/report': async () => {
    // viewer-c1-nsb sees vm-2 only, which runs the patched image: the vulnerable one does not exist for it.
    expect(
      (await get(`/api/v1/images/${fleet.vulnerable}/report?format=openvex`, 'viewer-c1-nsb')).status,
    ).toBe(404);
    expect((await get(`/api/v1/images/${fleet.vulnerable}/report?format=pdf`, 'viewer')).status).toBe(400);
  },
  'GET /api/v1/audit': async () => {
    expect((await get('/api/v1/audit', 'viewer-c1')).status).toBe(403); // admin only
  },
  'POST /api/v1/imports': async () => {
    // Findings belong to images, not containers: a scoped operator may import (docs/api.md).
    expect((await post('/api/v1/imports?format=grype', 'viewer-c1', '{}')).status).toBe(403);
  },
  'POST /api/v1/inventory/{source}/batches': async () => {
    const obs = (id: string, cluster: string) => ({
      id,
      cluster,
      namespace: 'ns-a',
      container: 'app',
      image: 'registry.demo.local/library/alpine:3.18',
      digest: fleet.vulnerable,
      digestKind: 'repo',
      labels: {},
    });
    const outside = await json<{ error: { code: string; message: string } }>(
      post(
        '/api/v1/inventory/agent-c1/batches',
        'operator-c1',
        JSON.stringify({ type: 'delta', added: [obs('c1/x', 'c1'), obs('c2/y', 'c2')], removed: [] }),
      ),
      403,
    );
    expect(outside.error.message).toBe('container "c2/y" (cluster c2, namespace ns-a) is outside your scope');
    // A full list replaces every live container of its source: refused when one is outside the
    // scope (the cmdb source holds vm-3 in c2), accepted for a source that holds only the scope's.
    const replaces = await json<{ error: { code: string; message: string } }>(
      post(
        '/api/v1/inventory/cmdb/batches?kind=cmdb',
        'operator-c1',
        JSON.stringify({ type: 'full', containers: [] }),
      ),
      403,
    );
    expect(replaces.error.message).toMatch(
      /^a full list replaces every container of source "cmdb", and container "cmdb\/vm-\d" \(cluster c2/,
    );
    await json(
      post(
        '/api/v1/inventory/agent-c1/batches',
        'operator-c1',
        JSON.stringify({ type: 'full', containers: [] }),
      ),
      201,
    );
    const landed = await json<{ counts: { added: number } }>(
      post(
        '/api/v1/inventory/agent-c1/batches',
        'operator-c1',
        JSON.stringify({ type: 'delta', added: [obs('c1/x', 'c1')] }),
      ),
      201,
    );
    expect(landed.counts.added).toBe(1);
    // The id of a stored container outside the scope (vm-3, in c2) is refused before the stage
    // sees it: landing it would move that container into the caller's scope.
    const taken = await json<{ error: { code: string; message: string } }>(
      post(
        '/api/v1/inventory/agent-c1/batches',
        'operator-c1',
        JSON.stringify({ type: 'delta', added: [obs('cmdb/vm-3', 'c1')] }),
      ),
      403,
    );
    expect(taken.error.message).toBe(
      'container id "cmdb/vm-3" belongs to a container outside your scope; use a token without a scope',
    );
    // An id of another source's container inside the scope (vm-1, in c1) is still the stage's 400.
    await json(
      post(
        '/api/v1/inventory/agent-c1/batches',
        'operator-c1',
        JSON.stringify({ type: 'delta', added: [obs('cmdb/vm-1', 'c1')] }),
      ),
      400,
    );
    // It shows to c1 viewers only.
    expect(ids(await allContainers('viewer-c1'))).toEqual(['c1/x', 'cmdb/vm-1', 'cmdb/vm-2']);
    expect(ids(await allContainers('viewer-nsb'))).toEqual(['cmdb/vm-2', 'cmdb/vm-4', 'cmdb/vm-5']);
  },
  'POST /api/v1/sboms': async () => {
    // Image-level like imports: any operator, scoped or not; a viewer may not.
    expect((await post('/api/v1/sboms', 'viewer-c1', '{}')).status).toBe(403);
  },
  'POST /api/v1/agents/heartbeat': async () => {
    // An agent speaks only for a cluster inside its scope; viewers may not post.
    const hb = (cluster: string) => JSON.stringify({ cluster, source: cluster, version: '1.0.0' });
    expect((await post('/api/v1/agents/heartbeat', 'operator-c1', hb('c2'))).status).toBe(403);
    expect((await post('/api/v1/agents/heartbeat', 'viewer-c1', hb('c1'))).status).toBe(403);
    await json(post('/api/v1/agents/heartbeat', 'operator-c1', hb('c1')));
    await json(post('/api/v1/agents/heartbeat', 'operator', hb('c2')));
  },
  'GET /api/v1/agents': async () => {
    await json(
      post(
        '/api/v1/agents/heartbeat',
        'operator',
        JSON.stringify({ cluster: 'c1', source: 'c1', version: '1' }),
      ),
    );
    await json(
      post(
        '/api/v1/agents/heartbeat',
        'operator',
        JSON.stringify({ cluster: 'c2', source: 'c2', version: '1' }),
      ),
    );
    type Agents = { agents: { cluster: string }[] };
    const clusters = async (token: string) =>
      (await json<Agents>(get('/api/v1/agents', token))).agents.map((a) => a.cluster);
    expect(await clusters('viewer')).toEqual(['c1', 'c2']);
    expect(await clusters('viewer-c1')).toEqual(['c1']);
    expect(await clusters('viewer-nsb')).toEqual([]);
  },
  'POST /api/v1/scans': async () => {
    // Image-level like imports; a viewer may not.
    expect((await post('/api/v1/scans', 'viewer-c1', JSON.stringify({ reference: 'x' }))).status).toBe(403);
  },
};

describe('scope: every route, a scoped caller sees only its scope', () => {
  it('every registered route has a scope entry (and every entry a route)', () => {
    expect(registeredRoutes()).toEqual(Object.keys(SCOPE_CHECKS).sort());
  });
  // In order: the write entries come last and add a container the earlier ones do not expect.
  for (const [route, check] of Object.entries(SCOPE_CHECKS)) it(route, check);
});

describe('writes', () => {
  it('POST /imports lands a real report as the CLI does, and is audited', async () => {
    const report = readFileSync(KEYCLOAK);
    const out = await json<{ images: { digest: string; imported: number }[] }>(
      post('/api/v1/imports?format=grype', 'operator', report, 'application/octet-stream'),
      201,
    );
    expect(out.images).toEqual([
      expect.objectContaining({
        digest: KEYCLOAK_AMD64,
        imported: 6,
        matchMethod: 'manifest-digest',
        source: 'grype',
      }),
    ]);
    const audit = await json<{ entries: { subject: string; action: string; outcome: string }[] }>(
      get('/api/v1/audit?limit=50', 'admin'),
    );
    expect(audit.entries[0]).toMatchObject({
      subject: 'token:operator',
      action: 'POST /api/v1/imports',
      outcome: '201',
    });
    // The refused and failed writes are there too: the viewer's 403, the anonymous 401s.
    const outcomes = audit.entries.map((e) => `${e.subject} ${e.outcome}`);
    expect(outcomes).toContain('token:viewer 403');
    expect(outcomes).toContain('anonymous 401');
    expect(outcomes).toContain('token:operator 400');
  });

  it('a report that is not one is 422 and lands nothing', async () => {
    const body = await json<{ error: { code: string; message: string } }>(
      post('/api/v1/imports?format=grype', 'operator', '{"not":"grype"}'),
      422,
    );
    expect(body.error.code).toBe('not_imported');
    expect(body.error.message).not.toMatch(/runsight-upload/); // no temp path
  });

  it('bodies over server.maxBodyBytes are 413 (streamed import and JSON)', async () => {
    const big = 'x'.repeat(MAX_BODY + 1);
    const imp = await json<{ error: { code: string } }>(post('/api/v1/imports', 'operator', big), 413);
    expect(imp.error.code).toBe('body_too_large');
    // Without a Content-Length: counted as it streams.
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 5; i++) c.enqueue(new TextEncoder().encode('y'.repeat(10_000)));
        c.close();
      },
    });
    const r = await app.request('/api/v1/imports', {
      method: 'POST',
      body: stream,
      headers: { authorization: 'Bearer operator' },
      duplex: 'half', // Node's fetch needs it for a stream body
    } as RequestInit & { duplex: 'half' });
    expect(r.status).toBe(413);
    const inv = await post(
      '/api/v1/inventory/x/batches',
      'operator',
      JSON.stringify({ type: 'full', containers: [], pad: big }),
    );
    expect(inv.status).toBe(413);
  });

  it('POST /scans refuses local paths (the server reads no files for a client)', async () => {
    const body = await json<{ error: { message: string } }>(
      post('/api/v1/scans', 'operator', JSON.stringify({ reference: 'oci:/etc' })),
      400,
    );
    expect(body.error.message).toMatch(/^json\.reference: "oci:\/etc" is not a registry reference/);
  });

  it('error messages carry no control characters', async () => {
    const body = await json<{ error: { message: string } }>(
      get('/api/v1/containers/a%1b%5b31mb', 'viewer'),
      404,
    );
    expect(body.error.message).not.toMatch(/[\u0000-\u001f]/);
  });
});
