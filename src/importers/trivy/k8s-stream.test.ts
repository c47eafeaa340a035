// The streamed `trivy k8s` import (ADR 0029's amendment) gives what the whole-document path gives:
// for a crafted report (70 workloads of Trivy's own goldens: ten images run twice — the first
// workload's report kept, the second linked —, configuration-only workloads, control characters in
// names, an older-shape `Vulnerabilities` workload written after `Resources` whose image a later
// resource also runs, `ClusterName` before or after the workloads) and for DefectDojo's export: the
// same scans (with their workload links), packages, findings, finding_changes, current scans and
// summaries. A file truncated, malformed or invalid mid-stream lands nothing and keeps the previous
// import current; a `Resources` member given twice is read whole, as JSON.parse reads it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestStore, storeKindsToTest, type TestStore } from '../../store/test-support/stores.js';
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

// biome-ignore lint/suspicious/noExplicitAny: raw report parts.
type Json = any;

const kinds = await storeKindsToTest();
const tmp = mkdtempSync(join(tmpdir(), 'runsight-k8s-stream-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const digest = (i: number) => `sha256:${(i + 16).toString(16).padStart(2, '0').repeat(32)}`;
const GOLDENS = ['alpine-310', 'centos-7', 'debian-buster', 'ubuntu-1804', 'spring4shell-jre11', 'npm'].map(
  (g) => raw(`trivy/${g}.json.golden`),
);
const OLD = `registry.example/k8s/old@${digest(99)}`;

/** The results of golden `g`, vulnerability ids shifted by `shift` (a later scan of the image). */
function results(g: Json, shift: number): Json[] {
  return g.Results.map((r: Json) => ({
    ...r,
    Vulnerabilities: (r.Vulnerabilities ?? []).map((v: Json, i: number) => ({
      ...v,
      VulnerabilityID: shift && i % 2 === 0 ? `${v.VulnerabilityID}-${shift}` : v.VulnerabilityID,
      PkgName: i === 0 ? `${v.PkgName}\u0007` : v.PkgName,
    })),
  }));
}

function workload(i: number, shift: number): Json {
  const img = i % 60;
  const g = GOLDENS[img % GOLDENS.length];
  return {
    Namespace: 'shop',
    Kind: 'Deployment',
    Name: `app${i}\u001b[0m`,
    Metadata: {
      ...g.Metadata,
      ImageID: `sha256:${'ab'.repeat(31)}${img.toString(16).padStart(2, '0')}`,
      RepoTags: [`registry.example/k8s/img${img}:v1`],
      RepoDigests: [`registry.example/k8s/img${img}@${digest(img)}`],
    },
    // The second workload of an image reports fewer results: the first's report is the one kept.
    Results: i >= 60 ? results(g, shift).slice(0, 1) : results(g, shift),
  };
}

function craft(shift: number, clusterLast = false): Json {
  const resources: Json[] = [];
  for (let i = 0; i < 70; i++) resources.push(workload(i, shift));
  for (let i = 0; i < 5; i++)
    resources.splice(i * 13, 0, {
      Namespace: 'shop',
      Kind: 'Role',
      Name: `role${i}`,
      Results: [{ Target: `Role/role${i}`, Class: 'config', Misconfigurations: [] }],
    });
  // The older shape's image, also run by a resource that names it only by reference.
  const old = {
    Namespace: 'legacy',
    Kind: 'StatefulSet',
    Name: 'db',
    Results: results(GOLDENS[0], shift).map((r: Json) => ({ ...r, Target: `${OLD} (alpine 3.10.2)` })),
  };
  resources.push({
    Namespace: 'legacy',
    Kind: 'Job',
    Name: 'backup',
    Results: old.Results,
    Metadata: { RepoTags: [OLD] },
  });
  const body = { Resources: resources, Vulnerabilities: [old] };
  return clusterLast ? { ...body, ClusterName: 'prod-eu' } : { ClusterName: 'prod-eu', ...body };
}

/** A `trivy k8s` report has no scan time: a scan's is when it landed, so it is left out. */
function timeless<T extends { scans: Json[] }>(rows: T): T {
  return { ...rows, scans: rows.scans.map(({ started_at: _s, ...s }) => s) };
}

async function landed(store: TestStore) {
  return timeless(await landedSnapshot(store));
}

function write(name: string, doc: Json): string {
  const file = join(tmp, name);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

describe.each(kinds)('the streamed trivy k8s import on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.dispose();
  });
  beforeEach(() => clearLanded(store));

  it('lands the same scans, workload links, rows, finding_changes and summaries as the whole path', async () => {
    const a = write('a.json', craft(0));
    const b = write('b.json', craft(5, true));
    expect(readFileSync(a, 'utf8').length).toBeGreaterThan(2 ** 20); // several read chunks
    const { w1, w2, s1, s2, wholeRows, streamedRows, streamed } = await landBothWays(store, [a, b], 'trivy');
    expect(streamed).toEqual(['trivy', 'trivy']);
    expect(w1.errors).toEqual([]);
    // 60 images and the older shape's one, from each file.
    expect(streamedRows.scans).toHaveLength(122);
    const links = (s: Json) => s.stats.import.workloads.map((w: Json) => `${w.cluster}/${w.kind}/${w.name}`);
    expect(links(streamedRows.scans[0])).toEqual(['prod-eu/StatefulSet/db', 'prod-eu/Job/backup']);
    expect(links(streamedRows.scans[1])).toEqual(
      ['prod-eu/Deployment/app0\u001b[0m', 'prod-eu/Deployment/app60\u001b[0m'].map((l) =>
        l.replace('\u001b[0m', '\uFFFD[0m'),
      ),
    );
    expect(streamedRows.changes.some((c) => c.includes('newly_affected'))).toBe(true);
    expect(timeless(streamedRows)).toEqual(timeless(wholeRows));
    expect(summaryOf(s1)).toEqual(summaryOf(w1));
    expect(summaryOf(s2)).toEqual(summaryOf(w2));
    expect(s1.images.flatMap((i) => i.skipped.map((s) => s.kind))).toContain('cleaned');
  });

  it("DefectDojo's kubernetes.json (older shape): as the whole path", async () => {
    const file = `${TESTDATA}trivy-defectdojo/kubernetes.json`;
    const w = await importWhole(store, file);
    const wholeRows = await landed(store);
    await clearLanded(store);
    const { logger, streamed } = streamedLog();
    const s = await importStreamedFile(store, file, 'auto', { logger });
    expect(streamed).toEqual(['trivy']);
    expect(w.images).toHaveLength(2);
    expect(summaryOf(s)).toEqual(summaryOf(w));
    expect(s.errors).toEqual(w.errors);
    expect(await landed(store)).toEqual(wholeRows);
  });

  it('a file truncated, malformed or invalid mid-stream: exit-2 error, nothing lost', async () => {
    const good = write('good.json', craft(0));
    expect((await importStreamedFile(store, good)).images.filter((i) => i.current)).toHaveLength(61);
    const before = await landed(store);
    const text = readFileSync(write('next.json', craft(3)), 'utf8');
    const cut = join(tmp, 'cut.json');
    writeFileSync(cut, text.slice(0, Math.floor(text.length * 0.7)));
    const r = await importStreamedFile(store, cut);
    expect(r.images).toEqual([]);
    expect(r.errors).toEqual([{ file: cut, message: expect.stringMatching(/truncated/) }]);
    expect(await landed(store)).toEqual(before);

    const bad = join(tmp, 'bad.json');
    const at = text.indexOf('"Severity":', text.length * 0.7);
    writeFileSync(bad, `${text.slice(0, at)}"Severity" ${text.slice(at + 11)}`);
    const m = await importStreamedFile(store, bad, 'trivy');
    expect(m.errors).toEqual([{ file: bad, message: expect.stringMatching(/malformed JSON/) }]);
    expect(await landed(store)).toEqual(before);

    // A workload late in the file with a result that has no Target; ClusterName not a string.
    for (const [name, spoil] of [
      ['invalid', (d: Json) => delete d.Resources[60].Results[0].Target],
      ['cluster', (d: Json) => Object.assign(d, { ClusterName: 7 })],
    ] as const) {
      const doc = craft(3, true);
      spoil(doc);
      const file = write(`${name}.json`, doc);
      const v = await importStreamedFile(store, file, 'trivy');
      expect(v.errors).toEqual((await importWhole(store, file, 'trivy')).errors);
      expect(v.errors[0]?.message).toMatch(
        /not a valid Trivy Kubernetes report at (Resources\.60\.Results\.0\.Target|ClusterName)/,
      );
      expect(await landed(store)).toEqual(before);
    }
  });

  it('a Resources member given twice is read whole (the last wins, as JSON.parse)', async () => {
    const doc = craft(0);
    const first = JSON.stringify({ Resources: doc.Resources.slice(0, 30) }).slice(1, -1);
    const file = join(tmp, 'twice.json');
    writeFileSync(
      file,
      `{"ClusterName":"prod-eu",${first},${JSON.stringify({ ...doc, ClusterName: undefined, Resources: doc.Resources.slice(40) }).slice(1)}`,
    );
    const { logger, streamed } = streamedLog();
    const s = await importStreamedFile(store, file, 'auto', { logger });
    expect(streamed).toEqual([]);
    const streamedRows = await landed(store);
    await clearLanded(store);
    const w = await importWhole(store, file);
    expect(summaryOf(s)).toEqual(summaryOf(w));
    expect(streamedRows).toEqual(await landed(store));
  });
});
