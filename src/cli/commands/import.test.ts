// `runsight import` and `runsight image show`, in-process, on a PGlite data directory.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TESTDATA } from '../../importers/test-support/reports.js';
import { runCli } from '../test-support/run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'runsight-import-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const KEYCLOAK_AMD64 = 'sha256:d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e';

interface ImportJson {
  images: {
    reference: string | null;
    digest: string | null;
    matchMethod: string;
    source: string;
    imported: number;
    skipped: { id: string; reason: string }[];
  }[];
}

describe('runsight import', () => {
  const dir = join(tmp, 'data');

  it('--format json prints exactly the documented shape, one entry per image', async () => {
    const r = await runCli([
      '--data-dir',
      dir,
      '--format',
      'json',
      'import',
      'grype',
      `${TESTDATA}grype/keycloak-test.json`,
      `${TESTDATA}grype/chainguard-ruby-test.json`,
    ]);
    expect(r.code).toBe(0);
    const out = r.json<ImportJson>();
    expect(Object.keys(out)).toEqual(['images']);
    for (const img of out.images)
      expect(Object.keys(img)).toEqual([
        'reference',
        'digest',
        'matchMethod',
        'source',
        'imported',
        'skipped',
      ]);
    expect(out.images[0]).toEqual({
      reference:
        'docker.io/keycloak/keycloak:21.0.2@sha256:347a0d748d05a050dc64b92de2246d2240db6eb38afbc17c3c08d0acb0db1b50',
      digest: KEYCLOAK_AMD64,
      matchMethod: 'manifest-digest',
      source: 'grype',
      // 6 matches on 6 packages: jq -c '.matches[] | [.vulnerability.id, .artifact.name, .artifact.version]'
      imported: 6,
      skipped: [],
    });
    expect(out.images[1]).toMatchObject({
      // ruby-3.0 CVE-2023-28755, uri CVE-2023-28755 (GHSA-hv5j-3h9f-99c2 names the same CVE): 2
      imported: 2,
      skipped: [
        { id: 'GHSA-hv5j-3h9f-99c2', reason: expect.stringMatching(/^duplicate: CVE-2023-28755 in uri/) },
      ],
    });
    // Each skipped item is also a warning on stderr.
    expect(r.stderr).toContain('GHSA-hv5j-3h9f-99c2');
  });

  it('import auto detects each format; trivy-operator with --image lands on that digest', async () => {
    const digest = `sha256:${'7'.repeat(64)}`;
    const file = `${TESTDATA}trivy-operator-defectdojo/vulnerabilityreport_many.json`;
    const r = await runCli([
      '--data-dir',
      dir,
      '--format',
      'json',
      'import',
      'auto',
      file,
      '--image',
      `docker.io/library/nginx@${digest}`,
    ]);
    expect(r.code).toBe(0);
    expect(r.json<ImportJson>().images).toMatchObject([
      {
        digest,
        matchMethod: 'explicit',
        source: 'trivy-operator',
        // 41 unique [.vulnerabilityID, .resource, .installedVersion] (jq); DefectDojo's parser test says 41
        imported: 41,
      },
    ]);
  });

  it('a truncated report: exit 2, a clear error, nothing landed', async () => {
    const fresh = join(tmp, 'fresh');
    const cut = join(tmp, 'cut.json');
    writeFileSync(cut, readFileSync(`${TESTDATA}grype/keycloak-test.json`, 'utf8').slice(0, 4000));
    const r = await runCli(['--data-dir', fresh, '--format', 'json', 'import', 'grype', cut]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cut.json: the JSON ends before the document is complete/);
    expect(r.json<ImportJson>()).toEqual({ images: [] });
    const status = await runCli(['--data-dir', fresh, '--format', 'json', 'db', 'status']);
    expect(status.json<{ counts: Record<string, number> }>().counts).toMatchObject({ scans: 0, findings: 0 });
  });

  it('an image without identity is listed as unresolved and exits 2; the rest lands', async () => {
    const copy = join(tmp, 'log4j.json');
    copyFileSync(`${TESTDATA}cyclonedx-defectdojo/log4j.json`, copy);
    const r = await runCli([
      '--data-dir',
      dir,
      '--format',
      'json',
      'import',
      'auto',
      copy,
      `${TESTDATA}grype/ghsa-test.json`,
    ]);
    expect(r.code).toBe(2);
    const images = r.json<ImportJson>().images;
    expect(images[0]).toMatchObject({
      digest: null,
      matchMethod: 'unresolved',
      source: 'cyclonedx',
      imported: 0,
    });
    expect(images[0]!.skipped[0]!.reason).toMatch(/pass --image/);
    expect(images[1]).toMatchObject({ source: 'grype', matchMethod: 'manifest-digest', imported: 1 });
  });

  it('--image with a report covering several images is refused for that file', async () => {
    const r = await runCli([
      '--data-dir',
      dir,
      'import',
      'trivy',
      `${TESTDATA}trivy-defectdojo/kubernetes.json`,
      '--image',
      `sha256:${'8'.repeat(64)}`,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--image names one image but this report covers 2/);
  });

  it('an invalid --image is refused before anything lands', async () => {
    const r = await runCli([
      '--data-dir',
      dir,
      'import',
      'grype',
      `${TESTDATA}grype/ghsa-test.json`,
      '--image',
      'Not A Ref',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid image reference "Not A Ref"/);
  });

  it('one failure prints one error: a truncated file, an image without identity', async () => {
    const cut = join(tmp, 'cut-once.json');
    writeFileSync(cut, readFileSync(`${TESTDATA}grype/keycloak-test.json`, 'utf8').slice(0, 4000));
    const truncated = await runCli(['--data-dir', join(tmp, 'once'), 'import', 'grype', cut]);
    expect(truncated.code).toBe(2);
    expect(truncated.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^runsight: 1 report\(s\) not imported: .*cut-once.json: the JSON ends before/),
    ]);
    expect(truncated.stdout).not.toContain('the JSON ends before');
    const copy = join(tmp, 'log4j-once.json');
    copyFileSync(`${TESTDATA}cyclonedx-defectdojo/log4j.json`, copy);
    const unresolved = await runCli(['--data-dir', join(tmp, 'once'), 'import', 'cyclonedx', copy]);
    expect(unresolved.code).toBe(2);
    expect(unresolved.stderr.trim().split('\n')).toHaveLength(1);
    expect(unresolved.stderr).toMatch(/^runsight: 1 report\(s\) not imported: .*pass --image/);
    expect(unresolved.stdout).not.toMatch(/pass --image/);
    expect(unresolved.stdout).toMatch(/unresolved/);
  });

  it('an unknown format word is a usage error', async () => {
    const r = await runCli(['--data-dir', dir, 'import', 'snyk', 'x.json']);
    expect(r.code).toBe(2);
  });
});

