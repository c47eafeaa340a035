// The streamed Trivy import (ADR 0029) gives what the whole-document path gives: the same cleaned
// packages, findings, skips and report digest for a report with duplicates (same id, and a GHSA
// naming an earlier CVE), invalid entries, text to clean, a non-vulnerability result and more than
// one staging page; and, imported end to end on both paths, the same scans, packages, findings,
// finding_changes and current scan, re-imports recognised across the paths. A report truncated
// mid-stream lands nothing and keeps the previous result.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Finding, Package } from '../../core/types.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../../store/test-support/stores.js';
import { parseReport } from '../parse-report.js';
import { readReportFile } from '../read-report.js';
import { reportDigest } from '../report-digest.js';
import type { StagedReport } from '../stream-import.js';
import { TESTDATA } from '../test-support/reports.js';
import {
  importStreamedFile,
  importWhole,
  landBothWays,
  landedSnapshot,
  summaryOf,
} from '../test-support/streamed-import.js';
import { stageTrivyReport } from './stream.js';

// biome-ignore lint/suspicious/noExplicitAny: raw report entries.
type Json = any;

const kinds = await storeKindsToTest();
const tmp = mkdtempSync(join(tmpdir(), 'runsight-trivy-stream-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const DIGEST = `sha256:${'5e'.repeat(32)}`;

function templates(): { vulns: Json[]; packages: Json[] } {
  const vulns: Json[] = [];
  const packages: Json[] = [];
  for (const f of ['debian-buster', 'ubuntu-1804', 'alpine-310', 'npm', 'pip']) {
    const doc = JSON.parse(readFileSync(`${TESTDATA}trivy/${f}.json.golden`, 'utf8'));
    for (const r of doc.Results ?? []) {
      vulns.push(...(r.Vulnerabilities ?? []));
      packages.push(...(r.Packages ?? []));
    }
  }
  return { vulns, packages };
}

/** A Trivy report of `n` vulnerabilities with every awkward case; `drop`/`shift` vary it. */
function craft(n: number, opts: { drop?: number; shift?: number } = {}): Json {
  const { vulns, packages } = templates();
  const os: Json[] = [];
  for (let v = 0; v < n; v++) {
    if (opts.drop && v % opts.drop === 0) continue;
    const t = vulns[v % vulns.length];
    const id = `CVE-2024-${100000 + v + (opts.shift && v % 5 === 0 ? opts.shift : 0)}`;
    os.push({
      ...t,
      VulnerabilityID: id,
      PkgName: v === 3 ? 'lib\u0007bell' : t.PkgName,
      InstalledVersion: `${t.InstalledVersion}+g${v % 40}`,
      ...(v % 9 === 0 ? { Status: 'will_not_fix' } : {}),
    });
    // A duplicate of the same id, and a GHSA record naming this CVE: both folded, aliases merged.
    if (v % 7 === 0) os.push({ ...os[os.length - 1] });
    if (v % 11 === 0)
      os.push({ ...os[os.length - 1], VulnerabilityID: `GHSA-${v}-xxxx-yyyy`, VendorIDs: [id] });
    if (v % 500 === 1) os.push({ ...t, PkgName: undefined }); // invalid: no package name
  }
  const pkgs = Array.from({ length: Math.ceil(n / 2) }, (_, i) => ({
    ...packages[i % packages.length],
    Version: `${packages[i % packages.length].Version}+g${i}`,
  }));
  pkgs.splice(5, 0, { Name: 'no-version' }); // invalid package
  return {
    SchemaVersion: 2,
    CreatedAt: '2026-11-30T10:00:00Z',
    ArtifactName: 'registry.example/stream:1',
    ArtifactType: 'container_image',
    Metadata: {
      OS: { Family: 'debian', Name: '12.8' },
      RepoTags: ['registry.example/stream:1'],
      RepoDigests: [`registry.example/stream@${DIGEST}`],
    },
    Results: [
      {
        Target: 'registry.example/stream:1 (debian 12.8)',
        Class: 'os-pkgs',
        Type: 'debian',
        Vulnerabilities: os,
      },
      { Target: 'app/package-lock.json', Class: 'lang-pkgs', Type: 'npm', Packages: pkgs },
      { Target: 'Dockerfile', Class: 'config', Vulnerabilities: [vulns[0]] },
    ],
  };
}

function write(name: string, doc: Json): string {
  const file = join(tmp, name);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

async function collect<T>(batches: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const b of batches) out.push(...b);
  return out;
}

describe.each(kinds)('the streamed Trivy import on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.dispose();
  });
  beforeEach(async () => {
    for (const t of ['current_scans', 'findings', 'packages', 'finding_changes', 'scans'] as const)
      await store.db.deleteFrom(t).execute();
  });

  async function staged(file: string) {
    return store.transaction(async (tx) => {
      const s: StagedReport = await stageTrivyReport(tx, file);
      return {
        ...s,
        packages: await collect<Package>(s.packageBatches()),
        findings: await collect<Finding>(s.findingBatches()),
      };
    });
  }

  it('reads a crafted report (2,600 entries, duplicates, invalid, dirty text) as the whole path does', async () => {
    const file = write('crafted.json', craft(2300));
    const whole = parseReport(await readReportFile(file), 'auto', file);
    expect(whole).toHaveLength(1);
    const w = whole[0]!;
    const s = await staged(file);
    // The case is the one described: folds, invalid entries and cleaned text all present.
    const kinds = new Set(w.skipped.map((x) => x.kind));
    expect([...kinds].sort()).toEqual(['cleaned', 'duplicate', 'invalid']);
    expect(w.findings.some((f) => f.aliases.some((a) => a.startsWith('GHSA-')))).toBe(true);
    expect(w.findings.length).toBeGreaterThan(2000);
    expect(s.findings).toEqual(w.findings);
    expect(s.packages).toEqual(w.packages);
    expect(s.report.skipped).toEqual(w.skipped);
    expect({ ...s.report, skipped: [] }).toEqual({ ...w, packages: [], findings: [], skipped: [] });
    expect(s.digest).toBe(reportDigest(w));
  });

  for (const golden of ['debian-buster', 'npm', 'pip', 'gomod', 'spring4shell-jre11', 'ubuntu-1804']) {
    it(`reads ${golden}.json.golden as the whole path does`, async () => {
      const file = `${TESTDATA}trivy/${golden}.json.golden`;
      const w = parseReport(await readReportFile(file), 'auto', file)[0]!;
      const s = await staged(file);
      expect(s.findings).toEqual(w.findings);
      expect(s.packages).toEqual(w.packages);
      expect(s.report).toEqual({ ...w, packages: [], findings: [] });
      expect(s.digest).toBe(reportDigest(w));
    });
  }

  it('lands the same rows and finding_changes as the whole path; re-imports are recognised across paths', async () => {
    const a = write('a.json', craft(1200));
    const b = write('b.json', craft(1200, { drop: 13, shift: 3 }));
    const { w1, w2, s1, s2, wholeRows, streamedRows, streamed } = await landBothWays(store, [a, b], 'trivy');
    expect(streamed).toEqual(['trivy', 'trivy']);

    expect(w2.images[0]).toMatchObject({ digest: DIGEST, current: true });
    expect(streamedRows.changes.length).toBeGreaterThan(100); // both directions: b drops and adds findings
    expect(streamedRows.changes.some((c) => c.includes('newly_fixed'))).toBe(true);
    expect(streamedRows.changes.some((c) => c.includes('newly_affected'))).toBe(true);
    expect(streamedRows).toEqual(wholeRows);
    expect(summaryOf(s1)).toEqual(summaryOf(w1));
    expect(summaryOf(s2)).toEqual(summaryOf(w2));

    // The same report again, by either path: nothing added.
    for (const again of [await importStreamedFile(store, b), await importWhole(store, b)])
      expect(again.images).toMatchObject([{ imported: 0, alreadyImported: { scanId: expect.any(Number) } }]);
    // a again: already stored, made current again with its changes (as saveScanIn does).
    const back = await importStreamedFile(store, a);
    expect(back.images).toMatchObject([{ imported: 0, current: true }]);
    expect((await landedSnapshot(store)).scans).toHaveLength(2);
  });

  it('a report truncated mid-stream: exit-2 error naming the truncation, nothing lost', async () => {
    const good = write('good.json', craft(600));
    await importStreamedFile(store, good);
    const before = await landedSnapshot(store);
    const text = readFileSync(write('next.json', craft(600, { drop: 3 })), 'utf8');
    const cut = join(tmp, 'cut.json');
    writeFileSync(cut, text.slice(0, Math.floor(text.length * 0.6)));
    const r = await importStreamedFile(store, cut);
    expect(r.images).toEqual([]);
    expect(r.errors).toEqual([{ file: cut, message: expect.stringMatching(/truncated/) }]);
    expect(await landedSnapshot(store)).toEqual(before);
    // Malformed half-way: the same.
    const bad = join(tmp, 'bad.json');
    const at = text.indexOf('"Severity":', text.length / 2);
    writeFileSync(bad, `${text.slice(0, at)}"Severity" ${text.slice(at + 11)}`); // a colon missing
    const m = await importStreamedFile(store, bad, 'trivy');
    expect(m.errors).toEqual([{ file: bad, message: expect.stringMatching(/malformed JSON/) }]);
    expect(await landedSnapshot(store)).toEqual(before);
  });
});
