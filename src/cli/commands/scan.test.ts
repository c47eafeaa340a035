import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/run-cli.js';
import { DEMO_DIR } from './demo/demo-pipeline.js';

const dir = mkdtempSync(join(tmpdir(), 'runsight-scan-cli-'));
const sbom = fileURLToPath(
  new URL('../../../testdata/scan/pkgdb/sbom/trivy-centos-7-cyclonedx.json', import.meta.url),
);

describe('runsight scan (no image)', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sbom:FILE matches a CycloneDX SBOM without an image', async () => {
    const r = await runCli(['--format', 'json', '--data-dir', join(dir, 'data'), 'scan', `sbom:${sbom}`]);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json<{
      image: { reference: string; digest: string };
      os: { family: string };
      status: string;
      packages: { name: string; version: string }[];
    }>();
    expect(out.image.reference).toBe(`sbom:${sbom}`);
    expect(out.image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(out.os.family).toBe('centos');
    expect(out.packages.map((p) => `${p.name}@${p.version}`)).toEqual([
      'bash@4.2.46-31.el7',
      'openssl-libs@1:1.0.2k-16.el7',
    ]);
  });

  it('rejects a bad --sbom format with exit 2', async () => {
    const r = await runCli([
      '--data-dir',
      join(dir, 'data'),
      'scan',
      `sbom:${sbom}`,
      '--sbom',
      'xml',
      'x.xml',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--sbom expects a format \(cyclonedx or spdx\) and a file/);
  });

  it('a missing image layout is a clear error, not a crash', async () => {
    const r = await runCli(['--data-dir', join(dir, 'data'), 'scan', `oci:${join(dir, 'nope')}:1`]);
    expect(r.code).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/runsight: /);
    expect(r.stderr).not.toMatch(/unexpected failure/);
  });

  it('a partial scan prints its result, then exits 4 with one line naming it', async () => {
    const config = join(dir, 'tiny-budget.yaml');
    writeFileSync(config, 'scan:\n  maxTotalBytes: 1\n');
    const ref = `oci:${DEMO_DIR}oci:alpine-base-3.18`;
    const r = await runCli([
      '--config',
      config,
      '--format',
      'json',
      '--data-dir',
      join(dir, 'data'),
      'scan',
      ref,
    ]);
    expect(r.code, r.stderr).toBe(4);
    const out = r.json<{ status: string; errors: { code: string }[] }>();
    expect(out.status).toBe('partial');
    expect(out.errors.map((e) => e.code)).toEqual(['decompression-limit']);
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('runsight: '))).toEqual([
      `runsight: scan completed with failures: ${ref} linux/amd64 is partial (decompression-limit); its findings may be incomplete (see status and errors above)`,
    ]);
  });

  it('an empty advisory database is said: stderr warning, table footer, advisoriesLoaded in JSON', async () => {
    const empty = join(dir, 'no-advisories');
    const json = await runCli(['--format', 'json', '--data-dir', empty, 'scan', `sbom:${sbom}`]);
    expect(json.code, json.stderr).toBe(0);
    expect(json.json<{ advisoriesLoaded: boolean }>().advisoriesLoaded).toBe(false);
    expect(json.stderr).toContain('no advisories are loaded');
    expect(json.stderr).toContain('runsight db update --source PATH|URL');
    const table = await runCli(['--log-level', 'error', '--data-dir', empty, 'scan', `sbom:${sbom}`]);
    expect(table.stderr).toBe('');
    expect(table.stdout).toMatch(
      /\n! no advisories are loaded, so no vulnerability can be matched; load them with "runsight db update --source PATH\|URL"/,
    );
    // With advisories (the demo's, none of which names a CentOS package) nothing is said.
    const up = await runCli(['--data-dir', empty, 'db', 'update', '--source', join(DEMO_DIR, 'advisories')]);
    expect(up.code, up.stderr).toBe(0);
    const again = await runCli(['--format', 'json', '--data-dir', empty, 'scan', `sbom:${sbom}`]);
    expect(again.json<{ findings: unknown[]; advisoriesLoaded: boolean }>()).toMatchObject({
      findings: [],
      advisoriesLoaded: true,
    });
    expect(again.stderr).not.toContain('no advisories');
  });
});
