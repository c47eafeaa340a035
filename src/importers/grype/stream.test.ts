// The streamed Grype import (ADR 0029) gives what the whole-document path gives: the same
// findings, skips and report digest for a crafted report (duplicates of one id and GHSA records
// relating an earlier CVE, invalid matches, a control character to clean, more than one staging
// page; `source`/`distro`/`descriptor` after `matches` as Grype writes them, or before) and for the
// Grype goldens; imported end to end on both paths, the same scans, packages, findings,
// finding_changes and current scan, re-imports recognised across the paths. A report truncated or
// malformed mid-stream lands nothing and keeps the previous import current.
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
  importWhole,
  landBothWays,
  landedSnapshot,
  readStaged,
  summaryOf,
} from '../test-support/streamed-import.js';
import { stageGrypeReport } from './stream.js';

// biome-ignore lint/suspicious/noExplicitAny: raw report entries.
type Json = any;

const kinds = await storeKindsToTest();
const tmp = mkdtempSync(join(tmpdir(), 'runsight-grype-stream-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const DIGEST = `sha256:${'6a'.repeat(32)}`;
const GOLDENS = ['keycloak-test', 'chainguard-ruby-test', 'ghsa-test'];

function templates(): Json[] {
  return GOLDENS.flatMap((f) => JSON.parse(readFileSync(`${TESTDATA}grype/${f}.json`, 'utf8')).matches);
}

/** A Grype report of `n` matches with every awkward case; `drop`/`shift` vary it, `headFirst`
 * puts source, distro and descriptor before the matches. */
function craft(n: number, opts: { drop?: number; shift?: number; headFirst?: boolean } = {}): Json {
  const t = templates();
  const matches: Json[] = [];
  for (let v = 0; v < n; v++) {
    if (opts.drop && v % opts.drop === 0) continue;
    const m = t[v % t.length];
    const id = `CVE-2024-${100000 + v + (opts.shift && v % 5 === 0 ? opts.shift : 0)}`;
    const match = {
      ...m,
      vulnerability: {
        ...m.vulnerability,
        id,
        ...(v % 9 === 0 ? { fix: { versions: [], state: 'wont-fix' } } : {}),
      },
      relatedVulnerabilities: [],
      artifact: {
        ...m.artifact,
        name: v === 3 ? 'lib\u0007bell' : m.artifact.name,
        version: `${m.artifact.version}+g${v % 40}`,
      },
    };
    matches.push(match);
    // The same id again, and a GHSA record Grype relates to this CVE: both folded, aliases merged.
    if (v % 7 === 0) matches.push({ ...match });
    if (v % 11 === 0)
      matches.push({
        ...match,
        vulnerability: { ...match.vulnerability, id: `GHSA-${v}-xxxx-yyyy` },
        relatedVulnerabilities: [{ id, namespace: 'nvd:cpe' }],
      });
    if (v % 500 === 1) matches.push({ ...match, artifact: { ...match.artifact, name: '' } }); // invalid
  }
  const head = {
    source: {
      type: 'image',
      target: {
        userInput: 'registry.example/grype-stream:1',
        imageID: `sha256:${'7b'.repeat(32)}`,
        manifestDigest: DIGEST,
        tags: ['registry.example/grype-stream:1'],
        repoDigests: [`registry.example/grype-stream@${DIGEST}`],
        architecture: 'amd64',
        os: 'linux',
      },
    },
    distro: { name: 'redhat', version: '9.1', idLike: ['fedora'] },
    descriptor: { name: 'grype', version: '0.66.0', timestamp: '2026-11-30T10:00:00Z' },
  };
  return opts.headFirst ? { ...head, matches } : { matches, ...head };
}

function write(name: string, doc: Json): string {
  const file = join(tmp, name);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

describe.each(kinds)('the streamed Grype import on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.dispose();
  });
  beforeEach(() => clearLanded(store));

  for (const headFirst of [false, true])
    it(`reads a crafted report (2,700 matches, duplicates, invalid, dirty text; source ${headFirst ? 'before' : 'after'} matches) as the whole path does`, async () => {
      const file = write('crafted.json', craft(2300, { headFirst }));
      const whole = parseReport(await readReportFile(file), 'auto', file);
      expect(whole).toHaveLength(1);
      const w = whole[0]!;
      const s = await readStaged(store, (tx) => stageGrypeReport(tx, file));
      // The case is the one described: folds, invalid entries and cleaned text all present.
      expect([...new Set(w.skipped.map((x) => x.kind))].sort()).toEqual(['cleaned', 'duplicate', 'invalid']);
      expect(w.findings.some((f) => f.aliases.some((a) => a.startsWith('GHSA-')))).toBe(true);
      expect(w.findings.length).toBeGreaterThan(2000);
      // The distro (read after the matches when Grype's order) sets the OS packages' ecosystem.
      expect(w.findings.some((f) => f.package.ecosystem === 'Red Hat')).toBe(true);
      expect(w.hints.manifestDigest).toBe(DIGEST);
      expect(s.findingList).toEqual(w.findings);
      expect(s.packageList).toEqual(w.packages);
      expect(s.report.skipped).toEqual(w.skipped);
      expect({ ...s.report, skipped: [] }).toEqual({ ...w, packages: [], findings: [], skipped: [] });
      expect(s.digest).toBe(reportDigest(w));
    });

  for (const golden of GOLDENS) {
    it(`reads ${golden}.json as the whole path does`, async () => {
      const file = `${TESTDATA}grype/${golden}.json`;
      const w = parseReport(await readReportFile(file), 'auto', file)[0]!;
      const s = await readStaged(store, (tx) => stageGrypeReport(tx, file));
      expect(w.findings.length).toBeGreaterThan(0);
      expect(s.findingList).toEqual(w.findings);
      expect(s.report).toEqual({ ...w, packages: [], findings: [] });
      expect(s.digest).toBe(reportDigest(w));
    });
  }

  it('lands the same rows and finding_changes as the whole path; re-imports are recognised across paths', async () => {
    const a = write('a.json', craft(1200));
    const b = write('b.json', craft(1200, { drop: 13, shift: 3 }));
    const { w1, w2, s1, s2, wholeRows, streamedRows, streamed } = await landBothWays(store, [a, b], 'grype');
    expect(streamed).toEqual(['grype', 'grype']);

    expect(w2.images[0]).toMatchObject({ digest: DIGEST, current: true });
    expect(streamedRows.findings.length).toBeGreaterThan(2000);
    expect(streamedRows.changes.some((c) => c.includes('newly_fixed'))).toBe(true);
    expect(streamedRows.changes.some((c) => c.includes('newly_affected'))).toBe(true);
    expect(streamedRows).toEqual(wholeRows);
    expect(summaryOf(s1)).toEqual(summaryOf(w1));
    expect(summaryOf(s2)).toEqual(summaryOf(w2));

    // The same report again, by either path: nothing added.
    for (const again of [await importStreamedFile(store, b), await importWhole(store, b)])
      expect(again.images).toMatchObject([{ imported: 0, alreadyImported: { scanId: expect.any(Number) } }]);
    const back = await importStreamedFile(store, a);
    expect(back.images).toMatchObject([{ imported: 0, current: true }]);
    expect((await landedSnapshot(store)).scans).toHaveLength(2);
  });

  it('a report truncated or malformed mid-stream: exit-2 error, nothing lost, the previous import current', async () => {
    const good = write('good.json', craft(600));
    expect((await importStreamedFile(store, good)).images).toMatchObject([{ digest: DIGEST, current: true }]);
    const before = await landedSnapshot(store);
    const text = readFileSync(write('next.json', craft(600, { drop: 3 })), 'utf8');
    const cut = join(tmp, 'cut.json');
    writeFileSync(cut, text.slice(0, Math.floor(text.length * 0.6)));
    const r = await importStreamedFile(store, cut);
    expect(r.images).toEqual([]);
    expect(r.errors).toEqual([{ file: cut, message: expect.stringMatching(/truncated/) }]);
    expect(await landedSnapshot(store)).toEqual(before);
    const bad = join(tmp, 'bad.json');
    const at = text.indexOf('"severity":', text.length / 2);
    writeFileSync(bad, `${text.slice(0, at)}"severity" ${text.slice(at + 11)}`); // a colon missing
    const m = await importStreamedFile(store, bad, 'grype');
    expect(m.errors).toEqual([{ file: bad, message: expect.stringMatching(/malformed JSON/) }]);
    expect(await landedSnapshot(store)).toEqual(before);
  });

  it('a document whose head looks like Grype but is another format is read whole (auto)', async () => {
    // `matches` first, then a SchemaVersion: detection says Trivy, as on the whole path.
    const file = write('odd.json', { matches: [], SchemaVersion: 3 });
    const r = await importStreamedFile(store, file);
    expect(r.errors).toEqual([{ file, message: expect.stringMatching(/unsupported Trivy SchemaVersion 3/) }]);
  });
});
