// The streamed osv-scanner import (ADR 0029) gives what the whole-document path gives: the same
// findings, skips and report digest for a crafted report (several sources, duplicates of one
// record and alias groups folding GHSA/PYSEC records, invalid records, a git-commit package whose
// records are ignored, a control character to clean, more than one staging page) and for the
// osv-scanner goldens; imported end to end (`--image`) on both paths, the same rows,
// finding_changes and current scan. A report truncated mid-stream lands nothing.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestStore, storeKindsToTest, type TestStore } from '../../store/test-support/stores.js';
import { parseReport } from '../parse-report.js';
import { readReportFile } from '../read-report.js';
import { reportDigest } from '../report-digest.js';
import { TESTDATA } from '../test-support/reports.js';
import {
  clearLanded,
  importStreamedFile,
  landBothWays,
  landedSnapshot,
  readStaged,
  summaryOf,
} from '../test-support/streamed-import.js';
import { stageOsvScannerReport } from './stream.js';

// biome-ignore lint/suspicious/noExplicitAny: raw report entries.
type Json = any;

const kinds = await storeKindsToTest();
const tmp = mkdtempSync(join(tmpdir(), 'runsight-osv-stream-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const DIGEST = `sha256:${'9d'.repeat(32)}`;
const GOLDENS = ['many_findings', 'some_findings'];

function records(): Json[] {
  return GOLDENS.flatMap((f) =>
    JSON.parse(readFileSync(`${TESTDATA}osv-scanner-defectdojo/${f}.json`, 'utf8')).results.flatMap(
      (r: Json) => r.packages.flatMap((p: Json) => p.vulnerabilities),
    ),
  );
}

/** An osv-scanner report of about `n` records over n/4 packages in 3 sources. */
function craft(n: number, opts: { drop?: number; shift?: number } = {}): Json {
  const t = records();
  const results: Json[] = [0, 1, 2].map((s) => ({
    source: { path: `/src/app${s}/requirements.txt`, type: 'lockfile' },
    packages: [],
  }));
  let v = 0;
  for (let p = 0; v < n; p++) {
    const pkg =
      p === 9
        ? { name: '', version: '', ecosystem: '', commit: 'abc123' } // records ignored
        : { name: p === 3 ? 'lib\u0007bell' : `lib${p % 50}`, version: `1.${p}.0`, ecosystem: 'PyPI' };
    const vulns: Json[] = [];
    const groups: Json[] = [];
    for (let k = 0; k < 4; k++, v++) {
      if (opts.drop && v % opts.drop === 0) continue;
      const num = 100000 + v + (opts.shift && v % 5 === 0 ? opts.shift : 0);
      const id = `GHSA-${num}`;
      const rec = { ...t[v % t.length], id, aliases: [`CVE-2024-${num}`] };
      vulns.push(rec);
      const group = { ids: [id], aliases: [id, `CVE-2024-${num}`] };
      if (v % 7 === 0) vulns.push({ ...rec }); // the same record twice
      if (v % 11 === 0) {
        // A PYSEC record of the same issue, grouped with it: folded into one finding.
        vulns.push({ ...rec, id: `PYSEC-${v}`, aliases: [id] });
        group.ids.push(`PYSEC-${v}`);
      }
      if (v % 300 === 1 || p === 9) vulns.splice(vulns.length - 1, 0, { ...rec, id: '' }); // invalid
      groups.push(group);
    }
    results[p % 3].packages.push({ package: pkg, vulnerabilities: vulns, groups });
  }
  return { results, experimental_config: { licenses: { summary: false } } };
}

function write(name: string, doc: Json): string {
  const file = join(tmp, name);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

describe.each(kinds)('the streamed osv-scanner import on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.dispose();
  });
  beforeEach(() => clearLanded(store));

  it('reads a crafted report (2,400 records, duplicates, groups, invalid, ignored, dirty text) as the whole path does', async () => {
    const file = write('crafted.json', craft(2000));
    const w = parseReport(await readReportFile(file), 'auto', file)[0]!;
    const s = await readStaged(store, (tx) => stageOsvScannerReport(tx, file));
    expect([...new Set(w.skipped.map((x) => x.kind))].sort()).toEqual([
      'cleaned',
      'duplicate',
      'ignored',
      'invalid',
    ]);
    expect(w.findings.length).toBeGreaterThan(1500);
    expect(s.findingList).toEqual(w.findings);
    expect(s.report.skipped).toEqual(w.skipped);
    expect({ ...s.report, skipped: [] }).toEqual({ ...w, findings: [], skipped: [] });
    expect(s.digest).toBe(reportDigest(w));
  });

  for (const golden of GOLDENS)
    it(`reads ${golden}.json as the whole path does`, async () => {
      const file = `${TESTDATA}osv-scanner-defectdojo/${golden}.json`;
      const w = parseReport(await readReportFile(file), 'auto', file)[0]!;
      const s = await readStaged(store, (tx) => stageOsvScannerReport(tx, file));
      expect(w.findings.length).toBeGreaterThan(0);
      expect(s.findingList).toEqual(w.findings);
      expect(s.report).toEqual({ ...w, findings: [] });
      expect(s.digest).toBe(reportDigest(w));
    });

  it('lands the same rows and finding_changes as the whole path (--image)', async () => {
    const a = write('a.json', craft(1200));
    const b = write('b.json', craft(1200, { drop: 13, shift: 3 }));
    const more = { image: DIGEST };
    const { w1, w2, s1, s2, wholeRows, streamedRows, streamed } = await landBothWays(
      store,
      [a, b],
      'osv-scanner',
      more,
    );
    expect(streamed).toEqual(['osv-scanner', 'osv-scanner']);
    expect(w2.images[0]).toMatchObject({ digest: DIGEST, current: true });
    expect(streamedRows.changes.some((c) => c.includes('newly_fixed'))).toBe(true);
    expect(streamedRows.changes.some((c) => c.includes('newly_affected'))).toBe(true);
    // osv-scanner states no scan time: a scan starts when it is imported.
    const untimed = (r: typeof wholeRows) => ({ ...r, scans: r.scans.map(({ started_at: _s, ...x }) => x) });
    expect(untimed(streamedRows)).toEqual(untimed(wholeRows));
    expect(summaryOf(s1)).toEqual(summaryOf(w1));
    expect(summaryOf(s2)).toEqual(summaryOf(w2));
  });

  it('a report truncated mid-stream: exit-2 error, nothing lost', async () => {
    const good = write('good.json', craft(600));
    await importStreamedFile(store, good, 'auto', { image: DIGEST });
    const before = await landedSnapshot(store);
    expect(before.scans).toHaveLength(1);
    const text = readFileSync(write('next.json', craft(600, { drop: 3 })), 'utf8');
    const cut = join(tmp, 'cut.json');
    writeFileSync(cut, text.slice(0, Math.floor(text.length * 0.7)));
    const r = await importStreamedFile(store, cut, 'auto', { image: DIGEST });
    expect(r.errors).toEqual([{ file: cut, message: expect.stringMatching(/truncated/) }]);
    expect(await landedSnapshot(store)).toEqual(before);
  });
});
