import { describe, expect, it } from 'vitest';
import { raw } from '../test-support/reports.js';
import { parseCycloneDxReport } from './parse.js';

describe('CycloneDX importer on real BOMs', () => {
  // Distinct (vulnerability, package, installed version), counted by hand from
  //   jq -c '. as $d | ([$d | .. | objects | select(has("bom-ref")) | {key: .["bom-ref"], value: [.name, .version]}]
  //          | from_entries) as $c | $d.vulnerabilities[] | [.id, [.references[]?.id], [.affects[].ref as $r | $c[$r]]]'
  // log4j (both): 4 CVEs and 4 GHSAs on log4j-core 2.13.2; no GHSA names a CVE (no references) → 8.
  // valid-vulnerability-1.4: SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111 (→ CVE-2018-7489) on
  // jackson-databind 2.9.4 → 1. npm-cyclonedx: CVE-2019-11358 on jquery 3.3.9 → 1.
  it.each([
    ['cyclonedx-defectdojo/log4j.json', 8],
    ['cyclonedx-defectdojo/nested-component-log4j.json', 8],
    ['cyclonedx-defectdojo/valid-vulnerability-1.4.json', 1],
    ['trivy/npm-cyclonedx.json.golden', 1],
  ])('%s: %i distinct findings', (file, distinct) => {
    const doc = raw(file);
    const [r] = parseCycloneDxReport(doc, file);
    expect(r!.findings).toHaveLength(distinct);
    expect(r!.skipped).toEqual([]);
  });

  it('Grype-written BOM: severity from the rating, CVSS v3.1 preferred over v2, tool version', () => {
    const [r] = parseCycloneDxReport(raw('cyclonedx-defectdojo/log4j.json'), 'log4j');
    expect(r!.scannerVersion).toBe('grype 0.41.0');
    const f = r!.findings.find((x) => x.id === 'CVE-2021-44228')!;
    expect(f).toMatchObject({
      package: { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core' },
      installedVersion: '2.13.2',
      severity: 'CRITICAL',
      cvss: { version: '3.1', score: 10, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H' },
      status: 'affected',
    });
    expect(r!.hints).toEqual({ repoDigests: [], references: [] });
  });

  it('a nested container component names the image (tag → resolved through tag history)', () => {
    const [r] = parseCycloneDxReport(raw('cyclonedx-defectdojo/nested-component-log4j.json'), 'n');
    expect(r!.hints.references).toEqual(['testregistry.test/testcontainer:test']);
  });

  it('VEX analysis sets the status: not_affected with its justification', () => {
    const [r] = parseCycloneDxReport(raw('cyclonedx-defectdojo/valid-vulnerability-1.4.json'), 'v');
    expect(r!.findings[0]).toMatchObject({
      id: 'CVE-2018-7489', // the SNYK id's CVE reference
      aliases: ['SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111'],
      status: 'not_affected',
      statusReason: expect.stringContaining('code_not_reachable'),
      severity: 'CRITICAL',
      cvss: { version: '3.0', score: 9.8 },
    });
  });

  it('Trivy-written BOM: fixed version from the recommendation, ecosystem from the purl', () => {
    const doc = raw('trivy/npm-cyclonedx.json.golden');
    const [r] = parseCycloneDxReport(doc, 't');
    expect(r!.findings[0]).toMatchObject({
      id: 'CVE-2019-11358',
      package: { ecosystem: 'npm', name: 'jquery', purl: 'pkg:npm/jquery@3.3.9' },
      fixedVersion: '3.4.0',
      severity: 'MEDIUM',
    });
    expect(r!.packages.length).toBe(doc.components.filter((c: { version?: string }) => c.version).length);
  });

  it('rejects an unknown specVersion', () => {
    const doc = { ...raw('cyclonedx-defectdojo/log4j.json'), specVersion: '2.0' };
    expect(() => parseCycloneDxReport(doc, 'x.json')).toThrow(/unsupported CycloneDX specVersion 2.0/);
  });
});

describe('CycloneDX VEX (CISA use cases, CycloneDX/bom-examples)', () => {
  it('analysis states become statuses: not_affected, resolved → fixed, in_triage/exploitable → affected', () => {
    const doc = raw('cyclonedx-vex/case-3-vex.json');
    const [r] = parseCycloneDxReport(doc, 'case-3');
    const states = doc.vulnerabilities.map((v: { analysis: { state: string } }) => v.analysis.state);
    const count = (s: string[]) => states.filter((x: string) => s.includes(x)).length;
    expect(r!.findings).toHaveLength(doc.vulnerabilities.length);
    expect(r!.findings.filter((f) => f.status === 'not_affected')).toHaveLength(
      count(['not_affected', 'false_positive']),
    );
    expect(r!.findings.filter((f) => f.status === 'fixed')).toHaveLength(count(['resolved']));
    expect(r!.findings.filter((f) => f.status === 'affected')).toHaveLength(
      count(['in_triage', 'exploitable']),
    );
    // The product the VEX speaks about is the package.
    expect(r!.findings[0]!.package).toMatchObject({ name: 'GHI', ecosystem: 'unknown' });
    expect(r!.findings[0]!.installedVersion).toBe('17.4');
  });

  it('a runsight:status property (Runsight’s own BOMs) wins over the analysis state; others are ignored', () => {
    const vuln = (id: string, status: string | undefined, state?: string) => ({
      id,
      affects: [{ ref: 'pkg-a' }],
      ...(status ? { properties: [{ name: 'runsight:status', value: status }] } : {}),
      ...(state ? { analysis: { state } } : {}),
    });
    const doc = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      metadata: { component: { type: 'container', name: 'registry.test/app@sha256:' + 'ab'.repeat(32) } },
      components: [{ type: 'library', 'bom-ref': 'pkg-a', name: 'a', version: '1', purl: 'pkg:npm/a@1' }],
      vulnerabilities: [
        vuln('CVE-2026-0001', 'unknown', 'in_triage'),
        vuln('CVE-2026-0002', 'not_affected', 'not_affected'),
        vuln('CVE-2026-0003', 'bogus', 'resolved'),
        vuln('CVE-2026-0004', undefined, 'exploitable'),
      ],
    };
    const [r] = parseCycloneDxReport(doc, 'own');
    expect(r!.findings.map((f) => [f.id, f.status])).toEqual([
      ['CVE-2026-0001', 'unknown'],
      ['CVE-2026-0002', 'not_affected'],
      ['CVE-2026-0003', 'fixed'],
      ['CVE-2026-0004', 'affected'],
    ]);
  });

  it('BOM-Links into another BOM cannot be resolved here: each is skipped with the reason', () => {
    const [r] = parseCycloneDxReport(raw('cyclonedx-vex/case-7-vex.json'), 'case-7');
    expect(r!.findings).toEqual([]);
    expect(r!.skipped.length).toBeGreaterThan(0);
    expect(r!.skipped[0]!.reason).toMatch(
      /affects ref "urn:cdx:.*#product-ABC" names no component of this BOM/,
    );
  });
});
