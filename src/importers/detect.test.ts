import { readdirSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectReportFormat } from './detect.js';
import { raw, TESTDATA } from './test-support/reports.js';

const DIRS: Record<string, string> = {
  trivy: 'trivy',
  'trivy-defectdojo': 'trivy',
  grype: 'grype',
  'cyclonedx-defectdojo': 'cyclonedx',
  'cyclonedx-vex': 'cyclonedx',
  'trivy-operator-defectdojo': 'trivy-operator',
  'osv-scanner-defectdojo': 'osv-scanner',
};

describe('format detection (import auto)', () => {
  for (const [dir, format] of Object.entries(DIRS))
    for (const f of readdirSync(TESTDATA + dir).filter((f) => statSync(`${TESTDATA}${dir}/${f}`).isFile()))
      it(`${dir}/${f} → ${f.includes('cyclonedx') ? 'cyclonedx' : format}`, () => {
        expect(detectReportFormat(raw(`${dir}/${f}`), f)).toBe(
          f.includes('cyclonedx') ? 'cyclonedx' : format,
        );
      });

  it('an OpenVEX document is not a findings report: the error says where it goes', () => {
    expect(() => detectReportFormat(raw('openvex-defectdojo/openvex_one_vuln.json'), 'v.json')).toThrow(
      /v.json: this is an OpenVEX document.*runsight db update --source FILE/,
    );
  });

  it('anything else: cannot tell, name the format', () => {
    expect(() => detectReportFormat({ hello: 'world' }, 'x.json')).toThrow(
      /x.json: cannot tell which scanner wrote this file/,
    );
  });
});
