// GET /metrics over the small fleet of test-support/fleet.ts (2 clusters × 2 namespaces, 5
// containers, one HIGH fixable non-KEV vulnerability in the image of vm-1, vm-3 and vm-4): the
// exposition passes `promtool check metrics`, its figures equal the hand counts of the fixture, a
// scoped viewer sees only its scope's numbers, extra labels are capped with the rest summed as
// `other`, the HTTP histogram is labelled by route template, and the Grafana dashboard
// (deploy/grafana/runsight.json) queries only metrics the exposition has.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../core/access.js';
import { silentLogger } from '../../core/logger.js';
import {
  familyNames,
  PROMTOOL,
  parseSamples,
  promtoolCheck,
  SKIP_PROMTOOL,
  sum,
} from '../../reports/metrics/test-support/exposition.js';
import { openStore, type Store } from '../../store/index.js';
import { type App, createApp } from '../app.js';
import type { AppConfig } from '../config.js';
import { authenticateAs } from '../test-support/authenticate.js';
import { buildFleet, type Fleet } from '../test-support/fleet.js';

const PRINCIPALS: Record<string, Principal> = {
  viewer: { subject: 'token:viewer', role: 'viewer', scope: {}, via: 'token' },
  'viewer-nsb': {
    subject: 'token:viewer-nsb',
    role: 'viewer',
    scope: { namespaces: ['ns-b'] },
    via: 'token',
  },
  'viewer-c1': { subject: 'token:viewer-c1', role: 'viewer', scope: { clusters: ['c1'] }, via: 'token' },
};

const authenticate = authenticateAs(PRINCIPALS);

let fleet: Fleet;
let store: Store;
const apps = new Map<string, App>();

function app(config: AppConfig = {}): App {
  const key = JSON.stringify(config);
  let a = apps.get(key);
  if (!a) {
    a = createApp({ store, config, authenticate, logger: silentLogger });
    apps.set(key, a);
  }
  return a;
}

