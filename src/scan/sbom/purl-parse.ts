// Parses package URLs back into packages (for SBOM input). Spec:
// https://github.com/package-url/purl-spec (pkg:type/namespace/name@version?qualifiers#subpath).
import type { Package } from '../../core/types.js';
import { osvEcosystem } from '../extractors/os/release/detect.js';

export interface ParsedPurl {
  type: string;
  namespace?: string | undefined;
  name: string;
  version?: string | undefined;
  qualifiers: Record<string, string>;
}

export function parsePurl(purl: string): ParsedPurl | undefined {
  const m = /^pkg:([a-zA-Z][a-zA-Z0-9.+-]*)\/([^?#]+?)(?:@([^?#]*))?(?:\?([^#]*))?(?:#.*)?$/.exec(purl);
  if (!m) return undefined;
  const segs = m[2]!.split('/').filter(Boolean).map(decodeURIComponent);
  const qualifiers: Record<string, string> = {};
  for (const kv of (m[4] ?? '').split('&').filter(Boolean)) {
    const i = kv.indexOf('=');
    if (i > 0) qualifiers[kv.slice(0, i).toLowerCase()] = decodeURIComponent(kv.slice(i + 1));
  }
  return {
    type: m[1]!.toLowerCase(),
    namespace: segs.length > 1 ? segs.slice(0, -1).join('/') : undefined,
    name: segs.at(-1)!,
    version: m[3] === undefined ? undefined : decodeURIComponent(m[3]),
    qualifiers,
  };
}

const LANG: Record<string, string> = {
  npm: 'npm',
  pypi: 'PyPI',
  maven: 'Maven',
  golang: 'Go',
  gem: 'RubyGems',
  cargo: 'crates.io',
  nuget: 'NuGet',
  composer: 'Packagist',
  hex: 'Hex',
  pub: 'Pub',
};

/** The OSV ecosystem of a purl, given the SBOM's operating system when it names one. */
export function purlToPackage(
  purl: string,
  os: { family: string; release?: string | undefined } | undefined,
): Package | undefined {
  const p = parsePurl(purl);
  if (!p?.version) return undefined;
  let ecosystem = LANG[p.type];
  let name = p.name;
  let version = p.version;
  if (p.type === 'npm' && p.namespace) name = `${p.namespace}/${p.name}`;
  if (p.type === 'maven') name = `${p.namespace ?? ''}:${p.name}`;
  if (p.type === 'golang' && p.namespace) name = `${p.namespace}/${p.name}`;
  if (p.type === 'composer' && p.namespace) name = `${p.namespace}/${p.name}`;
  if (p.type === 'deb' || p.type === 'apk' || p.type === 'rpm') {
    const distro = p.qualifiers.distro;
    const family = os?.family ?? distro?.split('-')[0] ?? p.namespace ?? '';
    const release = os?.release ?? (p.type === 'apk' ? distro : distro?.split('-').slice(1).join('-'));
    ecosystem =
      osvEcosystem(family, release) ?? ({ deb: 'Debian', apk: 'Alpine', rpm: 'Red Hat' } as const)[p.type];
    if (p.type === 'rpm' && p.qualifiers.epoch && p.qualifiers.epoch !== '0')
      version = `${p.qualifiers.epoch}:${version}`;
  }
  if (!ecosystem) return undefined;
  return { ecosystem, name, version, purl };
}
