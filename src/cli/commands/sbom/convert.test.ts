// `runsight sbom convert`: real SBOMs (Trivy's CycloneDX and SPDX of centos:7, Trivy's CycloneDX of
// a fluentd image's lockfiles; testdata/SOURCES.md) rewritten in each format. The CycloneDX it writes
// is valid against the official 1.6 schema, the SPDX against SPDX 2.3's schema rules; every
// conversion reads back to the input's packages; no store is opened; bad input exits 2 and leaves
// --output as it was.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSbomFile } from '../../../scan/sbom/read-sbom.js';
import { cycloneDxSchemaErrors } from '../../../scan/test-support/cyclonedx-schema.js';
import { spdxRuleErrors } from '../../../scan/test-support/spdx-rules.js';
import { runCli } from '../../test-support/run-cli.js';

const SBOMS = new URL('../../../../testdata/scan/pkgdb/sbom/', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'runsight-sbom-convert-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// Set for every run: a store opened anywhere would appear here.
const env = { RUNSIGHT_DATA_DIR: join(tmp, 'store-never-opened') };
const convert = (...args: string[]) => runCli(['sbom', 'convert', ...args], env);

/** The packages an SBOM file holds, as `scan sbom:FILE` reads them. */
async function packagesOf(file: string) {
  const s = await readSbomFile(file);
  return {
    os: s.os,
    packages: s.packages.map((p) => [p.ecosystem, p.name, p.version, p.purl]),
  };
}

describe('runsight sbom convert', () => {
  it.each([
    'trivy-centos-7-cyclonedx.json',
    'trivy-centos-7-spdx.json',
    'trivy-fluentd-multiple-lockfiles-cyclonedx.json',
  ])('%s → SPDX → CycloneDX keeps every package; both outputs are schema-valid', async (name) => {
    const input = join(SBOMS, name);
    const spdx = join(tmp, `${name}.spdx.json`);
    const toSpdx = await convert(input, '--to', 'spdx', '--output', spdx);
    expect(toSpdx).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(spdxRuleErrors(JSON.parse(readFileSync(spdx, 'utf8')))).toBeNull();

    const toCdx = await convert(spdx, '--to', 'cyclonedx'); // to stdout
    expect(toCdx.code).toBe(0);
    const cdx = toCdx.json<{ bomFormat: string; specVersion: string }>();
    expect(cdx).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    expect(await cycloneDxSchemaErrors(cdx)).toBeNull();
    const back = join(tmp, `${name}.cdx.json`);
    writeFileSync(back, toCdx.stdout);

    const original = await packagesOf(input);
    expect(original.packages.length).toBeGreaterThan(1);
    expect(await packagesOf(spdx)).toEqual(original);
    expect(await packagesOf(back)).toEqual(original);
    expect(existsSync(env.RUNSIGHT_DATA_DIR)).toBe(false);
  });

  it('names the components it leaves out on stderr', async () => {
    const input = join(tmp, 'no-purl.cdx.json');
    writeFileSync(
      input,
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.5',
        components: [
          { type: 'library', name: 'left-pad', version: '1.3.0', purl: 'pkg:npm/left-pad@1.3.0' },
          { type: 'library', name: 'vendored\u001b[31m', version: '2' },
        ],
      }),
    );
    const r = await convert(input, '--to', 'spdx');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/1 component was not matched: vendored.*@2 \(no purl\)/);
    expect(r.stderr).not.toContain('\u001b'); // the name comes from the file: no raw escape
    expect(JSON.stringify(r.json())).toContain('pkg:npm/left-pad@1.3.0');
  });

  it('refuses what is not an SBOM with exit 2, and leaves --output as it was', async () => {
    const out = join(tmp, 'kept.json');
    writeFileSync(out, 'previous\n');
    const notJson = join(tmp, 'not.json');
    writeFileSync(notJson, '{"bomFormat": "CycloneDX", ');
    const notSbom = join(tmp, 'other.json');
    writeFileSync(notSbom, '{"hello": "world"}');
    for (const [file, message] of [
      [notJson, /not JSON/],
      [notSbom, /neither CycloneDX .* nor SPDX JSON/],
      [join(tmp, 'missing.json'), /cannot read SBOM/],
    ] as const) {
      const r = await convert(file, '--to', 'cyclonedx', '--output', out);
      expect(r.code, file).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(readFileSync(out, 'utf8')).toBe('previous\n');
    expect((await convert(notSbom)).code).toBe(2); // --to is required
    expect((await convert(notSbom, '--to', 'xml')).code).toBe(2);
    expect(existsSync(env.RUNSIGHT_DATA_DIR)).toBe(false);
  });
});
