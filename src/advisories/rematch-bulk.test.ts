// The bulk re-match gives exactly what matching each SBOM alone gives, on both store dialects and
// on the real advisories in testdata/advisories: five stored SBOMs sharing packages (the same apk
// database with and without the release in the ecosystem, pip packages spelled two ways, a package
// stored twice at two layers, an Alpine 3.18 database) are re-matched together in small batches,
// then after an incremental advisory update (the werkzeug records arrive: touched packages only),
// then after CVE records re-rate findings (severity and severitySource from the CVE record). After
// each step every stored finding equals a fresh per-SBOM match, column by column.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding, Package } from '../core/types.js';
import { saveScan } from '../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { matchPackages } from './match/matcher.js';
import { rematch } from './rematch.js';
import { scalibrApk318, TESTDATA, trivyApk } from './test-support/expected-packages.js';
import { updateAdvisories } from './update.js';

const kinds = await storeKindsToTest();
const tmp = mkdtempSync(join(tmpdir(), 'runsight-rematch-bulk-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const OSV = join(TESTDATA, 'osv');
const LAYER_A = `sha256:${'a'.repeat(64)}`;
const LAYER_B = `sha256:${'b'.repeat(64)}`;

function pip(spelling: (name: string) => string = (n) => n): Package[] {
  return readFileSync(join(TESTDATA, 'pkgdb/requirements.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('=='))
    .map((l) => {
      const [name, version] = l.split('==') as [string, string];
      return { ecosystem: 'PyPI', name: spelling(name), version, layer: LAYER_B };
    });
}

const apk = trivyApk('Alpine:v3.9');
const SBOMS: { digest: string; os?: string; packages: Package[] }[] = [
  { digest: `sha256:${'1'.repeat(64)}`, os: 'Alpine:v3.9', packages: apk },
  {
    digest: `sha256:${'2'.repeat(64)}`,
    os: 'Alpine:v3.9',
    packages: [...trivyApk('Alpine').map((p) => ({ ...p, layer: LAYER_A })), ...pip()],
  },
  {
    digest: `sha256:${'3'.repeat(64)}`,
    os: 'Alpine:v3.9',
    packages: [
      ...apk.slice(0, Math.ceil(apk.length / 2)),
      ...apk.slice(0, 3).map((p) => ({ ...p, layer: LAYER_B })),
      ...pip(),
    ],
  },
  { digest: `sha256:${'4'.repeat(64)}`, os: 'Alpine:v3.18', packages: scalibrApk318() },
  { digest: `sha256:${'5'.repeat(64)}`, packages: pip((n) => n.toLowerCase().replace('-', '_')) },
];

/** A finding as the findings table stores it (what readers see). */
function row(f: Finding) {
  return {
    vulnerability_id: f.id,
    aliases: f.aliases,
    package_ecosystem: f.package.ecosystem,
    package_name: f.package.name,
    package_purl: f.package.purl ?? null,
    installed_version: f.installedVersion,
    fixed_version: f.fixedVersion ?? null,
    layer_diff_id: f.package.layer ?? null,
    severity: f.severity as string,
    severity_source: f.severitySource ?? null,
    cvss_version: f.cvss?.version ?? null,
    cvss_vector: f.cvss?.vector ?? null,
    cvss_score: f.cvss?.score ?? null,
    status: f.status as string,
    status_reason: f.statusReason ?? null,
  };
}
type Row = ReturnType<typeof row>;
const order = (rows: Row[]) => [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

describe.each(kinds)('bulk re-match equals per-SBOM matching on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
    // Every OSV record but the werkzeug ones (they arrive later), and the Alpine secdb.
    const older = join(tmp, `osv-${kind}`);
    cpSync(OSV, older, { recursive: true });
    rmSync(join(older, 'pypa-advisory-database/werkzeug'), { recursive: true });
    await updateAdvisories(store, { sources: [older, join(TESTDATA, 'alpine-secdb')] });
    for (const s of SBOMS) {
      await saveScan(store, {
        imageDigest: s.digest,
        source: 'runsight',
        status: 'complete',
        errors: [],
        os: s.os ? { family: 'alpine', ecosystem: s.os } : undefined,
        packages: s.packages,
        findings: [], // the re-match finds everything
      });
    }
  });
  afterAll(async () => {
    await store?.dispose();
  });

  /** Per image: the stored findings, and what matching its SBOM alone gives now. */
  async function compare() {
    const stored: Record<string, Row[]> = {};
    const alone: Record<string, Row[]> = {};
    for (const s of SBOMS) {
      const rows = await store.db
        .selectFrom('findings')
        .innerJoin('current_scans', 'current_scans.scan_id', 'findings.scan_id')
        .select([
          'vulnerability_id',
          'aliases',
          'package_ecosystem',
          'package_name',
          'package_purl',
          'installed_version',
          'fixed_version',
          'layer_diff_id',
          'severity',
          'severity_source',
          'cvss_version',
          'cvss_vector',
          'cvss_score',
          'status',
          'status_reason',
        ])
        .where('findings.image_digest', '=', s.digest)
        .execute();
      stored[s.digest] = order(rows as Row[]);
      alone[s.digest] = order((await matchPackages(store, s.packages, { osEcosystem: s.os })).map(row));
    }
    return { stored, alone };
  }

  it('a full re-match in batches of two stores what each SBOM matched alone gives', async () => {
    const r = await rematch(store, { all: true, batchSize: 2 });
    expect(r.scans).toBe(SBOMS.length);
    const { stored, alone } = await compare();
    expect(stored).toEqual(alone);
    // Real hits, not two empty lists: the Alpine 3.9 sqlite-libs CVE in the images that carry it
    // (also through the OS release), Flask's CVE-2023-30861 in every pip image whatever the spelling.
    for (const d of ['1', '2']) {
      expect(stored[`sha256:${d.repeat(64)}`]).toContainEqual(
        expect.objectContaining({ vulnerability_id: 'CVE-2019-5018', package_name: 'sqlite-libs' }),
      );
    }
    for (const d of ['2', '3', '5']) {
      expect(stored[`sha256:${d.repeat(64)}`]).toContainEqual(
        expect.objectContaining({ vulnerability_id: 'CVE-2023-30861', status: 'affected' }),
      );
    }
    // The package stored twice at two layers has its findings twice.
    const twice = stored[`sha256:${'3'.repeat(64)}`]!.filter(
      (f) => f.package_name === apk[0]!.name && f.installed_version === apk[0]!.version,
    );
    expect(new Set(twice.map((f) => f.layer_diff_id)).size).toBe(twice.length ? 2 : 0);
    expect(Object.values(stored).reduce((n, l) => n + l.length, 0)).toBeGreaterThan(50);
  });

  it('an incremental update re-matches the touched packages only and ends where a whole match ends', async () => {
    const r = await updateAdvisories(store, { sources: [join(OSV, 'pypa-advisory-database/werkzeug')] });
    // Werkzeug 0.11 is in the three pip images: each gets the werkzeug CVEs (one, PYSEC-2019-140,
    // is withdrawn only in rematch.test's derived copy; here all seven records are live).
    expect(r.rematch).toMatchObject({ scans: 3, images: 3 });
    expect(r.rematch!.newlyAffected).toBeGreaterThanOrEqual(3 * 5);
    const { stored, alone } = await compare();
    expect(stored).toEqual(alone);
    expect(stored[`sha256:${'5'.repeat(64)}`]).toContainEqual(
      expect.objectContaining({ vulnerability_id: 'CVE-2023-25577', package_name: 'werkzeug' }),
    );
    const changes = await store.db
      .selectFrom('finding_changes')
      .select(['image_digest', 'package_name', 'change'])
      .where('cause', '=', 'rematch')
      .where('change', '=', 'newly_affected')
      .where('package_name', 'in', ['Werkzeug', 'werkzeug'])
      .execute();
    expect(changes.length).toBe(r.rematch!.newlyAffected);
  });

  it('CVE records re-rate through the touched findings, with the CVE record as severitySource', async () => {
    const r = await updateAdvisories(store, { sources: [join(TESTDATA, 'cve')] });
    expect(r.rematch!.severityChanged).toBeGreaterThan(0);
    const { stored, alone } = await compare();
    expect(stored).toEqual(alone);
    const sqlite = stored[`sha256:${'2'.repeat(64)}`]!.find(
      (f) => f.vulnerability_id === 'CVE-2019-5018' && f.package_name === 'sqlite-libs',
    );
    expect(sqlite?.severity_source).toMatch(/^cve(-adp)?:/);
    expect(sqlite?.severity).not.toBe('UNKNOWN');
  });
});
