// Findings (vulnerability × package) beside vulnerabilities, maintained with the roll-ups
// (docs/cli.md#counts-vulnerabilities-and-findings): the per-image SQL (image_posture.finding_cells),
// the scope sums (scope_posture.finding_cells) and the in-memory rule for a list of rows
// (countFindings, what `scan` and `image show` use) must give the same figures. Expected values are
// counted by hand from the rows below.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { containerPostureFields } from '../views/container-counts.js';
import { getPosture } from '../views/posture.js';
import { showContainer } from '../views/show.js';
import { countFindings, zeroFigures } from './cells.js';
import { computeRollup, readRollups } from './rollups.js';
import { maintainPosture, recomputePosture } from './sync.js';
import { addContainers, addManifest, addScan, addSource, digestOf, type F } from './test-support/fleet.js';

const kinds = await storeKindsToTest();
const X = digestOf('counts-x');
const Y = digestOf('counts-y');

// Image X: CVE-A hits two packages (CRITICAL with a fix, HIGH without); CVE-B is not_affected (not
// counted); CVE-C could not be compared (unknown: counted), no fix.
const X_ROWS: F[] = [
  { id: 'CVE-A', severity: 'CRITICAL', pkg: 'openssl', fixed: '3.1' },
  { id: 'CVE-A', severity: 'HIGH', pkg: 'libssl3' },
  { id: 'CVE-B', severity: 'LOW', pkg: 'zlib', status: 'not_affected' },
  { id: 'CVE-C', severity: 'MEDIUM', pkg: 'curl', status: 'unknown' },
];
// Image Y: CVE-A in one package, fixable.
const Y_ROWS: F[] = [{ id: 'CVE-A', severity: 'CRITICAL', pkg: 'openssl', fixed: '3.1' }];

const z = zeroFigures();
// X: 2 vulnerabilities (A critical fixable, C medium); 3 findings, each at its vulnerability's
// severity: openssl and libssl3 at CRITICAL (1 fixable), curl at MEDIUM.
const X_SUMMARY = {
  vulnerabilities: { ...z, critical: 1, medium: 1, fixable: 1, total: 2 },
  findings: { ...z, critical: 2, medium: 1, fixable: 1, total: 3 },
};

describe.each(kinds)('finding counts (%s)', (kind) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await createTestStore(kind);
    const src = await addSource(store);
    await addManifest(store, X);
    await addManifest(store, Y);
    await addScan(store, X, X_ROWS);
    await addScan(store, Y, Y_ROWS);
    await addContainers(store, src, [
      { id: 'x/1', image: 'x:1', digest: X, namespace: 'ns', workloadName: 'x' },
      { id: 'x/2', image: 'x:1', digest: X, namespace: 'ns', workloadName: 'x' },
      { id: 'y/1', image: 'y:1', digest: Y, namespace: 'ns', workloadName: 'y' },
    ]);
    await maintainPosture(store);
  });
  afterEach(async () => store.dispose());

  it('per image: the maintained roll-up and the in-memory rule agree with the hand count', async () => {
    const rule = countFindings(
      X_ROWS.map((f) => ({
        id: f.id,
        severity: f.severity,
        kev: false,
        fixedVersion: f.fixed,
        status: f.status ?? 'affected',
      })),
    );
    expect(rule).toEqual(X_SUMMARY);
    const [x] = await containerPostureFields(store, [
      { imageDigest: X, matchMethod: 'manifest-digest', confidence: 'exact' },
    ]);
    expect(x!.summary).toEqual(X_SUMMARY);
    expect((await showContainer(store, 'x/1')).summary).toEqual(X_SUMMARY);
  });

  it('per scope: findings summed over distinct images, not containers; stored equals computed', async () => {
    // Namespace ns: X twice, Y once. Vulnerabilities: A (critical, fixable), C (medium).
    // Findings: X's 3 once + Y's 1 = 3 critical (2 fixable), 1 medium. Instances: 2 × 2 + 1 = 5.
    const expected = {
      vulnerabilities: { ...z, critical: 1, medium: 1, fixable: 1, total: 2 },
      findings: { ...z, critical: 3, medium: 1, fixable: 2, total: 4 },
    };
    const report = await getPosture(store, { by: 'namespace' });
    const ns = report.groups[0]!;
    expect(ns.summary).toEqual(expected);
    expect(ns.instances).toMatchObject({ critical: 3, medium: 2, fixable: 3, total: 5 });
    const [stored] = await readRollups(store, 'namespace');
    const [computed] = await computeRollup(store, 'namespace');
    expect(stored!.findings).toEqual(expected.findings);
    expect(computed!.findingCells).toEqual(
      (
        await store.db
          .selectFrom('scope_posture')
          .select('finding_cells')
          .where('scope_kind', '=', 'namespace')
          .executeTakeFirstOrThrow()
      ).finding_cells!.map(Number),
    );
    // --fixable keeps the fixable findings only; --severity critical drops C with its finding.
    const [fixable] = await readRollups(store, 'namespace', {}, { fixable: true });
    expect(fixable!.findings).toMatchObject({ critical: 2, medium: 0, total: 2 });
    const [critical] = await readRollups(store, 'namespace', {}, { minSeverityRank: 4 });
    expect(critical!.findings).toMatchObject({ critical: 3, total: 3 });
    expect(critical!.distinct).toMatchObject({ critical: 1, total: 1 });
  });

  it('an incremental update keeps them as a recompute from scratch would', async () => {
    // Y rescanned: CVE-A now also in libssl3 (no fix) — one more finding, no new vulnerability.
    await addScan(store, Y, [...Y_ROWS, { id: 'CVE-A', severity: 'CRITICAL', pkg: 'libssl3' }]);
    const sync = await maintainPosture(store);
    expect(sync.full).toBe(false);
    const [y] = await containerPostureFields(store, [
      { imageDigest: Y, matchMethod: 'manifest-digest', confidence: 'exact' },
    ]);
    expect(y!.summary!.findings).toEqual({ ...z, critical: 2, fixable: 1, total: 2 });
    const [ns] = await readRollups(store, 'namespace');
    expect(ns!.findings).toEqual({ ...z, critical: 4, medium: 1, fixable: 2, total: 5 });
    const read = async () => ({
      images: (
        await store.db
          .selectFrom('image_posture')
          .select(['image_digest', 'finding_cells'])
          .orderBy('image_digest')
          .execute()
      ).map((r) => [r.image_digest, r.finding_cells?.map(Number)]),
      scopes: (
        await store.db
          .selectFrom('scope_posture')
          .select(['scope_kind', 'scope_key', 'finding_cells'])
          .orderBy('scope_kind')
          .orderBy('scope_key')
          .execute()
      ).map((r) => [r.scope_kind, r.scope_key, r.finding_cells?.map(Number)]),
    });
    const incremental = await read();
    await recomputePosture(store);
    expect(await read()).toEqual(incremental);
  });
});
