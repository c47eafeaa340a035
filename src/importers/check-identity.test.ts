// `import --image REF` with a report whose own identity names another image: refused (exit 2,
// both named, nothing landed) unless --force. Names never have to match, digests and image IDs do.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/test-support/run-cli.js';
import { TESTDATA } from './test-support/reports.js';

const tmp = mkdtempSync(join(tmpdir(), 'runsight-check-identity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const ALPINE = `sha256:${'a'.repeat(64)}`;
// jq -r .Metadata.ImageID of trivy/alpine-310.json.golden and trivy/debian-buster.json.golden
const ALPINE_310_ID = 'sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4';
const DEBIAN_BUSTER_ID = 'sha256:c2c03a296d2329a4f3ab72a7bf38b78a8a80108204d326b0139d6af700e152d1';
// jq -r '.source.target | .manifestDigest, .repoDigests[0]' grype/keycloak-test.json
const KEYCLOAK_AMD64 = 'sha256:d1630d3eb8285a978301bcefc5b223e564ae300750af2fc9ea3f413c5376a47e';
const KEYCLOAK_INDEX = 'sha256:347a0d748d05a050dc64b92de2246d2240db6eb38afbc17c3c08d0acb0db1b50';

interface ImportJson {
  images: { digest: string | null; matchMethod: string; imported: number }[];
}

async function counts(dir: string) {
  const s = await runCli(['--data-dir', dir, '--format', 'json', 'db', 'status']);
  return s.json<{ counts: { scans: number; findings: number } }>().counts;
}

// Each test runs several CLI processes on a new PGlite data dir: minutes on a loaded machine.
describe('import --image checks the report describes that image', { timeout: 180_000 }, () => {
  it('a Debian report on an image known as Alpine: exit 2 naming both; --force lands it', async () => {
    const dir = join(tmp, 'os');
    const first = await runCli([
      '--data-dir',
      dir,
      'import',
      'trivy',
      `${TESTDATA}trivy/alpine-310.json.golden`,
      '--image',
      ALPINE,
    ]);
    expect(first.code).toBe(0);
    const args = [
      '--data-dir',
      dir,
      '--format',
      'json',
      'import',
      'trivy',
      `${TESTDATA}trivy/debian-buster.json.golden`,
      '--image',
      ALPINE,
    ];
    const refused = await runCli(args);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`--image ${ALPINE} does not match the report`);
    expect(refused.stderr).toContain(`the report's image ID is ${DEBIAN_BUSTER_ID}`);
    expect(refused.stderr).toContain(`known with image ID ${ALPINE_310_ID}`);
    expect(refused.stderr).toMatch(/the report found debian 10\.1; .* was scanned as alpine/);
    expect(refused.stderr).toMatch(/--force/);
    expect(refused.json<ImportJson>().images).toMatchObject([
      { digest: null, matchMethod: 'refused', imported: 0 },
    ]);
    // alpine-310: 4 findings (hand count, trivy/parse.test.ts); nothing of debian-buster landed.
    expect(await counts(dir)).toMatchObject({ scans: 1, findings: 4 });

    const forced = await runCli([...args, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.json<ImportJson>().images).toMatchObject([
      { digest: ALPINE, matchMethod: 'explicit', imported: 2 },
    ]);
    expect(await counts(dir)).toMatchObject({ scans: 2, findings: 6 });
  });

  it('a Grype report on a digest that is neither its manifest nor its repo digest: exit 2 naming both', async () => {
    const dir = join(tmp, 'digest');
    const other = `sha256:${'b'.repeat(64)}`;
    const r = await runCli([
      '--data-dir',
      dir,
      'import',
      'grype',
      `${TESTDATA}grype/keycloak-test.json`,
      '--image',
      `docker.io/keycloak/keycloak@${other}`,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`the report names ${KEYCLOAK_AMD64}, ${KEYCLOAK_INDEX}, not ${other}`);
    expect(await counts(dir)).toMatchObject({ scans: 0, findings: 0 });
  });

  it('the report’s own digests under any name (a mirror) are accepted', async () => {
    const dir = join(tmp, 'mirror');
    for (const image of [
      `mirror.example.com/cache/keycloak@${KEYCLOAK_AMD64}`,
      `registry.internal:5000/keycloak:21.0.2@${KEYCLOAK_INDEX}`,
    ]) {
      const r = await runCli([
        '--data-dir',
        dir,
        '--format',
        'json',
        'import',
        'grype',
        `${TESTDATA}grype/keycloak-test.json`,
        '--image',
        image,
      ]);
      expect(r.code).toBe(0);
      expect(r.json<ImportJson>().images[0]).toMatchObject({ matchMethod: 'explicit' });
    }
  });

  it('a report naming no image (osv-scanner) is taken as --image says', async () => {
    const dir = join(tmp, 'osv');
    const r = await runCli([
      '--data-dir',
      dir,
      'import',
      'osv-scanner',
      `${TESTDATA}osv-scanner-defectdojo/some_findings.json`,
      '--image',
      ALPINE,
    ]);
    expect(r.code).toBe(0);
  });
});
