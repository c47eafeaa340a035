// An import is idempotent per (digest, source, report): landing the identical report again adds no
// scan, package or finding, whatever the file is called; a changed report lands as before.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { importReports } from './import-reports.js';
import { TESTDATA } from './test-support/reports.js';

const kinds = await storeKindsToTest();
const KEYCLOAK_AMD64 = 'sha256:d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e';
const tmp = mkdtempSync(join(tmpdir(), 'runsight-reimport-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(kinds)('re-importing a report on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.dispose();
  });
  beforeEach(async () => {
    for (const t of ['current_scans', 'findings', 'packages', 'finding_changes', 'scans'] as const)
      await store.db.deleteFrom(t).execute();
  });

  async function counts() {
    const n = async (t: 'scans' | 'findings' | 'current_scans') =>
      Number(
        (
          await store.db
            .selectFrom(t)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return { scans: await n('scans'), findings: await n('findings'), current: await n('current_scans') };
  }

  it('the identical report three times: one scan, 6 findings, the repeats say "already imported"', async () => {
    const file = `${TESTDATA}grype/keycloak-test.json`;
    const first = await importReports(store, { format: 'grype', files: [file] });
    expect(first.images).toMatchObject([{ digest: KEYCLOAK_AMD64, imported: 6, current: true }]);
    // Before: 6 → 12 → 18 findings rows, one more scan per import.
    for (let i = 0; i < 2; i++) {
      const again = await importReports(store, { format: 'grype', files: [file] });
      expect(again.errors).toEqual([]);
      expect(again.images).toMatchObject([
        {
          digest: KEYCLOAK_AMD64,
          matchMethod: 'manifest-digest',
          imported: 0,
          current: true,
          skipped: [{ kind: 'already-imported', reason: expect.stringMatching(/^already imported: /) }],
        },
      ]);
      expect(again.images[0]!.alreadyImported?.scanId).toBeGreaterThan(0);
      // 6 matches on 6 packages (jq '.matches | length' keycloak-test.json)
      expect(await counts()).toEqual({ scans: 1, findings: 6, current: 1 });
    }
  });

  it('the same report under another file name is the same report', async () => {
    const copy = join(tmp, `renamed-${kind}.json`);
    copyFileSync(`${TESTDATA}grype/keycloak-test.json`, copy);
    await importReports(store, { format: 'grype', files: [`${TESTDATA}grype/keycloak-test.json`] });
    const again = await importReports(store, { format: 'grype', files: [copy] });
    expect(again.images[0]).toMatchObject({ imported: 0, skipped: [{ kind: 'already-imported' }] });
    expect(await counts()).toEqual({ scans: 1, findings: 6, current: 1 });
  });

  it('A, B, A: the third import adds nothing and makes A current again', async () => {
    const digest = `sha256:${'4'.repeat(64)}`;
    const a = `${TESTDATA}trivy/alpine-310.json.golden`;
    const b = `${TESTDATA}trivy/debian-buster.json.golden`;
    await importReports(store, { format: 'trivy', files: [a], image: digest });
    // A different image's report on the same digest, on purpose (its identity disagrees).
    await importReports(store, { format: 'trivy', files: [b], image: digest, force: true });
    // alpine-310: 4 findings, debian-buster: 2 (hand counts, trivy/parse.test.ts)
    expect(await counts()).toEqual({ scans: 2, findings: 6, current: 1 });
    const again = await importReports(store, { format: 'trivy', files: [a], image: digest });
    expect(again.images[0]).toMatchObject({ imported: 0, current: true });
    expect(await counts()).toEqual({ scans: 2, findings: 6, current: 1 });
    const current = await store.db
      .selectFrom('current_scans')
      .innerJoin('scans', 'scans.id', 'current_scans.scan_id')
      .select('scans.os')
      .executeTakeFirstOrThrow();
    expect(current.os).toMatchObject({ family: 'alpine' });
  });

  it('a changed report (another scanner run of the image) lands', async () => {
    const digest = `sha256:${'5'.repeat(64)}`;
    await importReports(store, {
      format: 'trivy',
      files: [`${TESTDATA}trivy/alpine-310.json.golden`],
      image: digest,
    });
    const other = await importReports(store, {
      format: 'trivy',
      files: [`${TESTDATA}trivy/debian-buster.json.golden`],
      image: digest,
      force: true,
    });
    expect(other.images[0]).toMatchObject({ imported: 2, skipped: [] });
    expect(await counts()).toEqual({ scans: 2, findings: 6, current: 1 });
  });
});
