// Store tests: real reports land through saveScan on PGlite and PostgreSQL, mapped to digests by
// every match method, atomically, with both built-in and imported sources kept per digest.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { saveImportedScans } from '../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { showImage } from '../views/index.js';
import { parseGrypeReport } from './grype/parse.js';
import { importReports } from './import-reports.js';
import { resolveReportImage } from './resolve-image.js';
import { raw, TESTDATA } from './test-support/reports.js';

const kinds = await storeKindsToTest();
const KEYCLOAK_INDEX = 'sha256:347a0d748d05a050dc64b92de2246d2240db6eb38afbc17c3c08d0acb0db1b50';
const KEYCLOAK_AMD64 = 'sha256:d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e';
const ALPINE_310_CONFIG = 'sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4';
const fake = (c: string) => `sha256:${c.repeat(64)}`;

describe.each(kinds)('importers on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.dispose();
  });
  beforeEach(async () => {
    for (const t of [
      'current_scans',
      'findings',
      'packages',
      'finding_changes',
      'scans',
      'image_children',
      'images',
      'tag_history',
    ] as const)
      await store.db.deleteFrom(t).execute();
  });

  it('Grype: lands on the manifest digest with scanner version, scan time and match method', async () => {
    const r = await importReports(store, {
      format: 'grype',
      files: [`${TESTDATA}grype/keycloak-test.json`],
    });
    expect(r.errors).toEqual([]);
    expect(r.images).toMatchObject([
      {
        digest: KEYCLOAK_AMD64,
        matchMethod: 'manifest-digest',
        source: 'grype',
        imported: 6, // CVE-2020-12413 on 6 packages (hand count, see grype/parse.test.ts)
      },
    ]);
    const scan = await store.db.selectFrom('scans').selectAll().executeTakeFirstOrThrow();
    expect(scan).toMatchObject({
      image_digest: KEYCLOAK_AMD64,
      source: 'grype',
      scanner_version: '0.66.0',
      status: 'complete',
    });
    expect(scan.started_at.toISOString()).toBe('2023-09-01T12:13:42.201Z');
    expect(scan.stats).toMatchObject({ import: { matchMethod: 'manifest-digest', confidence: 'exact' } });
    const rows = await store.db.selectFrom('findings').selectAll().where('scan_id', '=', scan.id).execute();
    expect(rows).toHaveLength(6);
    expect(rows.every((f) => f.source === 'grype' && f.severity === 'LOW' && f.cvss_score === 5.9)).toBe(
      true,
    );
  });

  it('records the tag → digest facts a report states (once), so tag-only lookups resolve later', async () => {
    const file = `${TESTDATA}grype/keycloak-test.json`;
    await importReports(store, { format: 'grype', files: [file] });
    await importReports(store, { format: 'grype', files: [file] });
    const rows = await store.db.selectFrom('tag_history').selectAll().execute();
    expect(rows).toEqual([
      expect.objectContaining({
        registry: 'docker.io',
        repository: 'keycloak/keycloak',
        tag: '21.0.2',
        digest: KEYCLOAK_INDEX,
        source: 'import',
        observed_at: new Date('2023-09-01T12:13:42.201Z'),
      }),
    ]);
    const names = await store.db
      .selectFrom('image_names')
      .select(['registry', 'repository', 'digest'])
      .execute();
    expect(names).toEqual([
      { registry: 'docker.io', repository: 'keycloak/keycloak', digest: KEYCLOAK_INDEX },
    ]);
    const shown = await showImage(store, 'keycloak/keycloak:21.0.2');
    expect([shown.digest, shown.resolvedBy]).toEqual([KEYCLOAK_INDEX, 'tag-history']);
  });

  it('repo digest of a known index → the child for the report platform (the manifest Grype read)', async () => {
    await store.db
      .insertInto('images')
      .values({
        digest: KEYCLOAK_INDEX,
        kind: 'index',
        media_type: 'application/vnd.oci.image.index.v1+json',
      })
      .execute();
    await store.db
      .insertInto('image_children')
      .values([
        { index_digest: KEYCLOAK_INDEX, child_digest: KEYCLOAK_AMD64, os: 'linux', architecture: 'amd64' },
        { index_digest: KEYCLOAK_INDEX, child_digest: fake('a'), os: 'linux', architecture: 'arm64' },
      ])
      .execute();
    const [report] = parseGrypeReport(raw('grype/keycloak-test.json'), 'k');
    const hints = { ...report!.hints, manifestDigest: undefined };
    expect(await resolveReportImage(store, hints)).toEqual({
      resolved: true,
      targets: [
        {
          digest: KEYCLOAK_AMD64,
          matchMethod: 'repo-digest+platform',
          confidence: 'exact',
          via: report!.hints.repoDigests[0],
        },
      ],
    });
    const noPlatform = await resolveReportImage(store, { ...hints, platform: undefined });
    expect(noPlatform).toMatchObject({
      resolved: false,
      reason: expect.stringMatching(/has 2 platforms .*does not say which/),
    });
  });

  it('a known image ID wins over a repo digest the store has never seen; alone, that digest is used', async () => {
    const [report] = parseGrypeReport(raw('grype/keycloak-test.json'), 'k');
    const hints = { ...report!.hints, manifestDigest: undefined };
    expect(await resolveReportImage(store, hints)).toMatchObject({
      resolved: true,
      targets: [{ digest: KEYCLOAK_INDEX, matchMethod: 'repo-digest' }],
    });
    await store.db
      .insertInto('images')
      .values({
        digest: KEYCLOAK_AMD64,
        kind: 'manifest',
        media_type: 'm',
        config_digest: hints.configDigest!,
      })
      .execute();
    expect(await resolveReportImage(store, hints)).toMatchObject({
      resolved: true,
      targets: [{ digest: KEYCLOAK_AMD64, matchMethod: 'config-digest', via: hints.configDigest }],
    });
  });

  it('image ID → every known manifest with that config; tag → tag history with confidence', async () => {
    await store.db
      .insertInto('images')
      .values([
        { digest: fake('b'), kind: 'manifest', media_type: 'm', config_digest: ALPINE_310_CONFIG },
        { digest: fake('c'), kind: 'manifest', media_type: 'm', config_digest: ALPINE_310_CONFIG },
      ])
      .execute();
    const file = `${TESTDATA}trivy/alpine-310.json.golden`;
    const byConfig = await importReports(store, { format: 'trivy', files: [file] });
    const n = 4; // CVE-2019-1549 and CVE-2019-1551 on libcrypto1.1 and libssl1.1 (trivy/parse.test.ts)
    expect(byConfig.images.map((i) => [i.digest, i.matchMethod, i.imported])).toEqual([
      [fake('b'), 'config-digest', n],
      [fake('c'), 'config-digest', n],
    ]);

    await store.db.deleteFrom('images').execute();
    const tag = { registry: 'ghcr.io', repository: 'aquasecurity/trivy-test-images', tag: 'alpine-310' };
    await store.db
      .insertInto('tag_history')
      .values([
        { ...tag, digest: fake('d'), observed_at: new Date('2021-08-01T00:00:00Z') },
        { ...tag, digest: fake('e'), observed_at: new Date('2022-01-01T00:00:00Z') },
      ])
      .execute();
    const byTag = await importReports(store, { format: 'trivy', files: [file] });
    // The report was made 2021-08-25: the tag then pointed to d, not to e (seen later).
    expect(byTag.images).toMatchObject([
      { digest: fake('d'), matchMethod: 'tag-history', confidence: 'inferred' },
    ]);
    await store.db.deleteFrom('tag_history').where('digest', '=', fake('d')).execute();
    const later = await importReports(store, { format: 'trivy', files: [file] });
    expect(later.images).toMatchObject([
      { digest: fake('e'), matchMethod: 'tag-history', confidence: 'weak' },
    ]);
  });

  it('a report with no image identity lands nothing and says what to do', async () => {
    const r = await importReports(store, {
      format: 'auto',
      files: [`${TESTDATA}osv-scanner-defectdojo/some_findings.json`],
    });
    expect(r.images).toMatchObject([{ digest: null, matchMethod: 'unresolved', imported: 0 }]);
    expect(r.errors[0]!.message).toMatch(/no image identity.*pass --image REF\|DIGEST/);
    expect(await store.db.selectFrom('scans').selectAll().execute()).toEqual([]);
  });

  it('a malformed file lands nothing while the other files land', async () => {
    const r = await importReports(store, {
      format: 'auto',
      files: [`${TESTDATA}openvex-defectdojo/openvex_one_vuln.json`, `${TESTDATA}grype/ghsa-test.json`],
    });
    expect(r.errors).toEqual([
      {
        file: `${TESTDATA}openvex-defectdojo/openvex_one_vuln.json`,
        message: expect.stringMatching(/this is an OpenVEX document/),
      },
    ]);
    expect(r.images).toHaveLength(1);
    expect(await store.db.selectFrom('scans').select('source').execute()).toEqual([{ source: 'grype' }]);
  });

  it('invalid entries make the import partial with the reasons recorded', async () => {
    const r = await importReports(store, {
      format: 'trivy',
      files: [`${TESTDATA}trivy-defectdojo/legacy_trivy_mix.json`],
      image: fake('f'),
    });
    expect(r.images).toMatchObject([{ digest: fake('f'), matchMethod: 'explicit', imported: 6 }]);
    const scan = await store.db.selectFrom('scans').selectAll().executeTakeFirstOrThrow();
    expect(scan.status).toBe('partial');
    expect(scan.errors).toEqual([
      { code: 'invalid-entry', message: expect.stringMatching(/^simplito\/elliptic-php: invalid entry/) },
    ]);
  });

  it('all or nothing: a failure inside the transaction leaves no scan, finding or current row', async () => {
    const [report] = parseGrypeReport(raw('grype/keycloak-test.json'), 'k');
    const ok = {
      imageDigest: fake('1'),
      source: 'grype',
      status: 'complete' as const,
      errors: [],
      packages: [],
      findings: report!.findings,
    };
    const bad = {
      ...ok,
      imageDigest: fake('2'),
      findings: [{ ...report!.findings[0]!, severity: 'SEVERE' as never }],
    };
    await expect(saveImportedScans(store, [ok, bad])).rejects.toThrow();
    for (const t of ['scans', 'findings', 'current_scans'] as const)
      expect(await store.db.selectFrom(t).selectAll().execute()).toEqual([]);
  });

  it('built-in and imported findings for one digest are both kept; image show lists differences', async () => {
    const digest = KEYCLOAK_AMD64;
    await importReports(store, { format: 'grype', files: [`${TESTDATA}grype/keycloak-test.json`] });
    // Two more sources for the same digest: a Trivy report of it and a runsight scan.
    await importReports(store, {
      format: 'trivy',
      files: [`${TESTDATA}trivy/alpine-310.json.golden`],
      image: digest,
      force: true, // another image's report, on purpose: its own identity disagrees
    });
    const [report] = parseGrypeReport(raw('grype/keycloak-test.json'), 'k');
    const builtIn = report!.findings.slice(0, 5).map((f, i) => ({
      ...f,
      source: 'runsight',
      severity: i === 0 ? ('MEDIUM' as const) : f.severity,
    }));
    await saveImportedScans(store, [
      {
        imageDigest: digest,
        source: 'runsight',
        status: 'complete',
        errors: [],
        packages: [],
        findings: builtIn,
      },
    ]);
    const current = await store.db
      .selectFrom('current_scans')
      .select('source')
      .where('image_digest', '=', digest)
      .orderBy('source')
      .execute();
    expect(current.map((c) => c.source)).toEqual(['grype', 'runsight', 'trivy']);

    const shown = await showImage(store, digest, 'grype');
    expect(shown.authoritativeSource).toBe('grype');
    expect(shown.sources.map((s) => [s.source, s.findings, s.authoritative])).toEqual([
      ['grype', 6, true],
      ['runsight', 5, false],
      ['trivy', 4, false],
    ]);
    const nspr = shown.differences.find((d) => d.package === 'nspr')!;
    expect(nspr.kind).toBe('only-in-some-sources,severity');
    expect(nspr.bySource.runsight?.severity).toBe('MEDIUM');
    expect(nspr.bySource.trivy).toBeNull();
    expect(shown.differences.find((d) => d.package === 'nss-util')!.kind).toBe('only-in-some-sources');
    // Without configuration the built-in scanner is authoritative.
    expect((await showImage(store, digest)).authoritativeSource).toBe('runsight');
    expect((await showImage(store, digest, 'osv-scanner')).configuredSourceMissing).toBe('osv-scanner');
  });

  it('image show of an index digest names its platform manifests (findings belong to those)', async () => {
    await store.db
      .insertInto('images')
      .values({
        digest: KEYCLOAK_INDEX,
        kind: 'index',
        media_type: 'application/vnd.oci.image.index.v1+json',
      })
      .execute();
    await store.db
      .insertInto('image_children')
      .values([
        { index_digest: KEYCLOAK_INDEX, child_digest: KEYCLOAK_AMD64, os: 'linux', architecture: 'amd64' },
      ])
      .execute();
    const shown = await showImage(store, `docker.io/keycloak/keycloak@${KEYCLOAK_INDEX}`);
    expect(shown).toMatchObject({ digest: KEYCLOAK_INDEX, sources: [], authoritativeSource: null });
    expect(shown.platforms).toEqual([{ digest: KEYCLOAK_AMD64, platform: 'linux/amd64' }]);
  });

  it('re-importing a changed report records what changed for the image', async () => {
    const digest = fake('9');
    await importReports(store, {
      format: 'trivy',
      files: [`${TESTDATA}trivy/debian-buster.json.golden`],
      image: digest,
    });
    await importReports(store, {
      format: 'trivy',
      files: [`${TESTDATA}trivy/alpine-310.json.golden`],
      image: digest,
      force: true, // another image's report, on purpose: its own identity disagrees
    });
    const changes = await store.db
      .selectFrom('finding_changes')
      .select(['change', 'cause'])
      .where('image_digest', '=', digest)
      .execute();
    // Hand counts (trivy/parse.test.ts): debian-buster CVE-2019-18276 bash, CVE-2019-18224
    // libidn2-0; alpine-310 two CVEs on two packages.
    const nBuster = 2;
    const nAlpine = 4;
    expect(changes.filter((c) => c.change === 'newly_fixed')).toHaveLength(nBuster);
    expect(changes.filter((c) => c.change === 'newly_affected')).toHaveLength(nAlpine);
    expect(changes.every((c) => c.cause === 'import')).toBe(true);
  });
});
