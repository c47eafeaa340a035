// End to end on real data (testdata/demo): the built-in scanner over a real package DB, a real
// OSV advisory, the real Kubernetes collector over recorded objects, then propagation — on PGlite
// and PostgreSQL. The oracles are independent of propagation: the scanner's own findings per
// platform, and the OCI index file's own platform entries.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getPosture,
  rolloutCheck,
  showContainer,
  syncPosture,
  validatePropagation,
  vulnWhere,
} from '../../../index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../../../store/test-support/stores.js';
import { runCli } from '../../test-support/run-cli.js';
import {
  collectCluster,
  DEMO_CONFIG,
  DEMO_DIR,
  DEMO_REGISTRY,
  DEMO_VULNERABILITY,
  importCmdb,
  loadAdvisories,
  publishImages,
  scanImages,
} from './demo-pipeline.js';

const kinds = await storeKindsToTest();

/** The platform manifests of a layout tag, read straight from the OCI layout files. */
function layoutPlatforms(tag: string): Record<string, string> {
  const index = JSON.parse(readFileSync(join(DEMO_DIR, 'oci/index.json'), 'utf8'));
  const d = index.manifests.find(
    (m: { annotations: Record<string, string> }) =>
      m.annotations['org.opencontainers.image.ref.name'] === tag,
  ).digest;
  const doc = JSON.parse(readFileSync(join(DEMO_DIR, 'oci/blobs', ...d.split(':')), 'utf8'));
  return Object.fromEntries(
    doc.manifests.map((m: { digest: string; platform: { architecture: string } }) => [
      m.platform.architecture,
      m.digest,
    ]),
  );
}

