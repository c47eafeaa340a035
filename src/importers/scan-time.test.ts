// A scan's age is the time the scanner ran — an imported report's own timestamp — not the time it
// was imported: a Trivy report made in 2021 is years old, and stale against a 7-day SLA.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/test-support/run-cli.js';
import { TESTDATA } from './test-support/reports.js';

const tmp = mkdtempSync(join(tmpdir(), 'runsight-scan-time-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const DIGEST = `sha256:${'3'.repeat(64)}`;
// jq -r .CreatedAt testdata/importers/trivy/alpine-310.json.golden → 2021-08-25T12:20:30.000000005Z
const CREATED_AT = '2021-08-25T12:20:30.000Z';
const YEAR = 365 * 86400;

interface Age {
  at: string | null;
  ageSeconds: number | null;
  stale: boolean;
}

// Each test runs several CLI processes on a new PGlite data dir: minutes on a loaded machine.
describe('freshness of an imported report', { timeout: 180_000 }, () => {
  it('a Trivy report from 2021 is years old and stale against sla.scanAge 7d', async () => {
    const dir = join(tmp, 'data');
    const config = join(tmp, 'runsight.yaml');
    writeFileSync(config, 'sla:\n  scanAge: 7d\n');
    const cmdb = join(tmp, 'cmdb.csv');
    writeFileSync(
      cmdb,
      `source_id,namespace,workload,container,image,platform\nvm-1/app,shop,Deployment/app,app,registry.example/shop/app@${DIGEST},linux/amd64\n`,
    );
    const cli = (...args: string[]) => runCli(['--data-dir', dir, '--config', config, ...args]);
    expect((await cli('inventory', 'import', cmdb, '--source-name', 'assets')).code).toBe(0);
    const imported = await cli(
      '--format',
      'json',
      'import',
      'trivy',
      `${TESTDATA}trivy/alpine-310.json.golden`,
      '--image',
      DIGEST,
    );
    expect(imported.code).toBe(0);

    const posture = await cli('--format', 'json', 'posture');
    expect(posture.code).toBe(0);
    const p = posture.json<{
      freshness: { scans: { oldestInUse: Age }; stale: boolean };
      groups: { oldestScanAt: string | null; stale: string[] }[];
    }>();
    const oldest = p.freshness.scans.oldestInUse;
    expect(oldest.at).toBe(CREATED_AT);
    // Imported just now, scanned in August 2021: over four years old (the import time would say seconds).
    expect(oldest.ageSeconds).toBeGreaterThan(4 * YEAR);
    expect(oldest.stale).toBe(true);
    expect(p.freshness.stale).toBe(true);
    expect(p.groups).toMatchObject([{ oldestScanAt: CREATED_AT, stale: ['scan older than 7d'] }]);

    const table = await cli('posture');
    expect(table.stdout).toMatch(/oldest scan in use \d{4}d\S* STALE/);

    const shown = await cli('--format', 'json', 'container', 'show', 'assets/vm-1/app');
    expect(shown.json<{ scan: Age }>().scan).toMatchObject({ at: CREATED_AT, stale: true });
  });
});
