// Vulnerabilities and findings mean the same in every command (docs/cli.md#counts-vulnerabilities-and-findings).
// A real image scanned by the built-in scanner: the demo's Alpine 3.18 base (testdata/demo: a real
// /lib/apk/db/installed) against the real OSV record for CVE-2025-26519. Counted by hand from the
// test data: `musl` and `musl-utils` are both 1.2.4-r0 (origin musl); the record's Alpine:v3.18
// range is introduced 0.9.13, fixed 1.2.4-r3; its CVSS 3.1 vector AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H
// scores 7.0, HIGH. So: 1 vulnerability (HIGH, fixable), 2 findings (HIGH, both fixable). The
// patched base has both at 1.2.4-r3: 0 and 0.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/run-cli.js';
import { DEMO_DIR } from './demo/demo-pipeline.js';

const tmp = mkdtempSync(join(tmpdir(), 'runsight-counts-'));
const data = join(tmp, 'data');
const cli = (...args: string[]) => runCli(['--log-level', 'error', '--data-dir', data, ...args]);
const json = (...args: string[]) => cli('--format', 'json', ...args);

const ZERO = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, kev: 0, fixable: 0, total: 0 };
const ONE_VULNERABILITY = { ...ZERO, high: 1, fixable: 1, total: 1 };
const TWO_FINDINGS = { ...ZERO, high: 2, fixable: 2, total: 2 };
const AFFECTED = { vulnerabilities: ONE_VULNERABILITY, findings: TWO_FINDINGS };

interface Scanned {
  image: { digest: string };
  findings: { id: string; package: { name: string } }[];
  summary: unknown;
}

let scan: { code: number; stdout: string; stderr: string };
let base: Scanned;
let digest: string;

