// The streamed CycloneDX import (ADR 0029) gives what the whole-document path gives: the same
// packages, findings, skips and report digest for a crafted BOM (nested components, refs by
// bom-ref, by `urn:cdx:…#ref` and by package URL, refs naming nothing, duplicates of one id and
// GHSA records referencing an earlier CVE, invalid vulnerabilities, a control character to clean,
// more than one staging page; `metadata` before or after `components`/`vulnerabilities`) and for
// the CycloneDX goldens; an invalid component fails the document with the whole path's message;
// imported end to end on both paths, the same scans, packages, findings, finding_changes and
// current scan. A BOM truncated mid-stream lands nothing and keeps the previous import current.
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
import { stageCycloneDxReport } from './stream.js';

// biome-ignore lint/suspicious/noExplicitAny: raw report entries.
type Json = any;

const kinds = await storeKindsToTest();
const tmp = mkdtempSync(join(tmpdir(), 'runsight-cdx-stream-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const DIGEST = `sha256:${'8c'.repeat(32)}`;
const SERIAL = 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79';
const GOLDENS = [
  'cyclonedx-defectdojo/log4j.json',
  'cyclonedx-defectdojo/nested-component-log4j.json',
  'cyclonedx-defectdojo/valid-vulnerability-1.4.json',
  'cyclonedx-vex/case-3-vex.json',
  'cyclonedx-vex/case-7-vex.json',
  'trivy/npm-cyclonedx.json.golden',
];

function vulnTemplates(): Json[] {
  return GOLDENS.flatMap((f) => JSON.parse(readFileSync(TESTDATA + f, 'utf8')).vulnerabilities ?? []);
}

/** A BOM of `n` vulnerabilities over n/2 components with every awkward case; `drop`/`shift` vary
 * it, `metadataLast` puts `metadata` after the arrays. */
function craft(n: number, opts: { drop?: number; shift?: number; metadataLast?: boolean } = {}): Json {
  const t = vulnTemplates();
  const ecosystems = ['npm', 'pypi', 'golang', 'maven'];
  const components: Json[] = [];
  const refs: string[] = [];
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    const type = ecosystems[i % ecosystems.length]!;
    const name = type === 'maven' ? `org.example/lib${i % 97}` : `lib${i % 97}`;
    const version = `1.${i % 13}.${i}`;
    const purl = `pkg:${type}/${name}@${version}`;
    // Component 3 has no package URL: its name (with a control character to clean) is the package's.
    const c: Json = {
      'bom-ref': i === 3 ? 'dirty-3' : purl,
      type: 'library',
      name: i === 3 ? 'lib\u0007bell' : (name.split('/').pop() ?? name),
      ...(type === 'maven' ? { group: 'org.example' } : {}),
      version,
      ...(i === 3 ? {} : { purl }),
      description: 'text the parser never reads '.repeat(4),
    };
    // Every 50th component holds a nested one (its own bom-ref), as jar-in-jar BOMs do.
    if (i % 50 === 0)
      c.components = [
        {
          'bom-ref': `nested-${i}`,
          type: 'library',
          name: `inner${i}`,
          version: '0.1',
          purl: `pkg:npm/inner${i}@0.1`,
        },
      ];
    components.push(c);
    refs.push(c['bom-ref']);
  }
  components.splice(7, 0, { type: 'file', name: 'package-lock.json' }); // not a package
  const vulnerabilities: Json[] = [];
  for (let v = 0; v < n; v++) {
    if (opts.drop && v % opts.drop === 0) continue;
    const tv = t[v % t.length];
    const id = `CVE-2024-${100000 + v + (opts.shift && v % 5 === 0 ? opts.shift : 0)}`;
    const ref = refs[(v * 7) % refs.length]!;
    const affects =
      v % 13 === 0
        ? [{ ref: `${SERIAL}/1#${ref}` }, { ref: `nested-${50 * (v % 3)}` }] // urn form, and a nested component
        : v % 17 === 0
          ? [{ ref: `pkg:npm/not-in-bom@${v}` }] // a package URL alone
          : v % 101 === 0
            ? [{ ref: 'names-nothing' }] // skipped with its reason
            : [{ ref }];
    const vuln: Json = { ...tv, id, references: [], affects };
    if (v % 9 === 0) vuln.analysis = { state: 'not_affected', justification: 'code_not_reachable' };
    vulnerabilities.push(vuln);
    if (v % 7 === 0) vulnerabilities.push({ ...vuln });
    if (v % 11 === 0)
      vulnerabilities.push({
        ...vuln,
        id: `GHSA-${v}-xxxx-yyyy`,
        references: [{ id, source: { name: 'nvd' } }],
      });
    if (v % 500 === 1) vulnerabilities.push({ ...vuln, affects: [] }); // invalid: affects nothing
  }
  const metadata = {
    timestamp: '2026-11-30T10:00:00Z',
    tools: { components: [{ type: 'application', group: 'aquasecurity', name: 'trivy', version: '0.58.0' }] },
    component: {
      'bom-ref': 'image',
      type: 'container',
      name: 'registry.example/cdx-stream:1',
      purl: `pkg:oci/cdx-stream@${encodeURIComponent(DIGEST)}?repository_url=registry.example/cdx-stream&arch=amd64`,
      properties: [{ name: 'aquasecurity:trivy:RepoDigest', value: `registry.example/cdx-stream@${DIGEST}` }],
      components: [
        { 'bom-ref': 'os', type: 'operating-system', name: 'debian', version: '12.8' },
        { 'bom-ref': 'base', type: 'library', name: 'base', version: '1.0', purl: 'pkg:npm/base@1.0' },
      ],
    },
  };
  const head = { bomFormat: 'CycloneDX', specVersion: '1.6', serialNumber: SERIAL, version: 1 };
  return opts.metadataLast
    ? { ...head, components, vulnerabilities, metadata }
    : { ...head, metadata, components, vulnerabilities };
}

function write(name: string, doc: Json): string {
  const file = join(tmp, name);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

describe.each(kinds)('the streamed CycloneDX import on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.dispose();
  });
  beforeEach(() => clearLanded(store));

  for (const metadataLast of [false, true])
    it(`reads a crafted BOM (2,300 vulnerabilities, 1,150 components; metadata ${metadataLast ? 'last' : 'first'}) as the whole path does`, async () => {
      const file = write('crafted.json', craft(2300, { metadataLast }));
      const whole = parseReport(await readReportFile(file), 'auto', file);
      expect(whole).toHaveLength(1);
      const w = whole[0]!;
      const s = await readStaged(store, (tx) => stageCycloneDxReport(tx, file));
      // The case is the one described: folds, invalid entries, unresolved refs and cleaned text.
      expect([...new Set(w.skipped.map((x) => x.kind))].sort()).toEqual(['cleaned', 'duplicate', 'invalid']);
      expect(w.skipped.some((x) => x.reason.includes('names no component'))).toBe(true);
      expect(w.findings.some((f) => f.aliases.some((a) => a.startsWith('GHSA-')))).toBe(true);
      expect(w.findings.some((f) => f.package.name.startsWith('inner'))).toBe(true);
      expect(w.findings.some((f) => f.package.name === 'not-in-bom')).toBe(true);
      expect(w.findings.length).toBeGreaterThan(2000);
      expect(w.packages.length).toBeGreaterThan(1150);
      expect(w.hints.repoDigests).toContain(`registry.example/cdx-stream@${DIGEST}`);
      expect(s.findingList).toEqual(w.findings);
      expect(s.packageList).toEqual(w.packages);
      expect(s.report.skipped).toEqual(w.skipped);
      expect({ ...s.report, skipped: [] }).toEqual({ ...w, packages: [], findings: [], skipped: [] });
      expect(s.digest).toBe(reportDigest(w));
    });

  for (const golden of GOLDENS) {
    it(`reads ${golden} as the whole path does`, async () => {
      const file = TESTDATA + golden;
      const w = parseReport(await readReportFile(file), 'auto', file)[0]!;
      const s = await readStaged(store, (tx) => stageCycloneDxReport(tx, file));
      expect(w.findings.length + w.skipped.length).toBeGreaterThan(0);
      expect(s.findingList).toEqual(w.findings);
      expect(s.packageList).toEqual(w.packages);
      expect(s.report).toEqual({ ...w, packages: [], findings: [] });
      expect(s.digest).toBe(reportDigest(w));
    });
  }

  it('an invalid component or specVersion fails the BOM with the whole path message', async () => {
    const doc = craft(40, { metadataLast: true });
    doc.components[12].name = 42;
    doc.components[20].version = 7;
    const file = write('bad-component.json', doc);
    const whole = await importWhole(store, file);
    const streamed = await importStreamedFile(store, file);
    expect(whole.errors).toEqual([
      { file, message: expect.stringMatching(/not a valid CycloneDX JSON BOM at components\.12\.name/) },
    ]);
    expect(streamed.errors).toEqual(whole.errors);
    const old = write('old.json', { ...craft(40), specVersion: '1.1' });
    expect((await importStreamedFile(store, old)).errors).toEqual((await importWhole(store, old)).errors);
  });

  it('lands the same rows and finding_changes as the whole path; re-imports are recognised across paths', async () => {
    const a = write('a.json', craft(1200));
    const b = write('b.json', craft(1200, { drop: 13, shift: 3, metadataLast: true }));
    const { w1, w2, s1, s2, wholeRows, streamedRows, streamed } = await landBothWays(
      store,
      [a, b],
      'cyclonedx',
    );
    expect(streamed).toEqual(['cyclonedx', 'cyclonedx']);

    expect(w2.images[0]).toMatchObject({ digest: DIGEST, current: true });
    expect(streamedRows.packages.length).toBeGreaterThan(1000);
    expect(streamedRows.changes.some((c) => c.includes('newly_fixed'))).toBe(true);
    expect(streamedRows.changes.some((c) => c.includes('newly_affected'))).toBe(true);
    expect(streamedRows).toEqual(wholeRows);
    expect(summaryOf(s1)).toEqual(summaryOf(w1));
    expect(summaryOf(s2)).toEqual(summaryOf(w2));
    for (const again of [await importStreamedFile(store, b), await importWhole(store, b)])
      expect(again.images).toMatchObject([{ imported: 0, alreadyImported: { scanId: expect.any(Number) } }]);
  });

  it('a BOM truncated mid-stream: exit-2 error, nothing lost, the previous import current', async () => {
    const good = write('good.json', craft(600));
    expect((await importStreamedFile(store, good)).images).toMatchObject([{ digest: DIGEST, current: true }]);
    const before = await landedSnapshot(store);
    const text = readFileSync(write('next.json', craft(600, { drop: 3 })), 'utf8');
    const cut = join(tmp, 'cut.json');
    writeFileSync(cut, text.slice(0, Math.floor(text.length * 0.8)));
    const r = await importStreamedFile(store, cut);
    expect(r.images).toEqual([]);
    expect(r.errors).toEqual([{ file: cut, message: expect.stringMatching(/truncated/) }]);
    expect(await landedSnapshot(store)).toEqual(before);
  });
});
