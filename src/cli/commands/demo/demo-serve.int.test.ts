// `runsight demo --serve`: one command from a fresh clone to a dashboard with data — the demo runs,
// prints a viewer token once, and serves the demo store until SIGTERM (exit 0, store closed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCli, waitForOutput } from '../../test-support/spawn-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'runsight-demo-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runsight demo --serve', () => {
  it('serves the demo store with a printed viewer token, then stops on SIGTERM', {
    timeout: 300_000,
  }, async () => {
    const cli = spawnCli(['--data-dir', join(dir, 'demo'), 'demo', '--serve', '127.0.0.1:0']);
    const url = (await waitForOutput(cli, /listening on (http:\/\/\S+)/, 240_000))[1]!;
    const stdout = cli.stdout();
    try {
      expect(stdout).toMatch(/Validation checklist:[\s\S]*pass/); // the demo's checklist ran first
      const token = /sign in at \/login with this viewer token[^\n]*\n\s+(rs_\S+)/.exec(stdout)?.[1];
      expect(token).toMatch(/^rs_[0-9a-f]+_/);
      const auth = { authorization: `Bearer ${token}` };
      // After the rollout the demo's vulnerability is on the toolbox container and the CMDB's
      // tag-only batch job (both on Alpine 3.18's old musl); the patched shop-api carries none.
      const where = await fetch(`${url}/api/v1/vulnerabilities/CVE-2025-26519/where`, { headers: auth });
      expect(where.status).toBe(200);
      const doc = (await where.json()) as { containers: { containerId: string }[] };
      expect(doc.containers.map((c) => c.containerId)).toEqual([
        'batch-vms/vm-batch-01/report',
        'demo/shop/toolbox/toolbox',
      ]);
      const page = await fetch(`${url}/`, { headers: auth });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Overview');
      expect((await fetch(`${url}/api/v1/posture`)).status).toBe(401);
    } finally {
      cli.child.kill('SIGTERM');
    }
    expect(await cli.exited).toBe(0);
  });
});