beforeAll(async () => {
  const up = await cli('db', 'update', '--source', join(DEMO_DIR, 'advisories'));
  expect(up.code, up.stderr).toBe(0);
  scan = await cli('scan', `oci:${DEMO_DIR}oci:alpine-base-3.18`);
  const scanned = await json('scan', `oci:${DEMO_DIR}oci:alpine-base-3.18`);
  expect(scanned.code, scanned.stderr).toBe(0);
  base = scanned.json<Scanned>();
  digest = base.image.digest;
  const patched = await json('scan', `oci:${DEMO_DIR}oci:alpine-base-3.18-patched`);
  expect(patched.code, patched.stderr).toBe(0);
  const patchedDigest = patched.json<Scanned>().image.digest;
  // Two containers run the vulnerable base, one the patched base, all in namespace tools.
  const cmdb = join(tmp, 'cmdb.csv');
  writeFileSync(
    cmdb,
    [
      'source_id,cluster,namespace,workload,container,image,digest,started_at,labels,owner,environment,platform',
      `vm-1/a,edge,tools,Deployment/toolbox,toolbox,registry.demo.local/library/alpine:3.18,${digest},2026-11-22T02:00:00Z,,team,prod,linux/amd64`,
      `vm-2/a,edge,tools,Deployment/toolbox,toolbox,registry.demo.local/library/alpine:3.18,${digest},2026-11-22T02:00:00Z,,team,prod,linux/amd64`,
      `vm-3/a,edge,tools,Deployment/patched,toolbox,registry.demo.local/library/alpine:3.18-r3,${patchedDigest},2026-11-22T02:00:00Z,,team,prod,linux/amd64`,
      '',
    ].join('\n'),
  );
  const imported = await cli('inventory', 'import', cmdb, '--source-name', 'cmdb');
  expect(imported.code, imported.stderr).toBe(0);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('vulnerabilities and findings, one image through every command', () => {
  it('scan: the footer says 1 vulnerability, 2 findings; the JSON has both figures', () => {
    expect(scan.code, scan.stderr).toBe(0);
    expect(scan.stdout).toContain('15 packages · 1 vulnerability, 2 findings (vulnerability × package)');
    expect(scan.stdout).toContain(
      'vulnerabilities C/H/M/L/U 0/1/0/0/0 (0 KEV, 1 fixable) · findings C/H/M/L/U 0/2/0/0/0 (0 KEV, 2 fixable)',
    );
    // The rows are the two findings; the summary names them as every command does.
    expect(base.findings.map((f) => `${f.id} ${f.package.name}`).sort()).toEqual([
      'CVE-2025-26519 musl',
      'CVE-2025-26519 musl-utils',
    ]);
    expect(base.summary).toEqual(AFFECTED);
  });

  it('containers: each container carries its image figures (table and JSON)', async () => {
    const r = await json('containers');
    expect(r.code, r.stderr).toBe(0);
    const rows = r.json<{ id: string; counts: unknown; summary: unknown }[]>();
    const byId = Object.fromEntries(rows.map((c) => [c.id, c]));
    expect(byId['cmdb/vm-1/a']).toMatchObject({
      counts: { critical: 0, high: 1, medium: 0, low: 0, unknown: 0 },
      summary: AFFECTED,
    });
    expect(byId['cmdb/vm-3/a']!.summary).toEqual({ vulnerabilities: ZERO, findings: ZERO });

    const table = await cli('containers');
    const lines = table.stdout.trimEnd().split('\n');
    const cells = (line: string) => line.split(/ {2,}/);
    const header = cells(lines[0]!);
    const row = cells(lines.find((l) => l.startsWith('cmdb/vm-1/a'))!);
    expect(row[header.indexOf('VULNERABILITIES C/H/M/L/U')]).toBe('0/1/0/0/0');
    expect(row[header.indexOf('FINDINGS C/H/M/L/U')]).toBe('0/2/0/0/0');
  });

  it('container show and image show: the same two figures', async () => {
    const c = await json('container', 'show', 'cmdb/vm-1/a');
    expect(c.code, c.stderr).toBe(0);
    expect(c.json()).toMatchObject({ counts: { high: 1 }, kev: 0, fixable: 1, summary: AFFECTED });
    const ct = await cli('container', 'show', 'cmdb/vm-1/a');
    expect(ct.stdout).toContain(
      'posture: 1 vulnerability, 2 findings · vulnerabilities C/H/M/L/U 0/1/0/0/0 (0 KEV, 1 fixable) · findings C/H/M/L/U 0/2/0/0/0 (0 KEV, 2 fixable)',
    );

    const i = await json('image', 'show', digest);
    expect(i.code, i.stderr).toBe(0);
    expect(i.json()).toMatchObject({
      summary: AFFECTED,
      summarySource: 'runsight',
      // `findings` of a source stays the number of its rows (any status).
      sources: [{ source: 'runsight', findings: 2, counts: { HIGH: 2 }, summary: AFFECTED }],
    });
    const shownTable = await cli('image', 'show', digest);
    expect(shownTable.stdout).toMatch(/\* runsight \S+: scanned \S+, 1 vulnerability, 2 findings · /);
    expect(shownTable.stdout).toContain(
      'posture counts (runsight, after VEX; what its containers show): 1 vulnerability, 2 findings',
    );
  });

  it('posture and workload show: vulnerabilities and findings per distinct image, instances per container', async () => {
    const p = await json('posture');
    expect(p.code, p.stderr).toBe(0);
    const report = p.json<{
      totals: Record<string, unknown>;
      groups: { key: string; containers: number; [k: string]: unknown }[];
    }>();
    const tools = report.groups.find((g) => g.key === 'edge/tools')!;
    // 3 containers on 2 images: the vulnerable image's 1 vulnerability and 2 findings are counted
    // once; instances count it once per container running it (2).
    const INSTANCES = { ...ZERO, high: 2, fixable: 2, total: 2 };
    expect(tools).toMatchObject({
      containers: 3,
      images: 2,
      distinctVulnerabilities: ONE_VULNERABILITY,
      instances: INSTANCES,
      summary: AFFECTED,
    });
    expect(report.totals).toMatchObject({
      containers: 3,
      distinctVulnerabilities: ONE_VULNERABILITY,
      instances: INSTANCES,
      summary: AFFECTED,
    });
    // A filter applies to both figures alike.
    const low = await json('posture', '--severity', 'critical');
    expect(low.json<{ totals: { summary: unknown } }>().totals.summary).toEqual({
      vulnerabilities: ZERO,
      findings: ZERO,
    });
    const table = await cli('posture');
    expect(table.stdout).toContain(
      'total: 3 running containers; 1 vulnerability, 2 findings · vulnerabilities C/H/M/L/U 0/1/0/0/0 (0 KEV, 1 fixable) · findings C/H/M/L/U 0/2/0/0/0 (0 KEV, 2 fixable) · 2 instances (container × vulnerability) C/H/M/L/U 0/2/0/0/0 (0 KEV, 2 fixable)',
    );

    const w = await json('workload', 'show', 'tools/Deployment/toolbox');
    expect(w.code, w.stderr).toBe(0);
    expect(w.json()).toMatchObject({
      distinctVulnerabilities: ONE_VULNERABILITY,
      instances: INSTANCES,
      summary: AFFECTED,
      containers: [
        { id: 'cmdb/vm-1/a', counts: ONE_VULNERABILITY, summary: AFFECTED },
        { id: 'cmdb/vm-2/a', counts: ONE_VULNERABILITY, summary: AFFECTED },
      ],
    });
  });
});
