// A Trivy report imports in bounded memory (ADR 0029): the import does not hold the image's
// findings. A generated 192 MiB Trivy report (54k findings; real entries of testdata/importers/trivy,
// see test-support/big-report.ts) is imported end to end (`runsight import auto FILE`,
// test-support/import-child.ts) into a copy of a migrated PGlite store, in a child process whose V8
// old space is capped at 64 MiB. Before ADR 0029 the parsed findings (~0.7 KB each live) were held
// at once and this child died of heap exhaustion (2026-12-02, HEAD bddc108, the same command).
// Peak RSS alone does not tell the two apart at one size: V8 grows its heap to a plateau either way
// (192 vs 384 MiB uncapped: 445 vs 466 MiB after, 453 vs 472 MiB before in one run; docs/benchmarks.md).
// The same for a generated 190 MiB Grype report (69k matches, Grype's own member order: `source`
// after `matches`), streamed since session 13 s13a; the whole path dies there of heap exhaustion
// (HEAD 7c9134d, 2026-12-02 18:31Z).
// The same for a generated ~200 MiB trivy-operator List (kubectl's `items` before `kind`; ~1,000
// VulnerabilityReports of 300 entries, every tenth another workload of an earlier image), streamed
// resource by resource since session 14 s14a (ADR 0029's amendment); and the same List as kubectl
// writes it in YAML, 80 MiB (over the 64 MiB a YAML file was read whole to, and refused beyond),
// read item by item since session 20 (stream-yaml.ts).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_YAML_BYTES } from './read-report.js';
import { writeBigGrypeReport, writeBigOperatorList, writeBigTrivyReport } from './test-support/big-report.js';

const CHILD = new URL('./test-support/import-child.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'runsight-import-streamed-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function child(...args: string[]): { maxRssMiB: number; result: { imported: number[]; errors: string[] } } {
  // The same fixed young generation as import-memory.test.ts (Node 22+ sizes it from the machine),
  // and the old space capped: what the import keeps alive must fit in 64 MiB.
  const out = execFileSync(
    process.execPath,
    ['--max-semi-space-size=16', '--max-old-space-size=64', '--import', 'tsx', CHILD, ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out);
}

describe('importing a big report', () => {
  let floor: { maxRssMiB: number };
  beforeAll(() => {
    // A migrated store copied for each import: migrating in the child would be its peak.
    floor = child('floor', join(dir, 'store'));
  }, 300_000);

  /** `file` imported into a copy of the store (then removed): no error, `imported` findings per
   * image, peak RSS < floor + 150 MiB. */
  function expectBoundedImport(name: string, file: string, imported: number[]) {
    cpSync(join(dir, 'store'), join(dir, name), { recursive: true });
    const r = child('import', join(dir, name), file);
    rmSync(join(dir, name), { recursive: true, force: true });
    rmSync(file);
    expect(r.result.errors).toEqual([]);
    expect(r.result.imported).toEqual(imported);
    expect(
      r.maxRssMiB - floor.maxRssMiB,
      `peak ${r.maxRssMiB.toFixed(0)} MiB, floor ${floor.maxRssMiB.toFixed(0)} MiB`,
    ).toBeLessThan(150);
  }

  it('a 192 MiB Trivy report (54k findings) imports with a 64 MiB JS heap, peak RSS < floor + 150 MiB', async () => {
    const report = await writeBigTrivyReport(join(dir, 'big.json'), 192 * 2 ** 20);
    // 2026-12-02 (load ~7), the 196 MiB report, same flags: peak 369 MiB, floor ~300-307 MiB.
    expectBoundedImport('store-big', join(dir, 'big.json'), [report.vulnerabilities]);
  }, 900_000);

  it('a 190 MiB Grype report (69k matches) imports with a 64 MiB JS heap, peak RSS < floor + 150 MiB', async () => {
    const report = await writeBigGrypeReport(join(dir, 'big-grype.json'), 190 * 2 ** 20);
    expectBoundedImport('store-grype', join(dir, 'big-grype.json'), [report.vulnerabilities]);
  }, 900_000);

  it('a 200 MiB trivy-operator List (~1,000 resources) imports with a 64 MiB JS heap, peak RSS < floor + 150 MiB', async () => {
    const list = await writeBigOperatorList(join(dir, 'big-operator.json'), 200 * 2 ** 20);
    expectBoundedImport(
      'store-operator',
      join(dir, 'big-operator.json'),
      Array(list.images).fill(list.perResource),
    );
  }, 900_000);

  it('an 80 MiB trivy-operator List in YAML (over the 64 MiB a YAML file is read whole to) imports with a 64 MiB JS heap, peak RSS < floor + 150 MiB', async () => {
    const file = join(dir, 'big-operator.yaml');
    const list = await writeBigOperatorList(file, 80 * 2 ** 20, 300, 'yaml');
    expect(list.bytes).toBeGreaterThan(MAX_YAML_BYTES);
    expectBoundedImport('store-operator-yaml', file, Array(list.images).fill(list.perResource));
  }, 900_000);
});
