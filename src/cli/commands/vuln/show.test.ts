// `vuln show` with CVE-record scores, through the CLI on PGlite: an Alpine image scanned against
// the secdb (no severity), then `db update --source testdata/advisories/cve` (real cvelistV5
// records) → the JSON and the table show every CVE-record score with its source, and the image's
// finding with its new severity and who decided it. A malformed record exits 2 and writes nothing.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { matchPackages } from '../../../advisories/match/matcher.js';
import { TESTDATA, trivyApk } from '../../../advisories/test-support/expected-packages.js';
import { openStore, saveScan } from '../../../store/index.js';
import { runCli } from '../../test-support/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'runsight-vulnshow-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const IMAGE = `sha256:${'7'.repeat(64)}`;

describe('vuln show: severity and its source', () => {
  const dataDir = join(tmp, 'data');
  const data = ['--data-dir', dataDir];

  it('db update with CVE records re-rates a stored finding; vuln show says by whom (JSON)', async () => {
    expect(
      (await runCli([...data, 'db', 'update', '--source', join(TESTDATA, 'alpine-secdb/v3.9')])).code,
    ).toBe(0);
    const store = await openStore({ dataDir });
    try {
      const packages = trivyApk('Alpine:v3.9');
      await saveScan(store, {
        imageDigest: IMAGE,
        source: 'runsight',
        status: 'complete',
        errors: [],
        os: { family: 'alpine', ecosystem: 'Alpine:v3.9' },
        packages,
        findings: await matchPackages(store, packages),
      });
    } finally {
      await store.close();
    }
    const before = await runCli([...data, '--format', 'json', 'vuln', 'show', 'CVE-2019-5018']);
    expect(before.json<{ images: unknown[] }>().images).toEqual([
      expect.objectContaining({ package: 'sqlite-libs', severity: 'UNKNOWN', severitySource: 'none' }),
    ]);

    const up = await runCli([...data, '--format', 'json', 'db', 'update', '--source', join(TESTDATA, 'cve')]);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.json()).toMatchObject({
      sources: [{ name: 'cve', kind: 'cve', read: 6, written: 4, unchanged: 2 }],
      cves: 4,
      rematch: { scans: 1, severityChanged: 1 },
    });

    const r = await runCli([...data, '--format', 'json', 'vuln', 'show', 'CVE-2019-5018']);
    expect(r.code).toBe(0);
    const v = r.json<{ cveScores: unknown[]; images: unknown[]; advisories: { source: string }[] }>();
    expect(v.advisories.map((a) => a.source)).toEqual(['alpine-secdb:v3.9']);
    expect(v.cveScores).toEqual([
      {
        source: 'cve:talos',
        cvssVersion: '3.0',
        vector: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H',
        baseScore: 8.1,
        rating: 'HIGH',
        dateUpdated: '2024-08-04T19:40:49.048Z',
      },
    ]);
    expect(v.images).toEqual([
      {
        imageDigest: IMAGE,
        package: 'sqlite-libs',
        installedVersion: '3.26.0-r3',
        fixedVersion: '3.28.0-r0',
        status: 'affected',
        severity: 'HIGH',
        severitySource: 'cve:talos',
        source: 'runsight',
      },
    ]);
    // Two CLI imports and a scan on an on-disk PGlite: slow on a shared 2-core machine.
  }, 240_000);

  it('the table shows the CVE record scores and the severity source per image', async () => {
    const r = await runCli([...data, 'vuln', 'show', 'CVE-2019-5018']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'CVE record: cve:talos CVSS 3.0 8.1 HIGH (CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H)',
    );
    expect(r.stdout).toContain(`${IMAGE}  sqlite-libs 3.26.0-r3 → 3.28.0-r0  affected HIGH (cve:talos)`);
  });

  it('a CVE known only from its record shows its scores (CNA versions in precedence order, ADP)', async () => {
    const adp = await runCli([...data, '--format', 'json', 'vuln', 'show', 'CVE-2021-3156']);
    expect(adp.code).toBe(0);
    expect(adp.json<{ cveScores: { source: string; rating: string }[] }>().cveScores).toEqual([
      expect.objectContaining({
        source: 'cve-adp:CISA-ADP',
        cvssVersion: '3.1',
        baseScore: 7.8,
        rating: 'HIGH',
      }),
    ]);
    const vuldb = await runCli([...data, '--format', 'json', 'vuln', 'show', 'CVE-2024-3931']);
    expect(
      vuldb
        .json<{ cveScores: { source: string; cvssVersion: string }[] }>()
        .cveScores.map((s) => s.cvssVersion),
    ).toEqual(['3.1', '3.0', '2.0']);
  });

  it('a malformed CVE record exits 2 naming the file and field; nothing is imported', async () => {
    const bad = JSON.parse(readFileSync(join(TESTDATA, 'cve/CVE-2021-3156.json'), 'utf8'));
    bad.cveMetadata.cveId = 'CVE-2098-0001';
    bad.containers.adp[1].metrics[0].cvssV3_1.vectorString = 42;
    const file = join(tmp, 'CVE-2098-0001.json');
    writeFileSync(file, JSON.stringify(bad));
    const r = await runCli([...data, 'db', 'update', '--source', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CVE-2098-0001.json');
    expect(r.stderr).toContain('containers.adp.1.metrics.0.cvssV3_1.vectorString');
    expect(r.stderr).toContain('Nothing was imported');
    expect((await runCli([...data, 'vuln', 'show', 'CVE-2098-0001'])).code).toBe(2);
  });
});
