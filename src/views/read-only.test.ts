// Views are reads: after the whole demo pipeline has written a real store (PGlite and PostgreSQL),
// the store is reopened read-only — every transaction `default_transaction_read_only`, so any
// INSERT/UPDATE/DELETE fails — and every view, through the library and through the CLI's read
// commands, must still answer. A write on the same handle must fail, so the test can fail.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_CONFIG,
  DEMO_REGISTRY,
  DEMO_VULNERABILITY,
  runDemoPipeline,
} from '../cli/commands/demo/demo-pipeline.js';
import { runCli } from '../cli/test-support/run-cli.js';
import { maintainPosture } from '../propagation/index.js';
import { diffImages, parseWorkloadSpec, remediationFor, rolloutCheck } from '../remediation/index.js';
import {
  getStoreStatus,
  getVulnerability,
  listContainers,
  listInventorySources,
  listTagDrift,
  openStore,
  type Store,
} from '../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import {
  containerPostureFields,
  getFreshness,
  getPosture,
  listCoverageGaps,
  listInUseScanTargets,
  POSTURE_BY,
  showContainer,
  showImage,
  showWorkload,
  validatePropagation,
  vulnWhere,
} from './index.js';

const kinds = await storeKindsToTest();
const API_10 = `${DEMO_REGISTRY}/shop/api:1.0`;
const API_11 = `${DEMO_REGISTRY}/shop/api:1.1`;
const WORKLOAD = 'demo/shop/Deployment/shop-api';

describe.each(kinds)('views never write (%s)', (kind) => {
  let dir: string | undefined;
  let pgStore: TestStore | undefined;
  let where: { databaseUrl?: string; dataDir?: string };
  let cliStore: string[];

  beforeAll(async () => {
    let store: Store;
    if (kind === 'pglite') {
      dir = mkdtempSync(join(tmpdir(), 'runsight-ro-'));
      where = { dataDir: dir };
      cliStore = ['--data-dir', dir];
      store = await openStore(where);
    } else {
      pgStore = await createTestStore('postgres');
      where = { databaseUrl: pgStore.location };
      cliStore = ['--database-url', pgStore.location];
      store = pgStore;
    }
    const result = await runDemoPipeline(store, () => {});
    expect(result.checks.every((c) => c.status === 'pass')).toBe(true);
    if (kind === 'pglite') await store.close();
  });

  afterAll(async () => {
    await pgStore?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every library view answers on a read-only store, and a write on it fails', async () => {
    const ro = await openStore({ ...where, readOnly: true });
    try {
      for (const by of POSTURE_BY) {
        const report = await getPosture(ro, { by }, DEMO_CONFIG);
        expect(report.totals.containers).toBeGreaterThan(0);
        expect(report.freshness.posture.computedAt).not.toBeNull();
      }
      await getPosture(ro, {
        by: 'workload',
        cluster: 'demo',
        namespace: 'shop',
        severity: 'HIGH',
        kev: true,
      });
      await getPosture(ro, { by: 'container', fixable: true, top: 3 });
      const containers = await listContainers(ro, {});
      expect(containers.length).toBeGreaterThan(0);
      await containerPostureFields(ro, containers);
      for (const c of containers) await showContainer(ro, c.id, DEMO_CONFIG);
      await showWorkload(ro, parseWorkloadSpec(WORKLOAD), DEMO_CONFIG);
      await rolloutCheck(ro, parseWorkloadSpec(WORKLOAD));
      expect((await vulnWhere(ro, DEMO_VULNERABILITY)).containers.length).toBeGreaterThan(0);
      const { checks } = await validatePropagation(
        ro,
        { image: API_10, vulnerability: DEMO_VULNERABILITY, fixedImage: API_11 },
        DEMO_CONFIG,
      );
      expect(checks.map((c) => c.status)).toEqual(checks.map(() => 'pass'));
      await listCoverageGaps(ro, DEMO_CONFIG);
      await listInUseScanTargets(ro, DEMO_CONFIG);
      await getFreshness(ro, DEMO_CONFIG);
      const shown = await showImage(ro, API_10);
      await remediationFor(ro, shown.platforms[0]?.digest ?? shown.digest, DEMO_CONFIG.baseImages);
      await diffImages(ro, API_10, API_11);
      await getVulnerability(ro, DEMO_VULNERABILITY);
      await listInventorySources(ro);
      await listTagDrift(ro, {});
      await getStoreStatus(ro);
      // The same handle refuses a write: the mode is real, so the answers above were reads.
      await expect(maintainPosture(ro, {}, DEMO_CONFIG)).rejects.toThrow(/read-only/);
    } finally {
      await ro.close();
    }
  });

  // Seventeen in-process CLI runs, each opening the PGlite store: seconds alone, minutes on a loaded machine.
  it('every CLI read command answers with --read-only (exit 0, no write error)', {
    timeout: 300_000,
  }, async () => {
    // The demo's configuration (cadences, SLAs, base image): JSON is YAML.
    const config = join(mkdtempSync(join(tmpdir(), 'runsight-ro-config-')), 'runsight.yaml');
    writeFileSync(config, JSON.stringify(DEMO_CONFIG));
    const ro = [...cliStore, '--read-only', '--format', 'json', '--config', config];
    const commands = [
      ...POSTURE_BY.map((by) => ['posture', '--by', by]),
      ['posture', '--cluster', 'demo', '--kev', '--fixable'],
      ['report', '--scope', 'cluster=demo', '--by', 'workload'],
      ['containers', '--all'],
      ['container', 'show', 'demo/shop/toolbox/toolbox'],
      ['workload', 'show', WORKLOAD],
      ['vuln', 'where', DEMO_VULNERABILITY],
      ['vuln', 'show', DEMO_VULNERABILITY],
      ['validate', '--image', API_10, '--vulnerability', DEMO_VULNERABILITY, '--fixed-image', API_11],
      ['image', 'show', API_10],
      ['image', 'diff', API_10, API_11],
      ['inventory', 'sources'],
      ['db', 'status'],
    ];
    for (const cmd of commands) {
      const r = await runCli([...ro, ...cmd]);
      expect({ cmd: cmd.join(' '), code: r.code, stderr: r.stderr }).toEqual({
        cmd: cmd.join(' '),
        code: 0,
        stderr: '',
      });
    }
    // A write command on the read-only store is refused.
    const w = await runCli([...ro, 'db', 'sync']);
    expect(w.code).not.toBe(0);
    expect(w.stderr).toMatch(/read-only/);
  });
});
