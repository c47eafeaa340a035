// `runsight scan --in-use` scans what runs without a scan, reports what it could not scan (exit 4
// after printing), and leaves posture current.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addContainers, addSource } from '../../propagation/test-support/fleet.js';
import { openStore } from '../../store/index.js';
import { runCli } from '../test-support/run-cli.js';
import { DEMO_DIR } from './demo/demo-pipeline.js';

let dir: string;
const LAYOUT_REF = `oci:${DEMO_DIR}oci:alpine-base-3.18`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runsight-inuse-'));
  const store = await openStore({ dataDir: dir });
  const src = await addSource(store);
  await addContainers(store, src, [
    { id: 'local/1', image: LAYOUT_REF },
    { id: 'local/2', image: LAYOUT_REF },
    { id: 'gone/1', image: '127.0.0.1:1/nothing/here:1' },
  ]);
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scan --in-use', () => {
  it('scans the in-use images without a scan and reports the ones it cannot reach', async () => {
    const adv = await runCli(['--data-dir', dir, 'db', 'update', '--source', join(DEMO_DIR, 'advisories')]);
    expect(adv.code).toBe(0);
    const r = await runCli(['--data-dir', dir, '--format', 'json', 'scan', '--in-use']);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(
      /^runsight: 1 of 2 in-use images could not be scanned completely: 127\.0\.0\.1:1\/nothing\/here:1 \(failed: .+\)\n$/,
    );
    const { inUse } = r.json<{
      inUse: {
        reference: string;
        status: string;
        containers: number;
        findings: number;
        error: string | null;
      }[];
    }>();
    expect(inUse.map((x) => [x.reference, x.status, x.containers, x.findings])).toEqual([
      [LAYOUT_REF, 'scanned', 2, 2],
      ['127.0.0.1:1/nothing/here:1', 'failed', 1, 0],
    ]);
    expect(inUse[1]!.error).toBeTruthy();
    const usage = await runCli(['--data-dir', dir, 'scan', 'x', '--in-use']);
    expect(usage.code).toBe(2);
  });
});
