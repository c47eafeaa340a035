// Test support: the expected package lists in testdata/advisories/pkgdb/EXPECTED/*.tsv (copied
// from the package-database fixtures) as Package[] — the input matching tests use.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Package } from '../../core/types.js';

export const TESTDATA = join(import.meta.dirname, '../../../testdata/advisories');

export function readTsv(file: string): Record<string, string>[] {
  const lines = readFileSync(join(TESTDATA, 'pkgdb/EXPECTED', file), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
  const head = lines[0]!.split('\t');
  return lines.slice(1).map((l) => Object.fromEntries(l.split('\t').map((c, i) => [head[i], c])));
}

/** trivy's apk fixture (pkg/fanal/analyzer/pkg/apk): name, version, origin. */
export function trivyApk(ecosystem: string): Package[] {
  return readTsv('trivy-apk.tsv').map((r) => ({
    ecosystem,
    name: r.Name!,
    version: r.Version!,
    sourceName: r.SrcName || undefined,
    sourceVersion: r.SrcVersion || undefined,
    purl: `pkg:apk/alpine/${r.Name}@${r.Version}`,
  }));
}

/** osv-scalibr's Alpine 3.18 installed database. */
export function scalibrApk318(): Package[] {
  return readTsv('osv-scalibr-apk-installed.tsv').map((r) => ({
    ecosystem: 'Alpine:v3.18',
    name: r.Name!,
    version: r.Version!,
    sourceName: r.OriginName || undefined,
    purl: `pkg:apk/alpine/${r.Name}@${r.Version}`,
  }));
}
