// An SBOM rewritten in the other format (`runsight sbom convert`), and the one place a scan result
// becomes an SBOM document (`scan --sbom` writes its scans through it too). Conversion needs no store
// and no advisories: the packages are what `scan sbom:FILE` reads from the file (read-sbom.ts: the
// OS, each component's purl, and from Runsight's own SBOMs the evidence, layers and dependencies),
// written as CycloneDX 1.6 (cyclonedx.ts) or SPDX 2.3 (spdx.ts). The input's vulnerabilities are
// not carried over — matching is `scan sbom:FILE`'s job — and components without a usable purl are
// left out and named in `errors`, as the scan names them.
import type { ImageScanResult } from '../scan-image.js';
import { scanSbom } from '../scan-sbom.js';
import type { ScanIssue } from '../types.js';
import { toCycloneDx } from './cyclonedx.js';
import { toSpdx } from './spdx.js';

export const SBOM_FORMATS = ['cyclonedx', 'spdx'] as const;
export type SbomFormat = (typeof SBOM_FORMATS)[number];

/** A scan result as an SBOM document of `format` (a JSON value). */
export function sbomDocument(r: ImageScanResult, format: SbomFormat, toolVersion: string): unknown {
  return format === 'cyclonedx' ? toCycloneDx(r, toolVersion) : toSpdx(r, toolVersion);
}

export interface ConvertedSbom {
  document: unknown;
  /** Packages written. */
  packages: number;
  /** Components of the input left out, with their reasons (`sbom-components-skipped`). */
  errors: ScanIssue[];
}

/** Reads the CycloneDX or SPDX JSON SBOM at `file` and writes it as `to`; bad input is an InputError. */
export async function convertSbom(file: string, to: SbomFormat, toolVersion: string): Promise<ConvertedSbom> {
  const r = await scanSbom(file);
  return { document: sbomDocument(r, to, toolVersion), packages: r.packages.length, errors: r.errors };
}
