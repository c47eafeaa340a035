// `runsight containers` as a table: the id `container show` takes, and where each container runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'runsight-containers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const CMDB = join(import.meta.dirname, '../../../testdata/inventory/cmdb/good.csv');

describe('runsight containers (table)', () => {
  it('lists the id, source and cluster of each container; the id opens `container show`', async () => {
    const dir = join(tmp, 'data');
    const imported = await runCli(['--data-dir', dir, 'inventory', 'import', CMDB, '--source-name', 'cmdb']);
    expect(imported.code).toBe(0);

    const r = await runCli(['--data-dir', dir, 'containers']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const cells = (line: string) => line.split(/ {2,}/);
    expect(cells(lines[0]!)).toEqual([
      'ID',
      'SOURCE',
      'CLUSTER',
      'NAMESPACE',
      'WORKLOAD',
      'CONTAINER',
      'IMAGE',
      'DIGEST',
      'STATE',
      'VULNERABILITIES C/H/M/L/U',
      'FINDINGS C/H/M/L/U',
      'LAST SEEN',
    ]);
    // good.csv, row by row: source_id vm-17/web in cluster edge-east, imported as source "cmdb".
    const rows = lines.slice(1, 4).map(cells);
    expect(rows.map((c) => c.slice(0, 4))).toEqual([
      ['cmdb/vm-17/exporter', 'cmdb', 'edge-east', 'shop'],
      ['cmdb/vm-17/web', 'cmdb', 'edge-east', 'shop'],
      ['cmdb/vm-22/busy', 'cmdb', 'edge-west', 'batch'],
    ]);
    expect(rows[1]!.slice(4, 9)).toEqual([
      'Deployment/web',
      'nginx',
      'nginx:alpine',
      'repo:482ead44b220',
      'running',
    ]);
    // No image is scanned here: both figures are `-` (not zero: nothing says the image is clean).
    expect(rows[1]!.slice(9, 11)).toEqual(['-', '-']);
    expect(lines.at(-1)).toBe('3 containers');

    const shown = await runCli(['--data-dir', dir, 'container', 'show', rows[1]![0]!]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('container cmdb/vm-17/web (');

    const csv = await runCli(['--data-dir', dir, '--format', 'csv', 'containers']);
    expect(csv.stdout.split('\n')[0]).toBe(
      'id,source,cluster,namespace,workload,container,image,digest,state,vulnerabilities C/H/M/L/U,findings C/H/M/L/U,last seen',
    );
  });
});
