// Reading a report file as a stream (ADR 0021) must change nothing the parsers produce: every real
// report of testdata/ gives the same image reports as JSON.parse of its whole text did, including an
// entry that fails validation (kept whole, skipped with the same reason). Broken files say why.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseReport } from './parse-report.js';
import { parseReportText, readReportFile } from './read-report.js';
import { TESTDATA } from './test-support/reports.js';

const dir = mkdtempSync(join(tmpdir(), 'runsight-read-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

const REPORTS = readdirSync(TESTDATA)
  .filter((d) => statSync(TESTDATA + d).isDirectory() && d !== 'openvex-defectdojo')
  .flatMap((d) => readdirSync(TESTDATA + d).map((f) => `${TESTDATA}${d}/${f}`));

describe('readReportFile', () => {
  it('gives the parsers what the whole-file read gave them, for every real report', async () => {
    expect(REPORTS.length).toBeGreaterThan(20);
    for (const f of REPORTS) {
      const before = parseReport(parseReportText(readFileSync(f, 'utf8'), f), 'auto', f);
      expect(parseReport(await readReportFile(f), 'auto', f), f).toEqual(before);
    }
  });

  it('an entry that fails validation is skipped with the same reason as before', async () => {
    const doc = JSON.parse(readFileSync(`${TESTDATA}trivy/alpine-310.json.golden`, 'utf8'));
    doc.Results[0].Vulnerabilities[1].PkgName = 42;
    doc.Results[0].Vulnerabilities[2].Description = { not: 'a string, and not read' };
    const f = file('bad-entry.json', `\uFEFF${JSON.stringify(doc, null, 2)}`);
    const [streamed] = parseReport(await readReportFile(f, undefined, 'trivy'), 'trivy', f);
    const [whole] = parseReport(doc, 'trivy', f);
    expect(streamed).toEqual(whole);
    expect(streamed!.skipped).toEqual([
      expect.objectContaining({ kind: 'invalid', reason: expect.stringMatching(/PkgName/) }),
    ]);
  });

  it('says what is wrong with an empty, truncated, malformed or oversized file', async () => {
    const text = readFileSync(`${TESTDATA}grype/keycloak-test.json`, 'utf8');
    await expect(readReportFile(file('cut.json', text.slice(0, 4000)))).rejects.toThrow(
      /cut.json: the JSON ends before the document is complete \(truncated file\?\): .*position \d+/,
    );
    await expect(
      readReportFile(file('bad.json', text.replace('"matches": [', '"matches": [,'))),
    ).rejects.toThrow(/bad.json: malformed JSON: unexpected "," where a value was expected at position \d+/);
    await expect(readReportFile(file('empty.json', ' \n\t'))).rejects.toThrow(
      /empty.json: the file is empty/,
    );
    await expect(readReportFile(file('bom.json', '\uFEFF'))).rejects.toThrow(/the file is empty/);
    await expect(readReportFile(join(dir, 'missing.json'))).rejects.toThrow(
      /cannot read the file \(ENOENT\)/,
    );
    await expect(readReportFile(file('deep.json', `${'['.repeat(300)}${']'.repeat(300)}`))).rejects.toThrow(
      /malformed JSON: nesting deeper than 256 levels at position 256/,
    );
    await expect(readReportFile(file('text.txt', 'hello'))).rejects.toThrow(/found plain text/);
  });
});
