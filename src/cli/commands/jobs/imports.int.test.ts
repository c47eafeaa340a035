// `runsight jobs run imports.directory` and `jobs run imports.trivy-operator` on a PGlite data
// directory, configured in the config file (`imports:`), with real reports from testdata/importers
// and the real importers: ready files are imported and moved to imported/, rejected ones to failed/
// with a `.error.txt` that says why; dot, temporary and still-being-written files stay. The
// trivy-operator job lists real VulnerabilityReports from a local Kubernetes API stand-in
// (importers/test-support/trivy-operator-api.ts: the list endpoint, paged with continue).
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TESTDATA } from '../../../importers/test-support/reports.js';
import {
  startTrivyOperatorApi,
  type TrivyOperatorApi,
} from '../../../importers/test-support/trivy-operator-api.js';
import { runCli } from '../../test-support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'runsight-jobs-imports-'));
const inbox = join(dir, 'inbox');
const env = { RUNSIGHT_DATA_DIR: join(dir, 'data'), RUNSIGHT_CONFIG: join(dir, 'runsight.yaml') };
const KEYCLOAK = 'sha256:d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e';
const UBUNTU = 'sha256:f78909c2b360d866b3220655c0b079838258b8891a12ac25fc670f0cbb54229f';
let api: TrivyOperatorApi;

/** Drops a file as a finished copy: modified a minute ago (older than the settle time). */
function drop(name: string, from: string, mtime = new Date(Date.now() - 60_000)): void {
  copyFileSync(from, join(inbox, name));
  utimesSync(join(inbox, name), mtime, mtime);
}

