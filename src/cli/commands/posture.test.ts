// The propagation commands in-process on a PGlite data directory seeded like the stages would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addContainers,
  addManifest,
  addScan,
  addSource,
  addTag,
  digestOf,
} from '../../propagation/test-support/fleet.js';
import { openStore } from '../../store/index.js';
import type { PostureReport } from '../../views/index.js';
import { runCli } from '../test-support/run-cli.js';

const V1 = digestOf('v1');
const V2 = digestOf('v2');
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runsight-posture-'));
  const store = await openStore({ dataDir: dir });
  const src = await addSource(store);
  await addManifest(store, V1);
  await addManifest(store, V2);
  await addTag(
    store,
    { registry: 'docker.io', repository: 'library/app', tag: '1' },
    V1,
    new Date('2026-01-01T00:00:00Z'),
  );
  await addTag(
    store,
    { registry: 'docker.io', repository: 'library/app', tag: '2' },
    V2,
    new Date('2026-01-02T00:00:00Z'),
  );
  await addScan(
    store,
    V1,
    [
      { id: 'CVE-2024-1', severity: 'CRITICAL', pkg: 'openssl', fixed: '3.1' },
      { id: 'CVE-2024-2', severity: 'LOW', pkg: 'zlib' },
    ],
    { reference: 'app:1' },
  );
  await addScan(store, V2, [{ id: 'CVE-2024-2', severity: 'LOW', pkg: 'zlib' }], { reference: 'app:2' });
  await addContainers(store, src, [
    { id: 'a/1', image: 'app:1', digest: V1, namespace: 'shop', workloadName: 'a' },
    { id: 'b/1', image: 'app:2', digest: V2, namespace: 'blog', workloadName: 'b' },
  ]);
  await store.close();
  // The seed wrote posture inputs directly: bring posture up to date as a write command would.
  const sync = await runCli(['--data-dir', dir, '--format', 'json', 'db', 'sync']);
  expect(sync.code).toBe(0);
  expect(sync.json()).toMatchObject({ full: true, scopes: expect.any(Number) });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('propagation commands', () => {
  it('posture --format json rolls up by namespace with both figures', async () => {
    const r = await runCli(['--data-dir', dir, '--format', 'json', 'posture']);
    expect(r.code).toBe(0);
    const report = r.json<PostureReport>();
    expect(report.by).toBe('namespace');
    const shop = report.groups.find((g) => g.key === 'prod/shop')!;
    expect(shop.distinctVulnerabilities).toMatchObject({ critical: 1, low: 1, total: 2 });
    expect(report.totals.instances).toMatchObject({ critical: 1, low: 2, total: 3 });
  });

  it('posture --fail-on trips with exit 1 and still prints; a lower bar passes', async () => {
    const tripped = await runCli(['--data-dir', dir, 'posture', '--fail-on', 'critical']);
    expect(tripped.code).toBe(1);
    expect(tripped.stdout).toMatch(/prod\/shop/);
    expect(tripped.stderr).toMatch(/gate tripped/);
    const ok = await runCli(['--data-dir', dir, 'posture', '--namespace', 'blog', '--fail-on', 'high']);
    expect(ok.code).toBe(0);
    const bad = await runCli(['--data-dir', dir, 'posture', '--fail-on', 'severe']);
    expect(bad.code).toBe(2);
  });

  it('container show, workload show, vuln where, image diff', async () => {
    const c = await runCli(['--data-dir', dir, '--format', 'json', 'container', 'show', 'a/1']);
    expect(c.code).toBe(0);
    expect(c.json()).toMatchObject({
      imageDigest: V1,
      matchMethod: 'manifest-digest',
      counts: { critical: 1, low: 1 },
    });
    const w = await runCli(['--data-dir', dir, '--format', 'json', 'workload', 'show', 'shop/Deployment/a']);
    expect(w.code).toBe(0);
    expect(w.json()).toMatchObject({
      workload: 'prod/shop/Deployment/a',
      distinctVulnerabilities: { total: 2 },
    });
    const v = await runCli(['--data-dir', dir, '--format', 'json', 'vuln', 'where', 'CVE-2024-2']);
    expect(v.json<{ containers: { containerId: string }[] }>().containers.map((x) => x.containerId)).toEqual([
      'b/1',
      'a/1',
    ]);
    const d = await runCli(['--data-dir', dir, '--format', 'json', 'image', 'diff', 'app:1', 'app:2']);
    expect(d.code).toBe(0);
    expect(d.json()).toMatchObject({
      summary: { fixed: 1, introduced: 0, unchanged: 1 },
      fixed: [{ vulnerabilityId: 'CVE-2024-1' }],
    });
    const missing = await runCli(['--data-dir', dir, 'workload', 'show', 'nope']);
    expect(missing.code).toBe(2);
  });

  it('validate prints checks and fails when the checklist is not met', async () => {
    const r = await runCli([
      '--data-dir',
      dir,
      '--format',
      'json',
      'validate',
      '--image',
      'app:1',
      '--vulnerability',
      'CVE-2024-1',
      '--fixed-image',
      'app:2',
    ]);
    const { checks } = r.json<{ checks: { name: string; status: string; evidence: string }[] }>();
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['image-scanned-with-vulnerability', 'pass'],
      ['workload-in-inventory', 'pass'],
      ['posture-counts-match', 'pass'],
      ['fixed-image-scanned', 'pass'],
      ['deployment-improved', 'fail'],
      ['operationalised', 'fail'],
    ]);
    expect(r.code).toBe(1);
  });
});
