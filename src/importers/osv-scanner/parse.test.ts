import { describe, expect, it } from 'vitest';
import { raw } from '../test-support/reports.js';
import { parseOsvScannerReport } from './parse.js';

describe('osv-scanner importer on real output', () => {
  it('many_findings: 66 records (DefectDojo figure), folded to distinct findings', () => {
    const doc = raw('osv-scanner-defectdojo/many_findings.json');
    // osv-scanner's own figures: it groups the records of one vulnerability per package version.
    //   jq '[.results[].packages[] | .vulnerabilities | length] | add'                          → 66
    //   jq '[.results[].packages[] | select(.package.name != "") | .groups | length] | add'     → 36
    //   jq '[.results[].packages[] | select(.package.name == "") | .vulnerabilities[]] | length' → 1
    // (the one without a package is CVE-2023-50094 on a git commit). By hand, per package: guzzle
    // 5, psr7 1 (two GHSAs naming each other), jinja2 1, urllib3 1, werkzeug 1, requests 2.29.0 1,
    // django 20 (each GHSA with its PYSEC), requests 2.25.1 1, selenium 1, aiohttp 4 → 36.
    const records = doc.results.flatMap((x: { packages: { vulnerabilities: unknown[] }[] }) =>
      x.packages.flatMap((p) => p.vulnerabilities),
    );
    expect(records).toHaveLength(66);
    const [r] = parseOsvScannerReport(doc, 'many');
    expect(r!.findings).toHaveLength(36);
    expect(r!.skipped.filter((s) => s.kind === 'ignored').map((s) => s.id)).toEqual(['CVE-2023-50094']);
    expect(r!.skipped.filter((s) => s.kind === 'duplicate')).toHaveLength(66 - 36 - 1);
    expect(r!.findings.length + r!.skipped.length).toBe(66);
    expect(r!.hints).toEqual({ repoDigests: [], references: [] });
  });

  it('severity from GHSA database_specific, fixed versions from the ranges, group aliases kept', () => {
    const [r] = parseOsvScannerReport(raw('osv-scanner-defectdojo/many_findings.json'), 'many');
    const guzzle = r!.findings.find((f) => f.id === 'CVE-2022-31090')!;
    expect(guzzle).toMatchObject({
      package: { ecosystem: 'Packagist', name: 'guzzlehttp/guzzle' },
      installedVersion: '6.3.3',
      fixedVersion: '6.5.8', // 6.3.3 is in [0, 6.5.8); 7.4.5 fixes the 7.x branch
      severity: 'HIGH',
      cvss: { version: '3.1', score: 7.7 },
    });
    expect(guzzle.aliases).toContain('GHSA-25mq-v84q-4j7r');
    // PYSEC record without database_specific severity: folded into the GHSA of the same CVE.
    const urllib3 = r!.findings.find((f) => f.id === 'CVE-2023-45803')!;
    expect(urllib3.aliases).toEqual(expect.arrayContaining(['PYSEC-2023-212']));
  });

  it('some_findings: 1 finding (DefectDojo figure)', () => {
    const [r] = parseOsvScannerReport(raw('osv-scanner-defectdojo/some_findings.json'), 'some');
    expect(r!.findings).toHaveLength(1);
    expect(r!.findings[0]).toMatchObject({
      id: 'MAL-2023-1035',
      package: { ecosystem: 'npm', name: 'flot-axis' },
    });
  });
});