beforeAll(async () => {
  api = await startTrivyOperatorApi(dir);
  mkdirSync(inbox);
  writeFileSync(
    env.RUNSIGHT_CONFIG,
    [
      'imports:',
      '  directory:',
      `    path: ${inbox}`,
      '  trivyOperator:',
      `    - kubeconfig: ${api.kubeconfig}`,
      '      clusterName: lab',
      'cadence:',
      '  imports: 30s',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
});
afterAll(async () => {
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('imports as jobs', () => {
  it('imports the ready files of the watched directory and files each as imported or failed', async () => {
    drop('keycloak.json', `${TESTDATA}grype/keycloak-test.json`);
    drop('ghsa.json', `${TESTDATA}grype/ghsa-test.json`);
    drop('alpine-310.json', `${TESTDATA}trivy/alpine-310.json.golden`); // names a tag never observed
    writeFileSync(join(inbox, 'broken.json'), '{"SchemaVersion": 2, "Results": [');
    utimesSync(join(inbox, 'broken.json'), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    drop('.hidden.json', `${TESTDATA}grype/keycloak-test.json`);
    drop('copying.json.part', `${TESTDATA}grype/keycloak-test.json`);
    // Still being written: modified just now (in the future, so no clock makes it settle in this test).
    drop('writing.json', `${TESTDATA}grype/keycloak-test.json`, new Date(Date.now() + 600_000));

    const run = await runCli(['--format', 'json', 'jobs', 'run', 'imports.directory'], env);
    expect(run.code, run.stderr).toBe(0);
    const rows = run.json<{ kind: string; key: string; state: string; error: string | null }[]>();
    expect(rows.map((r) => r.key.split('@')[0]).sort()).toEqual([
      'alpine-310.json',
      'broken.json',
      'ghsa.json',
      'keycloak.json',
    ]);
    for (const r of rows)
      expect(r).toMatchObject({ kind: 'imports.directory', state: 'completed', error: null });
    // The key is the file's name, size and mtime.
    const size = readFileSync(`${TESTDATA}grype/keycloak-test.json`).length;
    expect(rows.find((r) => r.key.startsWith('keycloak.json'))!.key).toMatch(
      new RegExp(`^keycloak\\.json@${size}@\\d{4}-\\d\\d-\\d\\dT`),
    );

    expect(readdirSync(join(inbox, 'imported')).sort()).toEqual(['ghsa.json', 'keycloak.json']);
    expect(readdirSync(join(inbox, 'failed')).sort()).toEqual([
      'alpine-310.json',
      'alpine-310.json.error.txt',
      'broken.json',
      'broken.json.error.txt',
    ]);
    const alpine = readFileSync(join(inbox, 'failed', 'alpine-310.json.error.txt'), 'utf8');
    expect(alpine).toContain('alpine-310.json was not imported');
    expect(alpine).toContain('never observed (no tag_history entry)');
    expect(alpine).toContain('Nothing of it was imported.');
    const broken = readFileSync(join(inbox, 'failed', 'broken.json.error.txt'), 'utf8');
    expect(broken).toContain('the JSON ends before the document is complete');
    for (const [name, text] of [
      ['alpine-310.json', alpine],
      ['broken.json', broken],
    ] as const) {
      expect(text).not.toMatch(/\n\s+at /); // never a stack trace
      expect(text).not.toContain(join(inbox, name)); // the file by its name
      expect(text).toContain(`drop it in ${inbox} again`);
    }
    expect(readdirSync(inbox).sort()).toEqual([
      '.hidden.json',
      'copying.json.part',
      'failed',
      'imported',
      'writing.json',
    ]);

    // The findings landed as `runsight import` lands them; posture is asked for.
    const show = await runCli(['--format', 'json', 'image', 'show', KEYCLOAK], env);
    expect(show.code, show.stderr).toBe(0);
    expect(show.json<{ sources: { source: string; findings: number }[] }>().sources).toEqual([
      expect.objectContaining({ source: 'grype', findings: 6 }),
    ]);
    const jobs = (await runCli(['--format', 'json', 'jobs'], env)).json<{ kind: string; state: string }[]>();
    expect(jobs.filter((j) => j.kind === 'posture.maintain').map((j) => j.state)).toEqual(['queued']);

    // Nothing ready: nothing runs. The same report dropped again lands nothing new.
    const again = await runCli(['--format', 'json', 'jobs', 'run', 'imports.directory'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json()).toEqual([]);
    drop('keycloak.json', `${TESTDATA}grype/keycloak-test.json`, new Date(Date.now() - 30_000));
    const twice = await runCli(['--format', 'json', 'jobs', 'run', 'imports.directory'], env);
    expect(twice.code, twice.stderr).toBe(0);
    expect(twice.json<unknown[]>()).toHaveLength(1);
    const imported = readdirSync(join(inbox, 'imported')).sort();
    expect(imported).toHaveLength(3);
    expect(imported.filter((n) => /^keycloak\..+\.json$/.test(n))).toHaveLength(1); // renamed, not overwritten
    const after = await runCli(['--format', 'json', 'image', 'show', KEYCLOAK], env);
    expect(after.json<{ sources: { findings: number }[] }>().sources).toEqual([
      expect.objectContaining({ findings: 6 }),
    ]);
  }, 400_000);

  it('imports the configured trivy-operator cluster, keyed by its name', async () => {
    const run = await runCli(['--format', 'json', 'jobs', 'run', 'imports.trivy-operator'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json()).toEqual([
      expect.objectContaining({
        kind: 'imports.trivy-operator',
        key: 'lab',
        state: 'completed',
        error: null,
      }),
    ]);
    // The ubuntu report carries its digest (5 findings); the nginx one names a tag never observed.
    const show = await runCli(['--format', 'json', 'image', 'show', UBUNTU], env);
    expect(show.code, show.stderr).toBe(0);
    expect(show.json<{ sources: { source: string; findings: number }[] }>().sources).toEqual([
      expect.objectContaining({ source: 'trivy-operator', findings: 5 }),
    ]);
    const unknown = await runCli(['jobs', 'run', 'imports.trivy-operator', '--key', 'prod'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no imports.trivyOperator cluster named "prod" (configured: lab)');
    expect(existsSync(join(inbox, 'failed'))).toBe(true);
  }, 400_000);
});
