// The streamed trivy-operator import (ADR 0029's amendment) gives what the whole-document path
// gives: for a crafted `{kind: List, items}` (the same image in three resources, newest in the
// middle, and workloads merged; a tag-only image; an ignored kind; control characters in names; an
// invalid vulnerability entry; a nested list; many read chunks), as a plain array and as a CRD dump,
// and for the real DefectDojo exports: the same scans, packages, findings, finding_changes, current
// scans, tag history and summaries. A file truncated or malformed mid-stream, or whose resource is
// not a valid VulnerabilityReport, lands nothing and keeps the previous import current.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createTestStore, storeKindsToTest, type TestStore } from '../../store/test-support/stores.js';
import { parseReport } from '../parse-report.js';
import { readReportFile } from '../read-report.js';
import { raw, TESTDATA } from '../test-support/reports.js';
import {
  clearLanded,
  importStreamedFile,
  importWhole,
  landBothWays,
  landedSnapshot,
  streamedLog,
  summaryOf,
} from '../test-support/streamed-import.js';

// biome-ignore lint/suspicious/noExplicitAny: raw resources.
type Json = any;

const kinds = await storeKindsToTest();
const tmp = mkdtempSync(join(tmpdir(), 'runsight-operator-stream-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const digest = (i: number) => `sha256:${(i + 16).toString(16).padStart(2, '0').repeat(32)}`;
const VULNS: Json[] = raw('trivy-operator-defectdojo/vulnerabilityreport_many.json').report.vulnerabilities;

/** A VulnerabilityReport of image `img` (by digest unless `tagOnly`), run by workload `w`. */
function resource(
  img: number,
  w: number,
  opts: { at?: string; tagOnly?: boolean; shift?: number } = {},
): Json {
  const vulnerabilities = Array.from({ length: 120 }, (_, v) => {
    const t = VULNS[v % VULNS.length];
    return {
      ...t,
      vulnerabilityID: `CVE-2025-${10000 + v + (opts.shift && v % 4 === 0 ? opts.shift : 0)}`,
      resource: v === 5 ? 'lib\u0007bell' : `${t.resource}${v % 30}`,
    };
  });
  if (img === 1) vulnerabilities.push({ ...VULNS[0], resource: '' }); // invalid: skipped, scan partial
  return {
    apiVersion: 'aquasecurity.github.io/v1alpha1',
    kind: 'VulnerabilityReport',
    metadata: {
      name: `replicaset-app${w}-\u001b[31mred`,
      namespace: 'shop',
      creationTimestamp: '2026-11-01T10:00:00Z',
      labels: {
        'trivy-operator.resource.kind': 'ReplicaSet',
        'trivy-operator.resource.name': `app${w}`,
        'trivy-operator.resource.namespace': 'shop',
        'trivy-operator.container.name': `c${w % 2}`,
      },
    },
    report: {
      artifact: {
        repository: `team/img${img}`,
        tag: `v${img}`,
        ...(opts.tagOnly ? {} : { digest: digest(img) }),
      },
      registry: { server: 'registry.example' },
      scanner: { name: 'Trivy', vendor: 'Aqua Security', version: '0.58.0' },
      os: { family: 'alpine', name: '3.20.3' },
      updateTimestamp: opts.at ?? `2026-11-0${1 + (img % 5)}T12:00:00Z`,
      vulnerabilities,
    },
  };
}

const IGNORED = {
  apiVersion: 'aquasecurity.github.io/v1alpha1',
  kind: 'ConfigAuditReport',
  metadata: { name: 'replicaset-app1' },
  report: { checks: [] },
};

/** 31 resources (one ignored) of 26 images: image 2 four times (the second newest, the third a tie
 * with it), image 3 twice. */
function items(shift = 0): Json[] {
  const out: Json[] = [];
  for (let i = 0; i < 25; i++) out.push(resource(i, i, { shift }));
  out.splice(3, 0, IGNORED);
  out.push(resource(2, 40, { at: '2026-11-09T00:00:00Z', shift }));
  out.push(resource(2, 41, { at: '2026-11-02T00:00:00Z', shift }));
  out.push(resource(2, 2, { at: '2026-11-09T00:00:00Z', shift })); // a tie and a workload seen before
  out.push({ kind: 'List', items: [resource(3, 42, { shift })] }); // a nested list
  out.push(resource(30, 30, { tagOnly: true, shift })); // no digest: unresolved, as on the whole path
  return out;
}

const list = (shift = 0) => ({ apiVersion: 'v1', items: items(shift), kind: 'List', metadata: {} });

function write(name: string, doc: Json): string {
  const file = join(tmp, name);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

async function tagHistory(store: TestStore) {
  return (await store.db.selectFrom('tag_history').selectAll().execute())
    .map(({ id: _id, ...r }: Json) => JSON.stringify(r))
    .sort();
}

describe.each(kinds)('the streamed trivy-operator import on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.dispose();
  });
  beforeEach(async () => {
    await clearLanded(store);
    await store.db.deleteFrom('tag_history').execute();
  });

  it('a List: the same scans, rows, finding_changes, tag history and summaries as the whole path', async () => {
    const a = write('a.json', list());
    const b = write('b.json', list(7));
    expect(readFileSync(a, 'utf8').length).toBeGreaterThan(1.5 * 2 ** 20); // several read chunks
    const whole = parseReport(await readReportFile(a), 'auto', a);
    // The case is the one described: merged image, ignored kind, cleaned text, an invalid entry.
    expect(whole).toHaveLength(26);
    const img2 = whole.find((r) => r.hints.repoDigests[0]?.endsWith(digest(2)))!;
    expect(img2.scannedAt?.toISOString()).toBe('2026-11-09T00:00:00.000Z');
    expect(img2.workloads.map((w) => w.name)).toEqual(['app2', 'app40', 'app41']);
    expect(whole[0]!.skipped.map((s) => s.kind)).toEqual(['ignored', 'cleaned', 'cleaned']);
    const wholeTags = await (async () => {
      await importWhole(store, a);
      await importWhole(store, b);
      return tagHistory(store);
    })();
    await clearLanded(store);
    await store.db.deleteFrom('tag_history').execute();

    const { w1, w2, s1, s2, wholeRows, streamedRows, streamed } = await landBothWays(
      store,
      [a, b],
      'trivy-operator',
    );
    expect(streamed).toEqual(['trivy-operator', 'trivy-operator']);
    expect(w1.errors).toHaveLength(1); // the tag-only image
    expect(s1.errors).toEqual(w1.errors);
    expect(streamedRows.scans).toHaveLength(50);
    expect(streamedRows.scans.some((s: Json) => s.status === 'partial')).toBe(true);
    expect(streamedRows.changes.some((c) => c.includes('newly_affected'))).toBe(true);
    expect(streamedRows).toEqual(wholeRows);
    expect(summaryOf(s1)).toEqual(summaryOf(w1));
    expect(summaryOf(s2)).toEqual(summaryOf(w2));
    expect(s1.images.flatMap((i) => i.skipped.map((s) => s.kind))).toContain('cleaned');
    expect(await tagHistory(store)).toEqual(wholeTags);

    // The same file again, by either path: nothing added.
    for (const again of [await importStreamedFile(store, b), await importWhole(store, b)])
      expect(again.images.filter((i) => i.digest).every((i) => i.alreadyImported)).toBe(true);
  });

  /** `file` imported whole, then (what landed cleared) by `importStreamedFile` as `format`: the
   * same rows and summary either way; both results, and the formats the second read streamed. */
  async function bothPaths(file: string, format: 'auto' | 'trivy-operator' = 'auto') {
    const w = await importWhole(store, file);
    const wholeRows = await landedSnapshot(store);
    await clearLanded(store);
    const { logger, streamed } = streamedLog();
    const s = await importStreamedFile(store, file, format, { logger });
    expect(await landedSnapshot(store)).toEqual(wholeRows);
    expect(summaryOf(s)).toEqual(summaryOf(w));
    return { w, s, streamed };
  }

  for (const [name, doc] of [
    ['a plain array', () => items()],
    ['a CRD dump', () => ({ 'vulnerabilityreports.aquasecurity.github.io': items().slice(0, 12) })],
  ] as const)
    it(`${name}: as the whole path`, async () => {
      const { w, streamed } = await bothPaths(write('shape.json', doc()));
      expect(streamed).toEqual(['trivy-operator']);
      expect(w.images.length).toBeGreaterThan(10);
    });

  for (const golden of ['findings_in_list.json', 'all_reports_in_dict.json'])
    it(`the DefectDojo export ${golden}: as the whole path`, async () => {
      const { w, s, streamed } = await bothPaths(
        `${TESTDATA}trivy-operator-defectdojo/${golden}`,
        'trivy-operator',
      );
      expect(streamed).toEqual(['trivy-operator']);
      expect(s.errors).toEqual(w.errors);
    });

  // No anchors for the entries shared by reference (kubectl writes none), no folded lines.
  const KUBECTL = { aliasDuplicateObjects: false, lineWidth: 0 } as const;
  // YAML as kubectl writes it (`items` entries at column 0), as yq and this library's default
  // write it (indented), a stream of documents (one null) and a top-level sequence: read unit by
  // unit (stream-yaml.ts), landing what the whole path lands from the same file.
  for (const [name, text] of [
    ['a kubectl List (YAML)', () => stringify(list(), { ...KUBECTL, indentSeq: false })],
    ['an indented List (YAML, CRLF)', () => stringify(list(), KUBECTL).replaceAll('\n', '\r\n')],
    [
      'a stream of documents (YAML)',
      () =>
        `# exported\n${items()
          .map((r) => `---\n${stringify(r, KUBECTL)}`)
          .join('')}---\n# nothing\n...\n`,
    ],
    [
      'a top-level sequence (YAML)',
      () => `---\n${stringify(items(), { ...KUBECTL, indentSeq: false })}...\n`,
    ],
  ] as const)
    it(`${name}: streamed, as the whole path`, async () => {
      const file = join(tmp, 'list.yaml');
      writeFileSync(file, text());
      const { w, s, streamed } = await bothPaths(file);
      expect(streamed).toEqual(['trivy-operator']);
      expect(w.images).toHaveLength(26);
      expect(s.errors).toEqual(w.errors);
    });

  it('YAML the unit reader does not split (an anchor used across items, a flow `items`): read whole, as before', async () => {
    const anchored = join(tmp, 'anchored.yaml');
    const text = stringify(list(), { ...KUBECTL, indentSeq: false });
    // The first resource's scanner anchored, the second's an alias of it: valid YAML, one item alone is not.
    writeFileSync(
      anchored,
      text
        .replace('  scanner:\n', '  scanner: &scanner\n')
        .replace(
          /(\n- apiVersion[\s\S]*?\n- apiVersion[\s\S]*?)\n {4}scanner:\n(?: {6}.*\n)+/,
          '$1\n    scanner: *scanner\n',
        ),
    );
    expect(readFileSync(anchored, 'utf8')).toContain('scanner: *scanner');
    const flow = join(tmp, 'flow.yaml');
    writeFileSync(flow, `apiVersion: v1\nkind: List\nitems: ${JSON.stringify(items().slice(0, 5))}\n`);
    for (const [file, images] of [
      [anchored, 26],
      [flow, 4],
    ] as const) {
      const { w, streamed } = await bothPaths(file);
      expect(streamed).toEqual([]);
      expect(w.images).toHaveLength(images);
      await clearLanded(store);
    }
  });

  it('a file truncated, malformed or with an invalid resource mid-stream: exit-2 error, nothing lost', async () => {
    const good = write('good.json', list());
    expect((await importStreamedFile(store, good)).images.filter((i) => i.current)).toHaveLength(25);
    const before = await landedSnapshot(store);
    const text = readFileSync(write('next.json', list(3)), 'utf8');
    const cut = join(tmp, 'cut.json');
    writeFileSync(cut, text.slice(0, Math.floor(text.length * 0.8)));
    const r = await importStreamedFile(store, cut);
    expect(r.images).toEqual([]);
    expect(r.errors).toEqual([{ file: cut, message: expect.stringMatching(/truncated/) }]);
    expect(await landedSnapshot(store)).toEqual(before);

    const bad = join(tmp, 'bad.json');
    const at = text.indexOf('"severity":', text.length * 0.8);
    writeFileSync(bad, `${text.slice(0, at)}"severity" ${text.slice(at + 11)}`); // a colon missing
    const m = await importStreamedFile(store, bad, 'trivy-operator');
    expect(m.errors).toEqual([{ file: bad, message: expect.stringMatching(/malformed JSON/) }]);
    expect(await landedSnapshot(store)).toEqual(before);

    // A resource late in the file without its artifact: the whole path's message, nothing landed.
    const doc = list(3);
    delete doc.items[20].report.artifact;
    const invalid = write('invalid.json', doc);
    const v = await importStreamedFile(store, invalid);
    const vw = await importWhole(store, invalid);
    expect(v.errors).toEqual([
      { file: invalid, message: expect.stringMatching(/\(item 20\).*report\.artifact/) },
    ]);
    expect(v.errors).toEqual(vw.errors);
    expect(await landedSnapshot(store)).toEqual(before);

    // Not resources at all, late in the file, after an invalid resource: the whole path's message
    // (the file's shape is judged before any resource).
    const spoilt = list(3);
    delete spoilt.items[5].report.artifact;
    const notResources = write('numbers.json', { ...spoilt, items: [...spoilt.items, 42] });
    const n = await importStreamedFile(store, notResources, 'trivy-operator');
    expect(n.errors).toEqual((await importWhole(store, notResources, 'trivy-operator')).errors);
    expect(n.errors[0]?.message).toMatch(/found 42/);
    expect(await landedSnapshot(store)).toEqual(before);
  });

  it('--image with a file of several images: refused before anything lands', async () => {
    const file = write('many.json', list());
    const r = await importStreamedFile(store, file, 'auto', {
      image: `registry.example/team/img1@${digest(1)}`,
    });
    expect(r.errors).toEqual([{ file, message: expect.stringMatching(/covers 26/) }]);
    expect((await landedSnapshot(store)).scans).toEqual([]);
  });
});
