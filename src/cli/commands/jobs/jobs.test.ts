// `runsight jobs run NAME` and `runsight jobs --format json` on a PGlite data directory: the job
// runs in the process and is listed with exactly the contract's fields; bad input exits 2.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test-support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'runsight-jobs-'));
const env = { RUNSIGHT_DATA_DIR: join(dir, 'data') };

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runsight jobs', () => {
  it('lists nothing on a store where no job ever ran', async () => {
    const r = await runCli(['--format', 'json', 'jobs'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json()).toEqual([]);
  }, 240_000);

  it('runs a job now and lists it with the contract fields', async () => {
    const run = await runCli(['--format', 'json', 'jobs', 'run', 'posture.maintain'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const list = await runCli(['--format', 'json', 'jobs'], env);
    expect(list.code).toBe(0);
    const jobs = list.json<Record<string, unknown>[]>();
    expect(jobs).toHaveLength(1);
    expect(Object.keys(jobs[0]!).sort()).toEqual(
      ['attempts', 'createdAt', 'error', 'finishedAt', 'id', 'key', 'kind', 'startedAt', 'state'].sort(),
    );
    expect(jobs[0]).toMatchObject({
      kind: 'posture.maintain',
      key: null,
      state: 'completed',
      attempts: 1,
      error: null,
    });
    expect(jobs[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
    for (const k of ['createdAt', 'startedAt', 'finishedAt'])
      expect(new Date(jobs[0]![k] as string).toISOString()).toBe(jobs[0]![k]);
    expect(run.json()).toEqual(jobs);
    expect((await runCli(['--format', 'json', 'jobs', '--failed'], env)).json()).toEqual([]);
  }, 240_000);

  it('refuses an unknown job, a scan without --key and a bad --concurrency (exit 2)', async () => {
    const unknown = await runCli(['jobs', 'run', 'nope'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown job "nope"');
    const scan = await runCli(['jobs', 'run', 'scan.image'], env);
    expect(scan.code).toBe(2);
    expect(scan.stderr).toContain('--key');
    const bad = await runCli(['worker', '--concurrency', '0'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('whole number');
  }, 240_000);
});
