import { describe, expect, it } from 'vitest';
import { parseReportText } from '../read-report.js';
import { raw, TESTDATA } from '../test-support/reports.js';
import { parseTrivyReport } from './parse.js';

// [golden, vulnerability records, distinct (vulnerability, package, installed version)]. Counted by
// hand from
//   jq -c '.Results[] | .Target as $t | (.Vulnerabilities // [])[] | [$t, .VulnerabilityID, .PkgName, .InstalledVersion, .VendorIDs]'
// No record has a non-CVE id with CVE vendor ids, so the id is the VulnerabilityID. Only gomod
// repeats one: GMS-2022-20 on github.com/docker/distribution v2.7.1+incompatible in go.mod,
// submod/go.mod and submod2/go.mod → 3 distinct of 5.
const GOLDENS: [string, number, number][] = [
  ['alpine-310', 4, 4],
  ['debian-buster', 2, 2],
  ['ubuntu-1804', 5, 5],
  ['centos-7', 3, 3],
  ['npm', 1, 1],
  ['pip', 2, 2],
  ['gomod', 5, 3],
  ['spring4shell-jre11', 1, 1],
];

describe('Trivy importer on real reports', () => {
  it.each(GOLDENS)(
    '%s golden: %i records, %i distinct (vulnerability, package, version)',
    (name, records, distinct) => {
      const doc = raw(`trivy/${name}.json.golden`);
      const [r] = parseTrivyReport(doc, name);
      expect(r!.findings).toHaveLength(distinct);
      const total = doc.Results.flatMap(
        (x: { Vulnerabilities?: unknown[] }) => x.Vulnerabilities ?? [],
      ).length;
      expect(total).toBe(records);
      expect(r!.findings.length + r!.skipped.length).toBe(records);
    },
  );

  it('maps OS packages, CVSS v3, image identity and scan time (alpine-310)', () => {
    const [r] = parseTrivyReport(raw('trivy/alpine-310.json.golden'), 'alpine-310');
    expect(r!.hints.configDigest).toBe(
      'sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4',
    );
    expect(r!.hints.references).toContain('ghcr.io/aquasecurity/trivy-test-images:alpine-310');
    expect(r!.hints.platform).toEqual({ os: 'linux', architecture: 'amd64', variant: undefined });
    expect(r!.scannedAt?.toISOString()).toBe('2021-08-25T12:20:30.000Z');
    expect(r!.scannerVersion).toBe('dev');
    const f = r!.findings.find((x) => x.id === 'CVE-2019-1549' && x.package.name === 'libcrypto1.1')!;
    expect(f).toMatchObject({
      package: { ecosystem: 'Alpine:v3.10', layer: expect.stringMatching(/^sha256:03901b4a/) },
      installedVersion: '1.1.1c-r0',
      fixedVersion: '1.1.1d-r0',
      severity: 'MEDIUM',
      cvss: { version: '3.1', score: 5.3, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N' },
      status: 'affected',
      source: 'trivy',
    });
  });

  it('language results take the ecosystem from their type (pip → PyPI, jar → Maven)', () => {
    const [pip] = parseTrivyReport(raw('trivy/pip.json.golden'), 'pip');
    expect(new Set(pip!.findings.map((f) => f.package.ecosystem))).toEqual(new Set(['PyPI']));
    expect(pip!.packages.length).toBeGreaterThan(0);
    const [spring] = parseTrivyReport(raw('trivy/spring4shell-jre11.json.golden'), 's');
    expect(spring!.findings.find((f) => f.id === 'CVE-2022-22965')!.package).toMatchObject({
      ecosystem: 'Maven',
      name: 'org.springframework:spring-beans',
    });
  });

  it('folds real duplicates (gomod: one vulnerability reported twice) and says so', () => {
    const doc = raw('trivy/gomod.json.golden');
    const [r] = parseTrivyReport(doc, 'gomod');
    // GMS-2022-20 on docker/distribution v2.7.1+incompatible, from go.mod and two submodules.
    expect(r!.skipped.map((s) => [s.kind, s.id])).toEqual([
      ['duplicate', 'GMS-2022-20'],
      ['duplicate', 'GMS-2022-20'],
    ]);
    expect(r!.skipped.every((s) => /duplicate: /.test(s.reason))).toBe(true);
    expect(r!.findings).toHaveLength(3);
    expect(r!.findings.filter((f) => f.id === 'GMS-2022-20')).toHaveLength(1);
  });

  it('keeps every Trivy status as affected except not_affected, with the status as reason', () => {
    const doc = raw('trivy-defectdojo/all_statuses.json');
    const [r] = parseTrivyReport(doc, 'all_statuses');
    expect(r!.findings).toHaveLength(8); // DefectDojo test_trivy_parser: 8 findings
    const statuses = doc.Results.flatMap((x: { Vulnerabilities?: { Status: string }[] }) =>
      (x.Vulnerabilities ?? []).map((v) => v.Status),
    );
    expect(r!.findings.filter((f) => f.status === 'not_affected')).toHaveLength(
      statuses.filter((s: string) => s === 'not_affected').length,
    );
    expect(r!.findings.some((f) => f.statusReason === 'trivy status: will_not_fix')).toBe(true);
  });

  it('reads the pre-v2 list form; an entry without VulnerabilityID is skipped as invalid', () => {
    const many = raw('trivy-defectdojo/legacy_many_vulns.json');
    expect(parseTrivyReport(many, 'legacy')[0]!.findings).toHaveLength(93); // DefectDojo: 93
    // jq '[.[].Vulnerabilities[]? | [.VulnerabilityID, .PkgName, .InstalledVersion]] | unique | length' → 93
    expect(parseTrivyReport(many, 'legacy')[0]!.skipped).toEqual([]);
    const mix = parseTrivyReport(raw('trivy-defectdojo/legacy_trivy_mix.json'), 'mix')[0]!;
    expect(mix.skipped).toEqual([
      expect.objectContaining({
        id: 'simplito/elliptic-php',
        kind: 'invalid',
        reason: expect.stringContaining('VulnerabilityID'),
      }),
    ]);
    expect(mix.hints.references).toEqual(['trivy-ci-test']);
    expect(mix.os?.ecosystem).toBe('Alpine:v3.7');
  });

  it('links workloads to images in a trivy k8s report (both shapes)', () => {
    const doc = raw('trivy-defectdojo/kubernetes.json');
    const reports = parseTrivyReport(doc, 'k8s');
    // Per workload, the os-pkgs result and its distinct (id, package, version), by
    //   jq -c '.Vulnerabilities[] | [.Name, (.Results[]? | [.Target, .Class, ([(.Vulnerabilities // [])[] | [.VulnerabilityID, .PkgName, .InstalledVersion]] | unique | length)])]'
    // redis-leader: docker.io/redis:6.0.5 (debian 10.4) 5; redis-follower:
    // gcr.io/google_samples/gb-redis-follower:v2 (debian 10.4) 5. (DefectDojo's 20 also counts
    // the misconfigurations, which are not read.)
    expect(Object.fromEntries(reports.map((r) => [r.label, r.findings.length]))).toEqual({
      'docker.io/redis:6.0.5': 5,
      'gcr.io/google_samples/gb-redis-follower:v2': 5,
    });
    const leader = reports.find((r) => r.label === 'docker.io/redis:6.0.5')!;
    expect(leader.workloads).toEqual([
      expect.objectContaining({ namespace: 'default', kind: 'Deployment', name: 'redis-leader' }),
    ]);
    // The newer shape (Resources[]): issue_10991 carries only configuration results → no images.
    expect(parseTrivyReport(raw('trivy-defectdojo/issue_10991.json'), 'k8s2')).toEqual([]);
  });

  it('rejects an unknown SchemaVersion, naming what it reads', () => {
    const doc = { ...raw('trivy/alpine-310.json.golden'), SchemaVersion: 3 };
    expect(() => parseTrivyReport(doc, 'x.json')).toThrow(
      /unsupported Trivy SchemaVersion 3.*reads SchemaVersion 2/,
    );
  });

  it('rejects a truncated report with the position', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(`${TESTDATA}trivy/alpine-310.json.golden`, 'utf8');
    expect(() => parseReportText(text.slice(0, 5000), 'cut.json')).toThrow(
      /cut.json: the JSON ends before the document is complete/,
    );
    expect(() =>
      parseReportText(text.replace('"SchemaVersion": 2,', '"SchemaVersion": 2,,'), 'bad.json'),
    ).toThrow(/bad.json: malformed JSON/);
    expect(() => parseReportText('   ', 'empty.json')).toThrow(/empty/);
  });
});
