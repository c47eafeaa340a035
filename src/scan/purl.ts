// Package URLs for the packages the scanner reports. Spec: https://github.com/package-url/purl-spec
// (PURL-SPECIFICATION.rst and PURL-TYPES.rst: deb, apk, rpm, npm, pypi, maven, golang, gem, cargo).

function enc(s: string): string {
  return encodeURIComponent(s).replace(/%3A/gi, ':');
}

export function purl(
  type: string,
  namespace: string | undefined,
  name: string,
  version: string | undefined,
  qualifiers: Record<string, string | undefined> = {},
): string {
  const ns = namespace ? `${namespace.split('/').map(enc).join('/')}/` : '';
  const q = Object.entries(qualifiers)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${enc(v)}`)
    .join('&');
  return `pkg:${type}/${ns}${enc(name)}${version ? `@${enc(version)}` : ''}${q ? `?${q}` : ''}`;
}

/** PEP 503 normalised project name, as the pypi purl type requires. */
export function pypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
