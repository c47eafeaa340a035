// Per-image documents over real data in a real store (PGlite and PostgreSQL): the demo pipeline
// (the built-in scanner over the bundled OCI layout, a real OSV record, a recorded cluster) plus
// three real scanner reports imported (Grype keycloak and chainguard-ruby, a Trivy report without
// purls), and VEX statements loaded through `db update`'s path. Each document is validated against
// the real schema (SARIF 2.1.0, CycloneDX 1.6 through @cyclonedx/cyclonedx-library, OpenVEX
// v0.2.0: testdata/reports/), and the round trips of the issue are checked: the CycloneDX document
// re-imported by `runsight import`'s importer and the OpenVEX document loaded by `db update`'s VEX
// loader give back the findings and statuses the store holds. Expected statuses are stated by hand
// from the VEX document written below; findings are read from the store with listImageSources.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyVex, parseVex, updateAdvisories } from '../../advisories/index.js';
import { DEMO_CONFIG, DEMO_REGISTRY, runDemoPipeline } from '../../cli/commands/demo/demo-pipeline.js';
import type { Finding, FindingStatus } from '../../core/types.js';
import { importReports } from '../../importers/index.js';
import { TESTDATA } from '../../importers/test-support/reports.js';
import { maintainPosture } from '../../propagation/index.js';
import { cycloneDxSchemaErrors } from '../../scan/test-support/cyclonedx-schema.js';
import {
  listImageSources,
  queryImageFindings,
  readImageReportFindings,
  type SourceScan,
  type Store,
} from '../../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../../store/test-support/stores.js';
import { NotFoundError, showImage } from '../../views/index.js';
import { renderImageReport } from './index.js';

const kinds = await storeKindsToTest();
const SCHEMAS = new URL('../../../testdata/reports/', import.meta.url).pathname;

// The platform manifest digests the two Grype reports name (`source.target.manifestDigest`):
//   jq -r .source.target.manifestDigest testdata/importers/grype/{keycloak,chainguard-ruby}-test.json
const KEYCLOAK = 'sha256:d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e';
const TEAMDOJO = `sha256:${'7e'.repeat(32)}`;

