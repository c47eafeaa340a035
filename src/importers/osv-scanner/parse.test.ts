import { describe, expect, it } from 'vitest';
import { expectedOsvScanner, raw } from '../test-support/expected.js';
import { parseOsvScannerReport } from './parse.js';

describe('osv-scanner importer on real output', () => {
  it('many_findings: 66 records (DefectDojo figure), folded to distinct findings', () => {
    const doc = raw('osv-scanner-defectdojo/many_findings.json');
    const e = expectedOsvScanner(doc);
    expect(e.records).toBe(66);
    const [r] = parseOsvScannerReport(doc, 'many');
    expect(r!.findings).toHaveLength(e.distinct);
    expect(r!.skipped.filter((s) => s.kind === 'ignored')).toHaveLength(e.gitOnly);
    expect(r!.findings.length + r!.skipped.length).toBe(e.records);
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
