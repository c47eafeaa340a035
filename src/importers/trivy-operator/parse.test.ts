import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseReportText } from '../read-report.js';
import { raw, TESTDATA } from '../test-support/reports.js';
import { parseTrivyOperatorReports } from './parse.js';

describe('trivy-operator importer on real VulnerabilityReports', () => {
  // DefectDojo test_trivy_operator_parser figures: many 41, single 1, no_vuln 0, extended 5. Each
  // report has as many entries as distinct (id, resource, installed version), checked with
  //   jq '[.report.vulnerabilities | length, ([.[] | [.vulnerabilityID, .resource, .installedVersion]] | unique | length)]'
  it.each([
    ['vulnerabilityreport_many.json', 41],
    ['vulnerabilityreport_single_vuln.json', 1],
    ['vulnerabilityreport_no_vuln.json', 0],
    ['vulnerabilityreport_extended.json', 5],
  ])('%s: %i findings', (file, stated) => {
    const doc = raw(`trivy-operator-defectdojo/${file}`);
    expect(doc.report.vulnerabilities).toHaveLength(stated);
    const [r] = parseTrivyOperatorReports(doc, file);
    expect(r!.findings).toHaveLength(stated);
    expect(r!.skipped).toEqual([]);
  });

  it('image, workload and scanner from the resource; ecosystem from packageType', () => {
    const [r] = parseTrivyOperatorReports(
      raw('trivy-operator-defectdojo/vulnerabilityreport_extended.json'),
      'x',
    );
    expect(r!.hints.repoDigests).toEqual([
      'index.docker.io/library/ubuntu@sha256:f78909c2b360d866b3220655c0b079838258b8891a12ac25fc670f0cbb54229f',
    ]);
    expect(r!.scannerVersion).toBe('0.48.3');
    expect(r!.scannedAt?.toISOString()).toBe('2024-01-23T13:43:55.000Z');
    expect(r!.findings[0]!.package.ecosystem).toBe('Ubuntu:20.04');
    const [single] = parseTrivyOperatorReports(
      raw('trivy-operator-defectdojo/vulnerabilityreport_single_vuln.json'),
      's',
    );
    expect(single!.workloads).toEqual([
      { namespace: 'default', kind: 'ReplicaSet', name: 'nginx-deployment-965685897', container: 'nginx' },
    ]);
    expect(single!.hints.references).toEqual(['index.docker.io/library/nginx:alpine']);
    expect(single!.findings[0]).toMatchObject({
      id: 'CVE-2023-23914',
      severity: 'CRITICAL',
      fixedVersion: '7.87.0-r2',
    });
  });

  it('lists and CRD dumps: vulnerability reports imported, other kinds listed as ignored', () => {
    const list = parseTrivyOperatorReports(raw('trivy-operator-defectdojo/findings_in_list.json'), 'l');
    expect(list).toHaveLength(1);
    expect(list[0]!.findings).toHaveLength(5);
    expect(list[0]!.skipped).toEqual([
      expect.objectContaining({ kind: 'ignored', id: expect.stringMatching(/^ConfigAuditReport\//) }),
    ]);
    const dict = raw('trivy-operator-defectdojo/all_reports_in_dict.json');
    const fromDict = parseTrivyOperatorReports(dict, 'd');
    // One VulnerabilityReport (the nginx replicaset of vulnerabilityreport_many.json): 41 entries, 41
    // distinct, by jq '.["vulnerabilityreports.aquasecurity.github.io"][] | .report.vulnerabilities | length'.
    // (DefectDojo's 43 for this file also counts the config-audit and secret reports.)
    expect(fromDict.map((r) => r.findings.length)).toEqual([41]);
  });

  it('reads the same resources from YAML (kubectl get -o yaml, several documents)', () => {
    const a = JSON.parse(
      readFileSync(`${TESTDATA}trivy-operator-defectdojo/vulnerabilityreport_many.json`, 'utf8'),
    );
    const b = JSON.parse(
      readFileSync(`${TESTDATA}trivy-operator-defectdojo/vulnerabilityreport_extended.json`, 'utf8'),
    );
    const text = `${stringify(a)}---\n${stringify(b)}`;
    const reports = parseTrivyOperatorReports(parseReportText(text, 'r.yaml'), 'r.yaml');
    expect(reports.map((r) => r.findings.length)).toEqual([41, 5]);
  });

  it('several reports of one image (one per container) become one image with every workload', () => {
    const a = raw('trivy-operator-defectdojo/vulnerabilityreport_many.json');
    const b = raw('trivy-operator-defectdojo/vulnerabilityreport_single_vuln.json');
    b.metadata.labels['trivy-operator.resource.name'] = 'other-replicaset';
    const reports = parseTrivyOperatorReports({ kind: 'List', items: [a, b] }, 'l');
    expect(reports).toHaveLength(1);
    expect(reports[0]!.workloads.map((w) => w.name)).toEqual([
      'nginx-deployment-965685897',
      'other-replicaset',
    ]);
  });

  it('a file with only non-vulnerability resources is an error that names them', () => {
    const dict = raw('trivy-operator-defectdojo/all_reports_in_dict.json');
    delete dict['vulnerabilityreports.aquasecurity.github.io'];
    expect(() => parseTrivyOperatorReports(dict, 'd.json')).toThrow(
      /no VulnerabilityReport among 2 .*ConfigAuditReport/,
    );
  });
});
