// `sbom:FILE` input: matches the packages of a CycloneDX or SPDX JSON SBOM against the advisory
// database without an image. The result has the same shape as an image scan; its digest is the
// SBOM file's sha256 (there is no image manifest), and it is not stored as an image scan.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InputError } from '../core/errors.js';
import type { Finding } from '../core/types.js';
import { parseSbom } from './sbom/read-sbom.js';
import type { ImageScanResult, PackageMatcher } from './scan-image.js';
import type { ScanIssue } from './types.js';

export async function scanSbom(
  file: string,
  opts: { match?: PackageMatcher | undefined } = {},
): Promise<ImageScanResult> {
  const t0 = performance.now();
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new InputError(`cannot read SBOM ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new InputError(
      `${file}: expected a CycloneDX or SPDX JSON SBOM, but it is not JSON (${(err as Error).message})`,
    );
  }
  const sbom = parseSbom(json, file);
  const errors: ScanIssue[] = [];
  if (sbom.skipped)
    errors.push({
      code: 'sbom-components-skipped',
      message: `${sbom.skipped} components have no usable purl and were not matched`,
    });
  let findings: Finding[] = [];
  if (opts.match) {
    try {
      findings = await opts.match(sbom.packages, { osEcosystem: sbom.os?.ecosystem });
    } catch (err) {
      errors.push({
        code: 'match-failed',
        message: `matching against advisories failed: ${(err as Error).message}`,
      });
    }
  }
  return {
    image: {
      reference: `sbom:${file}`,
      digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
      platform: '',
      configDigest: '',
    },
    os: sbom.os ?? null,
    status: errors.some((e) => e.code === 'match-failed') ? 'partial' : 'complete',
    errors,
    packages: sbom.packages,
    findings,
    stats: {
      layers: 0,
      cachedLayers: 0,
      bytes: bytes.length,
      seconds: Number(((performance.now() - t0) / 1000).toFixed(3)),
    },
  };
}
