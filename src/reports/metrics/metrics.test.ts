// The metrics stage on a generated fleet (bench/propagation.ts `generate`, small: 2,000 containers,
// 40 images × 10 distinct vulnerabilities, 2 clusters, 20 namespaces): figures against hand counts,
// the series bound with namespace labels capped (`other` sums the rest), the worker's listener
// (`startMetricsServer`) with the jobs `runJob` reports, and the parsers of flags and routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../../bench/propagation.js';
import { UsageError } from '../../core/errors.js';
import { runJob } from '../../jobs/worker.js';
import { recomputePosture } from '../../propagation/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../../store/test-support/stores.js';
import { routeTemplate } from './process-metrics.js';
import { renderMetrics } from './scrape.js';
import { parseMetricsListen, startMetricsServer } from './server.js';
import { familyNames, parseSamples, promtoolCheck, SKIP_PROMTOOL, sum } from './test-support/exposition.js';

// Container n runs image w = n % 40 (50 containers each); w's namespace is ns⌊w/2⌋ (100 containers
// each, 50 prod from the even w, 50 staging from the odd), in cluster cl(namespace % 2).
const FLEET = { containers: 2_000, images: 40, findingsPerImage: 10, clusters: 2, namespaces: 20 };
const POSTURE = [
  'runsight_containers',
  'runsight_containers_unresolved',
  'runsight_containers_unscanned',
  'runsight_vulnerable_containers',
  'runsight_finding_instances',
  'runsight_vulnerabilities',
  'runsight_fleet_vulnerabilities',
];

const KINDS = await storeKindsToTest();