describe('runsight image show', () => {
  const dir = join(tmp, 'show');
  it('lists sources side by side with the configured authoritative one and the differences', async () => {
    await runCli(['--data-dir', dir, 'import', 'grype', `${TESTDATA}grype/keycloak-test.json`]);
    const alt = await runCli([
      '--data-dir',
      dir,
      'import',
      'cyclonedx',
      `${TESTDATA}cyclonedx-defectdojo/log4j.json`,
      '--image',
      KEYCLOAK_AMD64,
    ]);
    expect(alt.code).toBe(0);
    const config = join(tmp, 'runsight.yaml');
    writeFileSync(config, 'posture:\n  authoritativeSource: cyclonedx\n');
    const r = await runCli([
      '--data-dir',
      dir,
      '--config',
      config,
      '--format',
      'json',
      'image',
      'show',
      KEYCLOAK_AMD64,
    ]);
    expect(r.code).toBe(0);
    const shown = r.json<{
      authoritativeSource: string;
      sources: { source: string; authoritative: boolean }[];
      differences: { kind: string }[];
    }>();
    expect(shown.authoritativeSource).toBe('cyclonedx');
    expect(shown.sources.map((s) => [s.source, s.authoritative])).toEqual([
      ['cyclonedx', true],
      ['grype', false],
    ]);
    expect(shown.differences).toHaveLength(6 + 8);
    expect(shown.differences.every((d) => d.kind === 'only-in-some-sources')).toBe(true);
    const table = await runCli([
      '--data-dir',
      dir,
      'image',
      'show',
      `docker.io/keycloak/keycloak@${KEYCLOAK_AMD64}`,
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/VULNERABILITY\s+PACKAGE\s+INSTALLED\s+DIFFERENCE\s+CYCLONEDX\s+GRYPE/);
    // Unconfigured, no runsight scan: the import that landed last (as posture's roll-up picks).
    expect(table.stdout).toContain('authoritative for posture: cyclonedx');
  });

  it('a tag never observed is an input error', async () => {
    const r = await runCli(['--data-dir', dir, 'image', 'show', 'nginx:never-seen']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/docker.io\/library\/nginx:never-seen was never observed/);
  });

  it('import sbom stores a matched SBOM as the image’s findings; not an SBOM is exit 2', async () => {
    const sbomDir = join(tmp, 'sbom-data');
    const demoAdvisories = join(TESTDATA, '..', 'demo', 'advisories');
    expect((await runCli(['--data-dir', sbomDir, 'db', 'update', '--source', demoAdvisories])).code).toBe(0);
    const digest = `sha256:${'5b'.repeat(32)}`;
    const file = join(tmp, 'musl.cdx.json');
    writeFileSync(
      file,
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.5',
        version: 1,
        components: [
          { type: 'operating-system', name: 'alpine', version: '3.18.4' },
          {
            type: 'library',
            name: 'musl',
            version: '1.2.4-r0',
            purl: 'pkg:apk/alpine/musl@1.2.4-r0?distro=3.18.4',
          },
          {
            type: 'library',
            name: 'zlib',
            version: '1.3.1-r0',
            purl: 'pkg:apk/alpine/zlib@1.3.1-r0?distro=3.18.4',
          },
        ],
      }),
    );
    const r = await runCli([
      '--data-dir',
      sbomDir,
      '--format',
      'json',
      'import',
      'sbom',
      file,
      '--image',
      digest,
    ]);
    expect(r.code, r.stderr).toBe(0);
    // The demo's one advisory: CVE-2025-26519 in musl before 1.2.5-r1 on Alpine 3.18 (zlib: none).
    expect(r.json()).toMatchObject({
      digest,
      source: 'runsight-sbom',
      packages: 2,
      findings: 1,
      alreadyImported: false,
    });
    const shown = await runCli(['--data-dir', sbomDir, '--format', 'json', 'image', 'show', digest]);
    expect(shown.code, shown.stderr).toBe(0);
    const sources = shown.json<{
      sources: { source: string; findings: number; counts: { HIGH: number } }[];
    }>().sources;
    expect(sources.map((x) => [x.source, x.findings, x.counts.HIGH])).toEqual([['runsight-sbom', 1, 1]]);
    const bad = join(tmp, 'not-an-sbom.json');
    writeFileSync(bad, '{"hello": "world"}');
    const refused = await runCli(['--data-dir', sbomDir, 'import', 'sbom', bad, '--image', digest]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/neither CycloneDX .* nor SPDX JSON/);
  });
});
