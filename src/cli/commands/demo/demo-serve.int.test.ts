// `runsight demo --serve`: one command from a fresh clone to a dashboard with data — the demo runs,
// prints a viewer token once, and serves the demo store until SIGTERM (exit 0, store closed).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'runsight-demo-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runsight demo --serve', () => {
  it('serves the demo store with a printed viewer token, then stops on SIGTERM', {
    timeout: 300_000,
  }, async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/bin.ts',
        '--data-dir',
        join(dir, 'demo'),
        'demo',
        '--serve',
        '127.0.0.1:0',
      ],
      { cwd: ROOT, env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    const deadline = Date.now() + 240_000;
    let url: string | undefined;
    while (!url) {
      url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (!url && (child.exitCode !== null || Date.now() > deadline)) {
        child.kill('SIGKILL');
        throw new Error(`demo --serve did not start (exit ${child.exitCode}): ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
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
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