describe.each(kinds)('scan → inventory → posture on real data (%s)', (kind) => {
  let store: TestStore;
  let scanned: Awaited<ReturnType<typeof scanImages>>;
  const v10 = layoutPlatforms('shop-api-1.0');
  const v11 = layoutPlatforms('shop-api-1.1');

  beforeAll(async () => {
    store = await createTestStore(kind);
    expect(await loadAdvisories(store)).toBe(1);
    await publishImages(store, 'initial');
    scanned = await scanImages(store, ['alpine-base-3.18', 'shop-api-1.0']);
    await collectCluster(store, 'cluster-v1.json');
    await importCmdb(store);
    await syncPosture(store, DEMO_CONFIG);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('gives every container exactly its image scan’s counts', async () => {
    // The scanner found CVE-2025-26519 in musl and musl-utils of every platform of shop-api 1.0.
    expect(scanned.map((s) => [s.reference, s.platform, s.findings])).toEqual([
      ['alpine-base-3.18', 'linux/amd64', 2],
      ['shop-api-1.0', 'linux/amd64', 2],
      ['shop-api-1.0', 'linux/arm64', 2],
    ]);
    const report = await getPosture(store, { by: 'container' }, DEMO_CONFIG);
    expect(report.groups).toHaveLength(5);
    for (const g of report.groups) {
      expect(g.unresolved + g.unscanned).toBe(0);
      // One distinct vulnerability (two packages carry it), rated HIGH from its CVSS 3.1 vector.
      expect(g.distinctVulnerabilities).toMatchObject({
        critical: 0,
        high: 1,
        medium: 0,
        low: 0,
        unknown: 0,
        fixable: 1,
      });
    }
    expect(report.totals.instances.high).toBe(5);
    const c = await showContainer(store, 'demo/shop/toolbox/toolbox', { ...DEMO_CONFIG });
    expect(c).toMatchObject({ matchMethod: 'config-digest', confidence: 'exact', counts: { high: 1 } });
    // The toolbox runs the base image itself: its own packages are bumped.
    expect(c.findings.map((f) => f.action)).toEqual(['bump-dependency', 'bump-dependency']);
    // In shop-api, musl sits in the base image's layer: update the base rather than bump a package.
    const api = await showContainer(store, 'demo/shop/shop-api-7fb78fb6d8-2w75j/api', {
      ...DEMO_CONFIG,
    });
    expect(api.baseImage?.names).toContain(`${DEMO_REGISTRY}/library/alpine:3.18`);
    expect(api.findings.map((f) => [f.packageName, f.fixedVersion, f.action])).toEqual([
      ['musl', '1.2.4-r3', 'update-base-image'],
      ['musl-utils', '1.2.4-r3', 'update-base-image'],
    ]);
  });

  it('matches the container on the arm64 node to the arm64 manifest of the multi-arch index', async () => {
    const arm = await showContainer(store, 'demo/shop/shop-api-7fb78fb6d8-x9k2p/api', {});
    expect(arm).toMatchObject({
      platform: 'linux/arm64',
      imageDigest: v10.arm64,
      matchMethod: 'index-digest+platform',
      confidence: 'exact',
    });
    const amd = await showContainer(store, 'demo/shop/shop-api-7fb78fb6d8-2w75j/api', {});
    expect(amd).toMatchObject({ platform: 'linux/amd64', imageDigest: v10.amd64 });
  });

  it('resolves a tag-only container through tag history at its start time', async () => {
    const c = await showContainer(store, 'batch-vms/vm-batch-01/report', {});
    expect(c).toMatchObject({
      image: `${DEMO_REGISTRY}/shop/api:prod`,
      imageDigest: v10.amd64,
      matchMethod: 'tag-at-start',
      confidence: 'inferred',
    });
    expect(c.resolution).toMatch(/shop\/api:prod pointed to .* at 2026-11-22T02:00:00.000Z/);
  });

  it('a patched rebuild, rescanned and rolled out, improves posture and passes all six checks', async () => {
    const where = await vulnWhere(store, DEMO_VULNERABILITY, {});
    expect(where.workloads.map((w) => w.name).sort()).toEqual(['nightly-report', 'shop-api', 'toolbox']);

    await publishImages(store, 'patched');
    const rescanned = await scanImages(store, ['alpine-base-3.18-patched', 'shop-api-1.1']);
    expect(rescanned.every((s) => s.findings === 0)).toBe(true);
    const delta = await collectCluster(store, 'cluster-v2.json');
    expect([delta.added.length, delta.removed.length]).toEqual([3, 3]);

    const after = await getPosture(store, { by: 'workload' }, DEMO_CONFIG);
    const api = after.groups.find((g) => g.key === 'demo/shop/Deployment/shop-api')!;
    expect(api.distinctVulnerabilities.total).toBe(0);
    expect(after.totals.instances.high).toBe(2); // toolbox and the tag-only batch job still run 1.0-era content
    const rollout = await rolloutCheck(store, { namespace: 'shop', kind: 'Deployment', name: 'shop-api' });
    expect(rollout).toMatchObject({
      improved: true,
      fixed: [DEMO_VULNERABILITY],
      current: { digests: [v11.amd64, v11.arm64].sort() },
    });
    expect(rollout.previous?.evidence).toBe('snapshot');

    const { checks } = await validatePropagation(
      store,
      {
        image: `${DEMO_REGISTRY}/shop/api:1.0`,
        vulnerability: DEMO_VULNERABILITY,
        fixedImage: `${DEMO_REGISTRY}/shop/api:1.1`,
      },
      DEMO_CONFIG,
    );
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['image-scanned-with-vulnerability', 'pass'],
      ['workload-in-inventory', 'pass'],
      ['posture-counts-match', 'pass'],
      ['fixed-image-scanned', 'pass'],
      ['deployment-improved', 'pass'],
      ['operationalised', 'pass'],
    ]);
    // Without the operational configuration, check 6 fails and says why.
    const bare = await validatePropagation(store, {});
    expect(bare.checks.find((c) => c.name === 'operationalised')).toMatchObject({
      status: 'fail',
      evidence: expect.stringMatching(/cadence.scan not configured/),
    });
  });
});

describe('runsight demo', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'runsight-demo-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the whole pipeline in a fresh store and every check passes', async () => {
    const r = await runCli(['--data-dir', dir, '--format', 'json', 'demo']);
    expect(r.code).toBe(0);
    const out = r.json<{
      checks: { status: string }[];
      before: { totals: { instances: { total: number } } };
      after: { totals: { instances: { total: number } } };
    }>();
    expect(out.checks.map((c) => c.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
    expect(out.after.totals.instances.total).toBeLessThan(out.before.totals.instances.total);
    const containers = await runCli(['--data-dir', dir, '--format', 'json', 'containers']);
    const rows =
      containers.json<
        {
          id: string;
          platform: string;
          imageDigest: string;
          matchMethod: string;
          confidence: string;
          counts: unknown;
        }[]
      >();
    expect(rows.find((x) => x.id === 'demo/shop/toolbox/toolbox')).toMatchObject({
      matchMethod: 'config-digest',
      confidence: 'exact',
      counts: { critical: 0, high: 1, medium: 0, low: 0, unknown: 0 },
    });
    expect(rows.filter((x) => x.id.includes('shop-api')).map((x) => x.counts)).toEqual([
      { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 },
      { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 },
      { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 },
    ]);
    const table = await runCli(['--data-dir', dir, 'posture', '--by', 'workload']);
    expect(table.stdout).toMatch(/demo\/shop\/Deployment\/shop-api/);
  });
});