describe.each(KINDS)('on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
    await generate(store.db, FLEET);
    await recomputePosture(store);
  }, 300_000);
  afterAll(async () => {
    await store?.dispose();
  });

  describe('posture gauges on a generated fleet', () => {
    it('count by hand: containers, instances, vulnerable containers', async () => {
      const s = parseSamples(await renderMetrics(store));
      expect(sum(s, 'runsight_containers')).toBe(2_000);
      expect(sum(s, 'runsight_containers', { cluster: 'cl0', environment: 'prod' })).toBe(500);
      // Every image has 10 distinct affected vulnerabilities: 2,000 × 10 instances.
      expect(sum(s, 'runsight_finding_instances')).toBe(20_000);
      expect(sum(s, 'runsight_vulnerable_containers')).toBe(2_000);
      expect(sum(s, 'runsight_containers_unscanned') + sum(s, 'runsight_containers_unresolved')).toBe(0);
      // Default labels: 2 clusters × 2 environments × 20 cells.
      expect(s.filter((x) => x.name === 'runsight_finding_instances')).toHaveLength(80);
    });

    it('caps namespace labels: the series are bounded and other sums the rest', async () => {
      const text = await renderMetrics(store, { metrics: { labels: ['namespace'], labelCap: 5 } });
      const s = parseSamples(text);
      const containers = s.filter((x) => x.name === 'runsight_containers');
      // All namespaces hold 100: the first five by name are kept (ns0, ns1, ns10, ns11, ns12), each
      // in one cluster × 2 environments; the other 15 fold into `other` in both clusters.
      expect(new Set(containers.map((x) => x.labels.namespace))).toEqual(
        new Set(['ns0', 'ns1', 'ns10', 'ns11', 'ns12', 'other']),
      );
      expect(containers).toHaveLength(5 * 2 + 2 * 2);
      expect(sum(s, 'runsight_containers', { namespace: 'other' })).toBe(1_500);
      expect(sum(s, 'runsight_containers', { namespace: 'other', cluster: 'cl0', environment: 'prod' })).toBe(
        350,
      );
      expect(sum(s, 'runsight_containers', { namespace: 'other', cluster: 'cl1', environment: 'prod' })).toBe(
        400,
      );
      expect(sum(s, 'runsight_containers', { namespace: 'ns10' })).toBe(100);
      expect(sum(s, 'runsight_finding_instances', { namespace: 'other' })).toBe(15_000);
      expect(sum(s, 'runsight_finding_instances')).toBe(20_000);
      // The bound: (cap + 1) × clusters × environments × 20 cells per cell-labelled family.
      const instances = s.filter((x) => x.name === 'runsight_finding_instances').length;
      expect(instances).toBe(14 * 20);
      expect(instances).toBeLessThanOrEqual(6 * 2 * 2 * 20);
      const posture = s.filter((x) => POSTURE.includes(x.name)).length;
      expect(posture).toBeLessThanOrEqual(3 * 6 * 2 * 2 + 2 * 6 * 2 * 2 * 20 + 2 * 20 + 20);
    });

    it.skipIf(SKIP_PROMTOOL)('passes promtool with extra labels', async () => {
      const r = promtoolCheck(
        await renderMetrics(store, { metrics: { labels: ['namespace', 'owner'], labelCap: 3 } }),
      );
      expect(r.output).toBe('');
      expect(r.code).toBe(0);
    });

    it('a scoped scrape covers only its scope', async () => {
      const s = parseSamples(await renderMetrics(store, { scope: { namespaces: ['ns3'] } }));
      expect(sum(s, 'runsight_containers')).toBe(100);
      expect(sum(s, 'runsight_containers', { cluster: 'cl1' })).toBe(100);
      expect(sum(s, 'runsight_finding_instances')).toBe(1_000);
      // ns3 runs images 6 and 7: their vulnerabilities are distinct (ids (131i + 977j) mod 30000).
      expect(sum(s, 'runsight_fleet_vulnerabilities')).toBe(20);
    });
  });

  describe('the worker listener', () => {
    it('serves this process’s metrics and the jobs runJob reported, and nothing else', async () => {
      const server = await startMetricsServer({ host: '127.0.0.1', port: 0, store });
      try {
        const handlers = {
          'reports.run': async () => {
            throw new Error('boom');
          },
          'posture.maintain': async () => 'done',
        };
        const signal = new AbortController().signal;
        // The counters are this process's (the other store's run too): compare before and after.
        const before = parseSamples(await (await fetch(`${server.url}/metrics`)).text());
        const runs = (x: ReturnType<typeof parseSamples>, k: string, outcome: string) =>
          sum(x, 'runsight_job_runs_total', { kind: k, outcome });
        const count = (x: ReturnType<typeof parseSamples>) =>
          sum(x, 'runsight_job_duration_seconds_count', { kind: 'reports.run' });
        await expect(
          runJob({ store, handlers }, { id: '1', kind: 'reports.run', key: null, data: {} }, signal),
        ).rejects.toThrow('boom');
        await runJob({ store, handlers }, { id: '2', kind: 'posture.maintain', key: null, data: {} }, signal);
        const res = await fetch(`${server.url}/metrics`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
        const text = await res.text();
        const s = parseSamples(text);
        expect(runs(s, 'reports.run', 'failed') - runs(before, 'reports.run', 'failed')).toBe(1);
        expect(runs(s, 'posture.maintain', 'ok') - runs(before, 'posture.maintain', 'ok')).toBe(1);
        expect(runs(s, 'reports.run', 'ok') - runs(before, 'reports.run', 'ok')).toBe(0);
        expect(count(s) - count(before)).toBe(1);
        expect(sum(s, 'runsight_job_last_run_failed', { kind: 'reports.run' })).toBe(1);
        expect(sum(s, 'runsight_job_last_run_failed', { kind: 'posture.maintain' })).toBe(0);
        // No posture on the unauthenticated listener.
        expect(familyNames(text).has('runsight_containers')).toBe(false);
        if (!SKIP_PROMTOOL) expect(promtoolCheck(text)).toEqual({ code: 0, output: '' });
        expect((await fetch(`${server.url}/`)).status).toBe(404);
        expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(405);
      } finally {
        await server.close();
      }
    });
  });
});

describe('parsers', () => {
  it('parses --metrics-listen; a bare port is loopback', () => {
    expect(parseMetricsListen('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseMetricsListen('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(parseMetricsListen('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    for (const bad of [':9464', 'host', 'host:99999', '1.2.3.4:', ''])
      expect(() => parseMetricsListen(bad), bad).toThrow(UsageError);
  });

  it('labels routes by template', () => {
    expect(routeTemplate('/api/v1/containers/:id')).toBe('/api/v1/containers/{id}');
    expect(routeTemplate('/api/v1/images/:a/diff/:b')).toBe('/api/v1/images/{a}/diff/{b}');
    expect(routeTemplate('/api/v1/x/:id{.+}')).toBe('/api/v1/x/{id}');
    expect(routeTemplate('*')).toBe('(unmatched)');
    expect(routeTemplate('/*')).toBe('(unmatched)');
  });
});
