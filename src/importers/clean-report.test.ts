// Store tests: a report whose text PostgreSQL cannot hold (a NUL, a lone surrogate) imports with the
// field cleaned and the change reported, on PGlite and PostgreSQL.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { importReports } from './import-reports.js';
import { raw } from './test-support/reports.js';

const kinds = await storeKindsToTest();
const dir = mkdtempSync(join(tmpdir(), 'runsight-clean-report-'));

function reportFile(name: string, doc: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

describe.each(kinds)('report text cleaning on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  async function storedPackageNames(digest: string): Promise<string[]> {
    const rows = await store.db
      .selectFrom('current_scans')
      .innerJoin('findings', 'findings.scan_id', 'current_scans.scan_id')
      .select('findings.package_name')
      .where('current_scans.image_digest', '=', digest)
      .execute();
    return [...new Set(rows.map((r) => r.package_name))].sort();
  }

  it('Trivy: a NUL in PkgName is replaced by U+FFFD, the finding lands and the change is reported', async () => {
    const doc = raw('trivy/alpine-310.json.golden');
    // CVE-2019-1549 on libcrypto1.1 is the first vulnerability of the first result.
    doc.Results[0].Vulnerabilities[0].PkgName = 'libcrypto1.1\u0000evil';
    const digest = `sha256:${'c'.repeat(64)}`;
    const r = await importReports(store, {
      format: 'trivy',
      files: [reportFile('trivy-nul.json', doc)],
      image: digest,
    });
    expect(r.errors).toEqual([]);
    expect(r.images[0]!.skipped.filter((s) => s.kind === 'cleaned')).toEqual([
      {
        id: 'CVE-2019-1549',
        kind: 'cleaned',
        reason:
          'findings[0].package.name: 1 control character (U+0000) replaced by U+FFFD → "libcrypto1.1�evil"',
      },
    ]);
    expect(await storedPackageNames(digest)).toContain('libcrypto1.1\uFFFDevil');
    const scan = await store.db
      .selectFrom('scans')
      .select(['status', 'stats'])
      .where('image_digest', '=', digest)
      .executeTakeFirstOrThrow();
    expect(scan.status).toBe('complete');
    expect(scan.stats).toMatchObject({ import: { skipped: { cleaned: 1 } } });
  });

  it('Grype: a lone surrogate (invalid Unicode) in an artifact name is replaced by U+FFFD', async () => {
    const doc = raw('grype/keycloak-test.json');
    doc.matches[0].artifact.name = 'nspr\ud800';
    // The platform manifest digest the report names (its `manifestDigest`).
    const digest = 'sha256:d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e';
    const r = await importReports(store, {
      format: 'grype',
      files: [reportFile('grype-surrogate.json', doc)],
    });
    expect(r.errors).toEqual([]);
    expect(r.images[0]!.skipped.filter((s) => s.kind === 'cleaned')).toEqual([
      {
        id: 'CVE-2020-12413',
        kind: 'cleaned',
        reason: 'findings[0].package.name: 1 invalid Unicode character replaced by U+FFFD → "nspr�"',
      },
    ]);
    expect(await storedPackageNames(digest)).toContain('nspr\uFFFD');
  });
});
