// `sbom:FILE` input: matches the packages of a CycloneDX or SPDX JSON SBOM against the advisory
// database without an image. The result has the same shape as an image scan; its digest is the
// SBOM file's sha256 (there is no image manifest), and it is not stored as an image scan. Components
// that cannot be matched are named in the `sbom-components-skipped` error with their reasons (the
// names cleaned as untrusted text, core/untrusted-text.ts: they come from the file).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InputError } from '../core/errors.js';
import type { Finding } from '../core/types.js';
import { cleanText } from '../core/untrusted-text.js';
import { parseSbom, type SkippedComponent } from './sbom/read-sbom.js';
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
  if (sbom.skipped.length)
    errors.push({ code: 'sbom-components-skipped', message: skippedMessage(sbom.skipped) });
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

/** How many skipped components the message names; the rest are counted. */
export const SKIPPED_NAMED = 10;

/** `3 components were not matched: a@1 (no purl), pkg:x/y@1 (unknown purl type x), … and 1 more`. */
export function skippedMessage(skipped: readonly SkippedComponent[]): string {
  const named = skipped
    .slice(0, SKIPPED_NAMED)
    .map(
      (s) =>
        `${cleanText(s.component).value} (${s.reason}${s.detail ? ` ${cleanText(s.detail).value}` : ''})`,
    );
  const more = skipped.length - named.length;
  const n = skipped.length;
  return `${n} component${n === 1 ? ' was' : 's were'} not matched: ${named.join(', ')}${more ? ` … and ${more} more` : ''}`;
}