async function scrape(token?: string, config: AppConfig = {}): Promise<string> {
  const res = await app(config).request('/metrics', {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return text;
}

beforeAll(async () => {
  fleet = await buildFleet();
  store = await openStore({ dataDir: fleet.dataDir });
}, 600_000);
afterAll(async () => {
  await store?.close();
  if (fleet) rmSync(fleet.dir, { recursive: true, force: true });
});

const HIGH_FIX = { severity: 'high', kev: 'false', fixable: 'true' };

describe('GET /metrics', () => {
  it.skipIf(SKIP_PROMTOOL)('passes promtool check metrics on a real scrape', async () => {
    expect(PROMTOOL, 'promtool is required under CI (apt-get install prometheus)').toBeDefined();
    await app().request('/api/v1/containers/cmdb%2Fvm-1', { headers: { authorization: 'Bearer viewer' } });
    const text = await scrape('viewer');
    const r = promtoolCheck(text);
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
    // promtool does refuse: a duplicate family fails it.
    expect(promtoolCheck(`${text}\n# TYPE runsight_containers gauge\nrunsight_containers 1\n`).code).not.toBe(
      0,
    );
  });

  it('reports the fixture’s hand-counted figures', async () => {
    const s = parseSamples(await scrape('viewer'));
    const c1 = { cluster: 'c1', environment: 'prod' };
    const c2 = { cluster: 'c2', environment: 'prod' };
    expect(sum(s, 'runsight_containers', c1)).toBe(2);
    expect(sum(s, 'runsight_containers', c2)).toBe(3);
    expect(sum(s, 'runsight_containers_unresolved')).toBe(0);
    expect(sum(s, 'runsight_containers_unscanned')).toBe(0);
    // vm-1 (c1), vm-3 and vm-4 (c2) run the vulnerable image: one HIGH fixable vulnerability each.
    expect(sum(s, 'runsight_finding_instances', { ...c1, ...HIGH_FIX })).toBe(1);
    expect(sum(s, 'runsight_finding_instances', { ...c2, ...HIGH_FIX })).toBe(2);
    expect(sum(s, 'runsight_finding_instances')).toBe(3);
    expect(sum(s, 'runsight_vulnerable_containers', { ...c1, ...HIGH_FIX })).toBe(1);
    expect(sum(s, 'runsight_vulnerable_containers', { ...c2, ...HIGH_FIX })).toBe(2);
    expect(sum(s, 'runsight_vulnerable_containers')).toBe(3);
    expect(sum(s, 'runsight_vulnerabilities', { cluster: 'c1', ...HIGH_FIX })).toBe(1);
    expect(sum(s, 'runsight_vulnerabilities', { cluster: 'c2', ...HIGH_FIX })).toBe(1);
    expect(sum(s, 'runsight_fleet_vulnerabilities', HIGH_FIX)).toBe(1);
    expect(sum(s, 'runsight_fleet_vulnerabilities')).toBe(1);
    // Every cell is present (zeros included): 2 cluster × environment groups × 20 cells.
    expect(s.filter((x) => x.name === 'runsight_finding_instances')).toHaveLength(40);
    expect(s.find((x) => x.name === 'runsight_inventory_age_seconds')?.labels).toEqual({
      source: 'cmdb',
      kind: 'cmdb',
    });
    expect(sum(s, 'runsight_images_scanned_in_use', { source: 'runsight' })).toBe(2);
    expect(s.find((x) => x.name === 'runsight_build_info')?.value).toBe(1);
    // Bounded labels only: no image, pod, container or vulnerability ever appears in a label.
    for (const x of s)
      for (const v of Object.values(x.labels)) expect(v).not.toMatch(/sha256:|vm-\d|CVE-|alpine/);
  });

  it('needs a token by default, and honours the caller’s scope', async () => {
    const res = await app().request('/metrics');
    expect(res.status).toBe(401);
    // ns-b: vm-2 (c1, patched), vm-4 (c2, vulnerable), vm-5 (c2, patched).
    const s = parseSamples(await scrape('viewer-nsb'));
    expect(sum(s, 'runsight_containers', { cluster: 'c1' })).toBe(1);
    expect(sum(s, 'runsight_containers', { cluster: 'c2' })).toBe(2);
    expect(sum(s, 'runsight_finding_instances', { cluster: 'c1' })).toBe(0);
    expect(sum(s, 'runsight_finding_instances', { cluster: 'c2', ...HIGH_FIX })).toBe(1);
    expect(sum(s, 'runsight_vulnerable_containers')).toBe(1);
    expect(sum(s, 'runsight_vulnerabilities', { cluster: 'c1' })).toBe(0);
    expect(sum(s, 'runsight_vulnerabilities', { cluster: 'c2' })).toBe(1);
    expect(sum(s, 'runsight_fleet_vulnerabilities')).toBe(1);
    const c1 = parseSamples(await scrape('viewer-c1'));
    expect(sum(c1, 'runsight_containers')).toBe(2);
    expect(c1.some((x) => x.labels.cluster === 'c2')).toBe(false);
    expect(sum(c1, 'runsight_fleet_vulnerabilities', HIGH_FIX)).toBe(1);
  });

  it('serves everyone the whole fleet with requireToken: false', async () => {
    const s = parseSamples(await scrape(undefined, { metrics: { requireToken: false } }));
    expect(sum(s, 'runsight_containers')).toBe(5);
    // A scoped token does not narrow the public exposition either.
    const t = parseSamples(await scrape('viewer-c1', { metrics: { requireToken: false } }));
    expect(sum(t, 'runsight_containers')).toBe(5);
  });

  it('caps namespace and owner labels, summing the rest as other', async () => {
    const config = { metrics: { labels: ['namespace', 'owner'] as ('namespace' | 'owner')[], labelCap: 1 } };
    const s = parseSamples(await scrape('viewer', config));
    // ns-b has 3 containers, ns-a 2: ns-b is kept; team-c2 has 3, team-c1 2: team-c2 is kept.
    expect(new Set(s.filter((x) => x.name === 'runsight_containers').map((x) => x.labels.namespace))).toEqual(
      new Set(['ns-b', 'other']),
    );
    expect(sum(s, 'runsight_containers', { namespace: 'ns-b' })).toBe(3);
    expect(sum(s, 'runsight_containers', { namespace: 'other' })).toBe(2);
    expect(sum(s, 'runsight_containers', { owner: 'team-c2' })).toBe(3);
    expect(sum(s, 'runsight_containers', { owner: 'other' })).toBe(2);
    // vm-1 (ns-a → other, team-c1 → other) and vm-3 (ns-a → other, team-c2), vm-4 (ns-b, team-c2).
    expect(sum(s, 'runsight_finding_instances', { namespace: 'other', owner: 'other' })).toBe(1);
    expect(sum(s, 'runsight_finding_instances', { namespace: 'other', owner: 'team-c2' })).toBe(1);
    expect(sum(s, 'runsight_finding_instances', { namespace: 'ns-b' })).toBe(1);
    expect(sum(s, 'runsight_finding_instances')).toBe(3);
  });

  it('labels request durations by route template, never by raw path', async () => {
    const a = app();
    const ok = await a.request('/api/v1/containers/cmdb%2Fvm-1', {
      headers: { authorization: 'Bearer viewer' },
    });
    expect(ok.status).toBe(200);
    expect((await a.request('/no/such/path', { headers: { authorization: 'Bearer viewer' } })).status).toBe(
      404,
    );
    const text = await scrape('viewer');
    const s = parseSamples(text);
    expect(
      sum(s, 'runsight_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/api/v1/containers/{id}',
        status: '2xx',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sum(s, 'runsight_http_request_duration_seconds_count', { route: '(unmatched)', status: '4xx' }),
    ).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('vm-1');
    expect(text).not.toContain('/no/such/path');
  });

  it('has every metric the Grafana dashboard queries', async () => {
    const dashboard = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../../deploy/grafana/runsight.json'), 'utf8'),
    ) as { panels: { title: string; targets?: { expr: string }[] }[] };
    const families = familyNames(await scrape('viewer'));
    const queried = new Set<string>();
    for (const p of dashboard.panels)
      for (const t of p.targets ?? [])
        for (const m of t.expr.matchAll(/\b(runsight_[a-z_]+|process_[a-z_]+|nodejs_[a-z_]+)\b/g))
          queried.add(m[1]!);
    expect(queried.size).toBeGreaterThan(10);
    for (const name of queried) {
      const base = name.replace(/_(bucket|count|sum)$/, '');
      expect(families.has(name) || families.has(base), `${name} is not in the exposition`).toBe(true);
    }
  });
});