function sarifValidator() {
  const schema = JSON.parse(readFileSync(`${SCHEMAS}sarif-schema-2.1.0-rtm.5.json`, 'utf8'));
  // The schema is written for draft-04 (`id`); its keywords are all draft-07's, so ajv reads it as such.
  delete schema.$schema;
  delete schema.id;
  // unicodeRegExp off: one of its patterns (`…]?$`) is not valid under the `u` flag.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

function openVexValidator() {
  const schema = JSON.parse(readFileSync(`${SCHEMAS}openvex_json_schema.json`, 'utf8'));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

/** The comparable part of a finding row: what the round trip must keep. */
function key(f: SourceScan['findings'][number]) {
  return [f.vulnerabilityId, f.packageName, f.installedVersion, f.fixedVersion ?? '', f.severity].join(' | ');
}

function authoritative(scans: SourceScan[], source: string): SourceScan {
  const s = scans.find((x) => x.source === source);
  if (!s) throw new Error(`no ${source} scan among ${scans.map((x) => x.source).join(', ')}`);
  return s;
}

/** The VEX document Runsight holds in these tests (written here; loaded through updateAdvisories). */
function vexDocument(chainguard: string) {
  return {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'https://example.test/vex/runsight-image-report-test',
    author: 'Runsight tests',
    timestamp: '2026-11-20T10:00:00Z',
    version: 1,
    statements: [
      {
        vulnerability: { name: 'CVE-2020-12413' },
        products: [{ '@id': KEYCLOAK }],
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
        impact_statement: 'keycloak never uses the NSS TLS code paths',
      },
      {
        vulnerability: { name: 'CVE-2023-28755' },
        products: [{ '@id': chainguard }],
        status: 'under_investigation',
      },
      {
        vulnerability: { name: 'CVE-2019-12900' },
        products: [{ '@id': TEAMDOJO }],
        status: 'fixed',
      },
      {
        vulnerability: { name: 'CVE-2020-28196' },
        products: [{ '@id': TEAMDOJO }],
        status: 'affected',
        action_statement: 'Rebuild on a base image with krb5-libs 1.15.5-r1',
      },
    ],
  };
}

/** Statuses after VEX, by hand from vexDocument: keycloak's six rows not_affected, libbz2 fixed. */
function expectedStatus(
  digest: string,
  f: { vulnerabilityId: string; status: FindingStatus },
): FindingStatus {
  if (digest === KEYCLOAK && f.vulnerabilityId === 'CVE-2020-12413') return 'not_affected';
  if (digest === TEAMDOJO && f.vulnerabilityId === 'CVE-2019-12900') return 'fixed';
  return f.status;
}

async function importRaw(store: Store): Promise<string> {
  const grype = await importReports(store, {
    format: 'grype',
    files: [`${TESTDATA}grype/keycloak-test.json`, `${TESTDATA}grype/chainguard-ruby-test.json`],
  });
  expect(grype.errors).toEqual([]);
  const trivy = await importReports(store, {
    format: 'trivy',
    files: [`${TESTDATA}trivy-defectdojo/scheme_2_many_vulns.json`],
    image: TEAMDOJO,
  });
  expect(trivy.errors).toEqual([]);
  return grype.images.find((i) => i.file.includes('chainguard'))!.digest!;
}

describe.each(kinds)('per-image documents (%s)', (kind) => {
  let store: TestStore;
  let dir: string;
  let chainguard: string;
  const others: TestStore[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runsight-image-report-'));
    store = await createTestStore(kind);
    const demo = await runDemoPipeline(store, () => {});
    expect(demo.checks.every((c) => c.status === 'pass')).toBe(true);
    chainguard = await importRaw(store);
    writeFileSync(join(dir, 'held.openvex.json'), JSON.stringify(vexDocument(chainguard)));
    await updateAdvisories(store, { sources: [join(dir, 'held.openvex.json')] });
    await maintainPosture(store, {}, DEMO_CONFIG);
  }, 240_000);

  afterAll(async () => {
    for (const s of others) await s.dispose();
    await store?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the keycloak digest is the one the Grype report names', async () => {
    expect((await listImageSources(store, KEYCLOAK)).map((s) => s.source)).toEqual(['grype']);
  });

  it('SARIF: valid 2.1.0, one rule per counted vulnerability, levels from severity, stable fingerprints', async () => {
    const validate = sarifValidator();
    const r = await renderImageReport(store, TEAMDOJO, 'sarif');
    expect(r.contentType).toBe('application/sarif+json');
    expect(r.filename).toMatch(/^sha256-7e7e7e7e7e7e\.sarif$/);
    const doc = JSON.parse(r.body);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    const run = doc.runs[0];
    expect(run.tool.driver.name).toBe('Runsight');
    expect(run.tool.driver.version).toMatch(/^\d+\.\d+\.\d+/);
    // scheme_2_many_vulns.json: 5 vulnerabilities; CVE-2019-12900 (libbz2) is fixed by VEX, so 4 count.
    const byRule = Object.fromEntries(
      run.results.map((x: { ruleId: string; level: string }) => [x.ruleId, x.level]),
    );
    expect(byRule).toEqual({
      'CVE-2020-15999': 'warning', // MEDIUM freetype
      'CVE-2020-28196': 'error', // HIGH krb5-libs
      'CVE-2018-11771': 'warning', // MEDIUM commons-compress
      'CVE-2018-1324': 'warning', // MEDIUM commons-compress
    });
    expect(run.tool.driver.rules.map((x: { id: string }) => x.id).sort()).toEqual(Object.keys(byRule).sort());
    const krb = run.tool.driver.rules.find((x: { id: string }) => x.id === 'CVE-2020-28196');
    expect(krb.properties.tags).toContain('security');
    expect(Number(krb.properties['security-severity'])).toBeGreaterThanOrEqual(7);
    expect(Number(krb.properties['security-severity'])).toBeLessThan(9);
    expect(krb.helpUri).toBe('https://www.cve.org/CVERecord?id=CVE-2020-28196');
    const res = run.results.find((x: { ruleId: string }) => x.ruleId === 'CVE-2020-28196');
    expect(res.message.text).toContain('krb5-libs 1.15.5-r0');
    expect(res.message.text).toContain('fixed in 1.15.5-r1');
    expect(res.locations[0].physicalLocation.artifactLocation.uri).toBe(TEAMDOJO);
    // Fingerprints: one per (digest, package, vulnerability), the same on a second render.
    const fps = run.results.map(
      (x: { partialFingerprints: Record<string, string> }) => Object.values(x.partialFingerprints)[0],
    );
    expect(new Set(fps).size).toBe(4);
    const again = JSON.parse((await renderImageReport(store, TEAMDOJO, 'sarif')).body).runs[0].results;
    expect(
      again.map(
        (x: { partialFingerprints: Record<string, string> }) => Object.values(x.partialFingerprints)[0],
      ),
    ).toEqual(fps);
  });

  it('SARIF of the demo index: every platform manifest, located at its digest, from a tag through tag history', async () => {
    const validate = sarifValidator();
    const ref = `${DEMO_REGISTRY}/shop/api:1.0`;
    const shown = await showImage(store, ref);
    expect(shown.platforms.length).toBe(2);
    const doc = JSON.parse((await renderImageReport(store, ref, 'sarif')).body);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    const uris = new Set(
      doc.runs[0].results.map(
        (x: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
          x.locations[0]!.physicalLocation.artifactLocation.uri,
      ),
    );
    expect(uris).toEqual(new Set(shown.platforms.map((p) => `oci://${DEMO_REGISTRY}/shop/api@${p.digest}`)));
    // The demo's vulnerability: musl and musl-utils 1.2.4-r0 in each platform (testdata/demo/SOURCES.md).
    const pkgs = doc.runs[0].results.map(
      (x: { ruleId: string; properties: { package: string } }) => `${x.ruleId} ${x.properties.package}`,
    );
    expect(pkgs.sort()).toEqual([
      'CVE-2025-26519 musl',
      'CVE-2025-26519 musl',
      'CVE-2025-26519 musl-utils',
      'CVE-2025-26519 musl-utils',
    ]);
    // An OSV record is held for it: the rule links its OSV page.
    expect(doc.runs[0].tool.driver.rules[0].helpUri).toBe(
      'https://osv.dev/vulnerability/ALPINE-CVE-2025-26519',
    );
  });

  it("scope: an image no container in the scope runs is NotFound with image show's message", async () => {
    const ref = `${DEMO_REGISTRY}/shop/api:1.0`;
    await expect(
      renderImageReport(store, ref, 'openvex', { scope: { namespaces: ['shop'] } }),
    ).resolves.toBeTruthy();
    const err = await renderImageReport(store, ref, 'sarif', { scope: { namespaces: ['elsewhere'] } }).catch(
      (e) => e,
    );
    const shown = await showImage(store, ref, undefined, { scope: { namespaces: ['elsewhere'] } }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toBe(shown.message);
    // The imported keycloak image runs nowhere: in a scope it does not exist.
    await expect(
      renderImageReport(store, KEYCLOAK, 'cyclonedx', { scope: { namespaces: ['shop'] } }),
    ).rejects.toThrow(/no container in your access scope runs or ran/);
    await expect(renderImageReport(store, `sha256:${'00'.repeat(32)}`, 'sarif')).rejects.toThrow(
      NotFoundError,
    );
  });

  it('CycloneDX: valid 1.6; re-imported by the CycloneDX importer it gives the same findings', async () => {
    const target = await createTestStore(kind);
    others.push(target);
    // The demo's amd64 manifest: scanned by Runsight's own scanner (source runsight, apk purls).
    const demoAmd64 = (await showImage(store, `${DEMO_REGISTRY}/shop/api:1.0`)).platforms.find((p) =>
      p.platform.endsWith('amd64'),
    )!.digest;
    const sourceOf = (digest: string) =>
      digest === TEAMDOJO ? 'trivy' : digest === demoAmd64 ? 'runsight' : 'grype';
    for (const digest of [KEYCLOAK, chainguard, TEAMDOJO, demoAmd64]) {
      const r = await renderImageReport(store, digest, 'cyclonedx');
      expect(r.contentType).toBe('application/vnd.cyclonedx+json; version=1.6');
      const bom = JSON.parse(r.body);
      expect(await cycloneDxSchemaErrors(bom)).toBeNull();
      expect(bom.metadata.component.type).toBe('container');
      expect(bom.metadata.component.purl).toContain(`@${digest.replace(':', '%3A')}`);
      const imported = await importReports(target, {
        format: 'cyclonedx',
        files: [],
        documents: [{ origin: `${digest}.cdx.json`, data: bom }],
      });
      expect(imported.errors).toEqual([]);
      expect(imported.images.map((i) => i.digest)).toEqual([digest]);

      const original = authoritative(await listImageSources(store, digest), sourceOf(digest));
      const back = authoritative(await listImageSources(target, digest), 'cyclonedx');
      expect(back.findings.map(key).sort()).toEqual(original.findings.map(key).sort());
      expect(back.findings.map((f) => `${f.packageName} ${f.ecosystem}`).sort()).toEqual(
        original.findings.map((f) => `${f.packageName} ${f.ecosystem}`).sort(),
      );
      // Statuses: the VEX analysis comes back as the finding's status (in_triage/exploitable → affected).
      expect(back.findings.map((f) => `${key(f)} ${f.status}`).sort()).toEqual(
        original.findings.map((f) => `${key(f)} ${expectedStatus(digest, f)}`).sort(),
      );
    }
  });

  it('an index: one BOM (platforms nested) and one OpenVEX document (a product per platform), both valid', async () => {
    const ref = `${DEMO_REGISTRY}/shop/api:1.0`;
    const shown = await showImage(store, ref);
    const bom = JSON.parse((await renderImageReport(store, ref, 'cyclonedx')).body);
    expect(await cycloneDxSchemaErrors(bom)).toBeNull();
    expect(bom.metadata.component.version).toBe(shown.digest);
    expect(bom.metadata.component.components.map((c: { version: string }) => c.version).sort()).toEqual(
      shown.platforms.map((p) => p.digest).sort(),
    );
    const vex = JSON.parse((await renderImageReport(store, ref, 'openvex')).body);
    expect(openVexValidator()(vex)).toBe(true);
    expect(vex.statements).toHaveLength(1); // CVE-2025-26519, affected, the same packages on both platforms
    expect(vex.statements[0].products).toHaveLength(2);
    expect(vex.statements[0].action_statement).toBe('Update musl to 1.2.4-r3, musl-utils to 1.2.4-r3');
  });

  it('CycloneDX analysis carries the VEX statuses and justification', async () => {
    const bom = JSON.parse((await renderImageReport(store, KEYCLOAK, 'cyclonedx')).body);
    expect(bom.vulnerabilities).toHaveLength(1); // one CVE, six packages: one entry affecting six refs
    const v = bom.vulnerabilities[0];
    expect(v.affects).toHaveLength(6);
    expect(v.analysis).toEqual({
      state: 'not_affected',
      justification: 'code_not_reachable',
      detail: 'keycloak never uses the NSS TLS code paths',
    });
    const cg = JSON.parse((await renderImageReport(store, chainguard, 'cyclonedx')).body);
    expect(cg.vulnerabilities.map((x: { analysis?: { state: string } }) => x.analysis?.state)).toEqual([
      'in_triage',
      'in_triage',
    ]);
    const td = JSON.parse((await renderImageReport(store, TEAMDOJO, 'cyclonedx')).body);
    const states = Object.fromEntries(
      td.vulnerabilities.map((x: { id: string; analysis?: { state: string } }) => [
        x.id,
        x.analysis?.state ?? null,
      ]),
    );
    expect(states).toEqual({
      'CVE-2018-11771': null,
      'CVE-2018-1324': null,
      'CVE-2019-12900': 'resolved',
      'CVE-2020-15999': null,
      'CVE-2020-28196': 'exploitable',
    });
  });

  it('OpenVEX: valid v0.2.0; loaded by the VEX loader it gives back the same statuses', async () => {
    const validate = openVexValidator();
    const target = await createTestStore(kind);
    others.push(target);
    await importRaw(target); // the same reports, without any VEX
    for (const digest of [KEYCLOAK, chainguard, TEAMDOJO]) {
      const r = await renderImageReport(store, digest, 'openvex');
      const doc = JSON.parse(r.body);
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
      const scan = (await listImageSources(store, digest))[0]!;
      const original = await readImageReportFindings(store, [scan.scanId]);
      // The loader's statements applied to the stored findings give the statuses stated by hand.
      const statements = parseVex(doc, r.filename);
      const findings: Finding[] = original.map((f) => ({
        id: f.vulnerabilityId,
        aliases: f.aliases,
        package: { ecosystem: f.ecosystem, name: f.packageName, purl: f.packagePurl ?? undefined },
        installedVersion: f.installedVersion,
        severity: f.severity,
        kev: false,
        status: f.status,
        source: scan.source,
      }));
      const applied = applyVex(findings, statements, { imageDigest: digest });
      expect(applied.map((f) => `${f.id} ${f.package.name} ${f.status}`).sort()).toEqual(
        original.map((f) => `${f.vulnerabilityId} ${f.packageName} ${expectedStatus(digest, f)}`).sort(),
      );
      // And through `db update`: posture of the VEX-less copy becomes the original's.
      const file = join(dir, `${digest.slice(7, 19)}.openvex.json`);
      writeFileSync(file, r.body);
      await updateAdvisories(target, { sources: [file] });
    }
    await maintainPosture(target, {}, DEMO_CONFIG);
    for (const digest of [KEYCLOAK, chainguard, TEAMDOJO]) {
      const row = (f: { vulnerabilityId: string; packageName: string; status: string }) =>
        `${f.vulnerabilityId} ${f.packageName} ${f.status}`;
      expect((await queryImageFindings(target, digest)).map(row).sort()).toEqual(
        (await queryImageFindings(store, digest)).map(row).sort(),
      );
    }
    // keycloak's CVE is gone from posture on both sides; teamdojo keeps 4 of its 5.
    expect(await queryImageFindings(target, KEYCLOAK)).toEqual([]);
    expect(new Set((await queryImageFindings(target, TEAMDOJO)).map((f) => f.vulnerabilityId)).size).toBe(4);
  });

  it('OpenVEX statements: status, justification, action, products and subcomponents', async () => {
    const doc = JSON.parse((await renderImageReport(store, TEAMDOJO, 'openvex')).body);
    const by = Object.fromEntries(
      doc.statements.map((s: { vulnerability: { name: string } }) => [s.vulnerability.name, s]),
    );
    expect(by['CVE-2019-12900'].status).toBe('fixed');
    expect(by['CVE-2020-28196'].status).toBe('affected');
    expect(by['CVE-2020-28196'].action_statement).toBe('Rebuild on a base image with krb5-libs 1.15.5-r1');
    expect(by['CVE-2020-15999'].action_statement).toBe('Update freetype to 2.9.1-r3');
    expect(by['CVE-2020-15999'].products[0]['@id']).toBe(`pkg:oci/image@${TEAMDOJO.replace(':', '%3A')}`);
    const kc = JSON.parse((await renderImageReport(store, KEYCLOAK, 'openvex')).body);
    expect(kc.statements).toHaveLength(1);
    expect(kc.statements[0]).toMatchObject({
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
    });
    expect(kc.statements[0].products[0].subcomponents).toHaveLength(6);
  });
});
