// Reading a big report costs memory well under what the whole-file path cost (ADR 0021): a generated
// 48 MiB Trivy report (real entries of testdata/importers/trivy, see test-support/big-report.ts) is
// read, parsed, cleaned and digested — everything importReports does before the store — in a child
// process, and its peak RSS is compared with the same child on a 16 KB report. The whole-file path
// (read the text, JSON.parse) runs too, to show the bound is one it breaks.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeBigTrivyReport } from './test-support/big-report.js';
import { TESTDATA } from './test-support/reports.js';

const CHILD = new URL('./test-support/import-child.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'runsight-import-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function child(mode: string, file: string): { maxRssMiB: number; result: { imported: number[] } } {
  // A fixed young generation: Node 22+ sizes it from the machine's memory (up to 64 MiB a
  // semi-space), which on Node 24 here added ~70 MiB of garbage to the streamed child's peak and
  // would measure V8's sizing instead of what the path keeps. Every child gets the same setting.
  const out = execFileSync(
    process.execPath,
    ['--max-semi-space-size=16', '--import', 'tsx', CHILD, mode, file],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return JSON.parse(out);
}

describe('reading a big report', () => {
  it('peaks under 1.5× the report size above the floor; the whole-file path (3×) does not', async () => {
    const file = join(dir, 'trivy-48.json');
    const report = await writeBigTrivyReport(file, 48 * 2 ** 20);
    const mib = report.bytes / 2 ** 20;
    const floor = child('parse', `${TESTDATA}trivy-defectdojo/scheme_2_many_vulns.json`);
    const streamed = child('parse', file);
    const whole = child('parse-whole', file);
    expect(streamed.result.imported).toEqual([report.vulnerabilities]);
    expect(whole.result.imported).toEqual([report.vulnerabilities]);
    const growth = streamed.maxRssMiB - floor.maxRssMiB;
    const wholeGrowth = whole.maxRssMiB - floor.maxRssMiB;
    // 2026-12-01 (load average ~13): streamed +41–51 MiB, whole-file +152 MiB for a 49 MiB report;
    // at 196 MiB +135 and +584 (docs/benchmarks.md). What remains grows with the findings (ADR 0021):
    // 2026-12-02 (load ~5), strings interned and no per-entry copies: +32 and +94 MiB.
    const bound = 1.5 * mib;
    expect(growth, `streamed: +${growth.toFixed(0)} MiB for ${mib.toFixed(0)} MiB`).toBeLessThan(bound);
    expect(wholeGrowth, `whole-file: +${wholeGrowth.toFixed(0)} MiB`).toBeGreaterThan(bound);
    // And well under the whole-file path in the same run (Node 20: 0.28×, Node 24: 0.31×, 2026-12-02).
    expect(
      growth,
      `streamed +${growth.toFixed(0)} vs whole-file +${wholeGrowth.toFixed(0)} MiB`,
    ).toBeLessThan(0.6 * wholeGrowth);
  }, 300_000);
});
