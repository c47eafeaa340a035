// The report digest is fed in pieces (ADR 0021); stored digests must keep matching, so it must equal
// the sha256 of JSON.stringify of the whole content, as it was computed before, on every real report.
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseReport } from './parse-report.js';
import { readReportFile } from './read-report.js';
import { reportDigest } from './report-digest.js';
import { TESTDATA } from './test-support/reports.js';

describe('reportDigest', () => {
  it('is the sha256 of the whole content as JSON (origin left out), for every real report', async () => {
    const files = readdirSync(TESTDATA)
      .filter((d) => statSync(TESTDATA + d).isDirectory() && d !== 'openvex-defectdojo')
      .flatMap((d) => readdirSync(TESTDATA + d).map((f) => `${TESTDATA}${d}/${f}`));
    let n = 0;
    for (const f of files) {
      for (const report of parseReport(await readReportFile(f), 'auto', f)) {
        const { origin: _o, ...content } = report;
        const whole = `sha256:${createHash('sha256').update(JSON.stringify(content)).digest('hex')}`;
        expect(reportDigest(report), f).toBe(whole);
        n++;
      }
    }
    expect(n).toBeGreaterThan(20);
  });
});
