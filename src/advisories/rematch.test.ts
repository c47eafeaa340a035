// Re-match without re-pull, on both store dialects: older advisories → scan saved → newer
// advisories (new records, one withdrawn) → db update re-matches the touched image from its stored
// SBOM only, swaps its findings and records newly_affected / newly_fixed with cause 'rematch'.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getVulnerability, saveScan } from '../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { matchPackages } from './match/matcher.js';
import { TESTDATA, trivyApk } from './test-support/expected-packages.js';
import { updateAdvisories } from './update.js';

const kinds = await storeKindsToTest();
const tmp = mkdtempSync(join(tmpdir(), 'runsight-rematch-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const PYPA = join(TESTDATA, 'osv/pypa-advisory-database');
const PY_IMAGE = `sha256:${'1'.repeat(64)}`;
const APK_IMAGE = `sha256:${'2'.repeat(64)}`;

function pipPackages() {
  return readFileSync(join(TESTDATA, 'pkgdb/requirements.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('=='))
    .map((l) => ({
      ecosystem: 'PyPI',
      name: l.split('==')[0]!,
      version: l.split('==')[1]!,
      purl: `pkg:pypi/${l.split('==')[0]!.toLowerCase()}@${l.split('==')[1]}`,
      layer: `sha256:${'9'.repeat(64)}`,
    }));
}

describe.each(kinds)('re-match on %s', (kind) => {
  let store: TestStore;
  const older = join(tmp, `older-${kind}`);
  const newer = join(tmp, `newer-${kind}`);
  beforeAll(async () => {
    store = await createTestStore(kind);
    // Older advisory set: werkzeug records published up to 2020, and flask's.
    mkdirSync(older, { recursive: true });
    for (const f of ['PYSEC-2017-43', 'PYSEC-2019-140', 'PYSEC-2020-157']) {
      cpSync(join(PYPA, `werkzeug/${f}.yaml`), join(older, `${f}.yaml`));
    }
    cpSync(join(PYPA, 'flask/PYSEC-2023-62.yaml'), join(older, 'PYSEC-2023-62.yaml'));
    // Newer set: the 2022–2023 werkzeug records appear, and PYSEC-2019-140 is withdrawn (derived:
    // the real record with `withdrawn` set and `modified` moved forward).
    mkdirSync(newer, { recursive: true });
    for (const f of ['PYSEC-2022-203', 'PYSEC-2023-57', 'PYSEC-2023-58', 'PYSEC-2023-221']) {
      cpSync(join(PYPA, `werkzeug/${f}.yaml`), join(newer, `${f}.yaml`));
    }
    const withdrawn = readFileSync(join(PYPA, 'werkzeug/PYSEC-2019-140.yaml'), 'utf8')
      .replace(/^modified: .*$/m, 'modified: 2030-01-01T00:00:00Z')
      .concat('withdrawn: 2030-01-01T00:00:00Z\n');
    writeFileSync(join(newer, 'PYSEC-2019-140.yaml'), withdrawn);

    await updateAdvisories(store, { sources: [older, join(TESTDATA, 'alpine-secdb/v3.9')] });
    for (const [imageDigest, packages] of [
      [PY_IMAGE, pipPackages()],
      [APK_IMAGE, trivyApk('Alpine:v3.9')],
    ] as const) {
      await saveScan(store, {
        imageDigest,
        source: 'runsight',
        status: 'complete',
        errors: [],
        os: imageDigest === APK_IMAGE ? { family: 'alpine', ecosystem: 'Alpine:v3.9' } : undefined,
        packages: [...packages],
        findings: await matchPackages(store, [...packages]),
      });
    }
  });
  afterAll(async () => {
    await store?.dispose();
  });

  async function affected(digest: string) {
    const rows = await store.db
      .selectFrom('findings')
      .innerJoin('current_scans', 'current_scans.scan_id', 'findings.scan_id')
      .select(['vulnerability_id', 'package_name', 'status', 'status_reason'])
      .where('findings.image_digest', '=', digest)
      .orderBy('vulnerability_id')
      .execute();
    return rows;
  }

  it('re-matches only the touched image from its stored packages and records the changes', async () => {
    const before = (await affected(PY_IMAGE)).map((r) => r.vulnerability_id);
    expect(before).toEqual(['CVE-2016-10516', 'CVE-2019-14806', 'CVE-2020-28724', 'CVE-2023-30861']);
    const apkBefore = await affected(APK_IMAGE);
    const scansBefore = await store.db
      .selectFrom('scans')
      .select(['id', 'image_digest'])
      .orderBy('id')
      .execute();
    const pkgsBefore = await store.db.selectFrom('packages').selectAll().orderBy('id').execute();

    const r = await updateAdvisories(store, { sources: [newer] });

    expect(r.rematch).toMatchObject({ scans: 1, images: 1, newlyAffected: 4, newlyFixed: 1 });
    expect((await affected(PY_IMAGE)).map((x) => x.vulnerability_id)).toEqual([
      'CVE-2016-10516',
      'CVE-2020-28724',
      'CVE-2022-29361',
      'CVE-2023-23934',
      'CVE-2023-25577',
      'CVE-2023-30861',
      'CVE-2023-46136',
    ]);
    const changes = await store.db
      .selectFrom('finding_changes')
      .select(['image_digest', 'vulnerability_id', 'package_name', 'change', 'cause'])
      .where('cause', '=', 'rematch')
      .orderBy('vulnerability_id')
      .execute();
    expect(changes).toEqual([
      {
        image_digest: PY_IMAGE,
        vulnerability_id: 'CVE-2019-14806',
        package_name: 'Werkzeug',
        change: 'newly_fixed',
        cause: 'rematch',
      },
      ...['CVE-2022-29361', 'CVE-2023-23934', 'CVE-2023-25577', 'CVE-2023-46136'].map((id) => ({
        image_digest: PY_IMAGE,
        vulnerability_id: id,
        package_name: 'Werkzeug',
        change: 'newly_affected',
        cause: 'rematch',
      })),
    ]);
    // No re-pull: same scans, same stored packages, nothing in the layer cache; the other image untouched.
    expect(await store.db.selectFrom('scans').select(['id', 'image_digest']).orderBy('id').execute()).toEqual(
      scansBefore,
    );
    expect(await store.db.selectFrom('packages').selectAll().orderBy('id').execute()).toEqual(pkgsBefore);
    expect(await store.db.selectFrom('layer_cache').selectAll().execute()).toEqual([]);
    expect(await affected(APK_IMAGE)).toEqual(apkBefore);
  });

  it('vuln show lists the images a vulnerability affects, found by an alias', async () => {
    const v = await getVulnerability(store, 'PYSEC-2023-62');
    expect(v.advisories.map((a) => [a.source, a.id, a.aliases])).toEqual([
      ['osv:PyPI', 'PYSEC-2023-62', ['CVE-2023-30861', 'GHSA-m2qf-hxjv-5gpq']],
    ]);
    expect(v.images).toEqual([
      {
        imageDigest: PY_IMAGE,
        package: 'Flask',
        installedVersion: '2.0.0',
        fixedVersion: '2.2.5',
        status: 'affected',
        severity: 'UNKNOWN',
        severitySource: 'none',
        source: 'runsight',
      },
    ]);
  });

  it('a VEX document imported by db update re-matches and sets the status with its justification', async () => {
    const vex = join(tmp, `vex-${kind}.json`);
    writeFileSync(
      vex,
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'test',
        timestamp: '2026-11-27T00:00:00Z',
        statements: [
          {
            vulnerability: { name: 'GHSA-m2qf-hxjv-5gpq' },
            products: [{ '@id': PY_IMAGE }],
            status: 'not_affected',
            justification: 'vulnerable_code_not_in_execute_path',
          },
        ],
      }),
    );
    const r = await updateAdvisories(store, { sources: [vex] });
    expect(r.rematch).toMatchObject({ scans: 2, statusChanged: 1, newlyAffected: 0, newlyFixed: 0 });
    const flask = (await affected(PY_IMAGE)).find((x) => x.vulnerability_id === 'CVE-2023-30861')!;
    expect(flask.status).toBe('not_affected');
    expect(flask.status_reason).toContain('vulnerable_code_not_in_execute_path');
    const n = await store.db
      .selectFrom('vex_statements')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1);
  });
});
