import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/run-cli.js';

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
});
