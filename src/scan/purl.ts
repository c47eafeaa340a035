// Package URLs for the packages the scanner reports: a positional wrapper over the ONE builder,
// versioning/purl.ts `formatPurl` (spec encoding, qualifier order), used by packages.ts.
// Spec: https://github.com/package-url/purl-spec (PURL-TYPES: deb, apk, rpm, npm, pypi, maven, golang…).
import { formatPurl } from '../versioning/index.js';

export function purl(
  type: string,
  namespace: string | undefined,
  name: string,
  version: string | undefined,
  qualifiers: Record<string, string | undefined> = {},
): string {
  return formatPurl({ type, namespace, name, version, qualifiers });
}

/** PEP 503 normalised project name, as the pypi purl type requires. */
export function pypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
