// Package ecosystems as OSV names them (https://ossf.github.io/osv-schema/#affectedpackage-field),
// derived from what each scanner writes: Trivy result `Type` (+ OS release), Grype artifact `type`
// (+ distro), a package URL's type (+ namespace/distro qualifier). Release suffixes follow OSV:
// `Debian:10`, `Alpine:v3.10`, `Ubuntu:18.04`, `AlmaLinux:8`, `Rocky Linux:8`.

/** OS family (as scanners write it) → OSV ecosystem with release, or undefined if not an OS. */
export function osEcosystem(family: string, release?: string | undefined): string | undefined {
  const f = family.toLowerCase();
  const r = (release ?? '').trim().split(/\s+/)[0] ?? ''; // `2 (Karoo)` → `2`
  const major = r.split('.')[0] ?? '';
  const majorMinor = r.split('.').slice(0, 2).join('.');
  const withRelease = (name: string, rel: string) => (rel ? `${name}:${rel}` : name);
  switch (f) {
    case 'debian':
      return withRelease('Debian', major);
    case 'ubuntu':
      return withRelease('Ubuntu', majorMinor);
    case 'alpine':
      return withRelease('Alpine', majorMinor ? `v${majorMinor}` : '');
    case 'almalinux':
    case 'alma':
      return withRelease('AlmaLinux', major);
    case 'rocky':
    case 'rockylinux':
      return withRelease('Rocky Linux', major);
    case 'redhat':
    case 'rhel':
      return 'Red Hat';
    case 'centos':
      return withRelease('CentOS', major);
    case 'amazon':
    case 'amzn':
      return withRelease('Amazon Linux', major);
    case 'oracle':
    case 'ol':
      return withRelease('Oracle Linux', major);
    case 'photon':
      return withRelease('Photon OS', majorMinor);
    case 'wolfi':
      return 'Wolfi';
    case 'chainguard':
      return 'Chainguard';
    case 'cbl-mariner':
    case 'mariner':
      return withRelease('Mariner', majorMinor);
    case 'azurelinux':
      return withRelease('Azure Linux', majorMinor);
    case 'opensuse':
    case 'opensuse-leap':
    case 'opensuse.leap':
      return withRelease('openSUSE', r);
    case 'sles':
    case 'suse linux enterprise server':
      return withRelease('SUSE', r);
    case 'fedora':
      return withRelease('Fedora', major);
    default:
      return undefined;
  }
}

/** Language package types (Trivy result Type, Grype artifact type, purl type) → OSV ecosystem. */
const LANGUAGE: Record<string, string> = {
  npm: 'npm',
  yarn: 'npm',
  pnpm: 'npm',
  bun: 'npm',
  'node-pkg': 'npm',
  javascript: 'npm',
  pip: 'PyPI',
  pipenv: 'PyPI',
  poetry: 'PyPI',
  uv: 'PyPI',
  'python-pkg': 'PyPI',
  python: 'PyPI',
  pypi: 'PyPI',
  bundler: 'RubyGems',
  gemspec: 'RubyGems',
  rubygems: 'RubyGems',
  gem: 'RubyGems',
  cargo: 'crates.io',
  'rust-binary': 'crates.io',
  'rust-crate': 'crates.io',
  composer: 'Packagist',
  'composer-vendor': 'Packagist',
  'php-composer': 'Packagist',
  gomod: 'Go',
  gobinary: 'Go',
  'go-module': 'Go',
  golang: 'Go',
  jar: 'Maven',
  pom: 'Maven',
  gradle: 'Maven',
  sbt: 'Maven',
  maven: 'Maven',
  'java-archive': 'Maven',
  'jenkins-plugin': 'Maven',
  nuget: 'NuGet',
  'dotnet-core': 'NuGet',
  'packages-props': 'NuGet',
  dotnet: 'NuGet',
  conan: 'ConanCenter',
  hex: 'Hex',
  mix: 'Hex',
  pub: 'Pub',
  swift: 'SwiftURL',
  cocoapods: 'CocoaPods',
  'conda-pkg': 'conda',
  'conda-environment': 'conda',
  hackage: 'Hackage',
  cran: 'CRAN',
};

/** OS package managers: their ecosystem comes from the distro, not the type. */
const OS_PACKAGE_TYPES = new Set(['apk', 'deb', 'dpkg', 'rpm', 'alpm', 'portage']);

export interface EcosystemContext {
  os?: { family: string; release?: string | undefined } | undefined;
}

/**
 * The ecosystem of a package given the scanner's type word. OS types (`debian`, `alpine`, `deb`,
 * `apk`…) use the report's OS release; undefined when the type is not one we know.
 */
export function ecosystemForType(type: string | undefined, ctx: EcosystemContext = {}): string | undefined {
  if (!type) return ctx.os ? osEcosystem(ctx.os.family, ctx.os.release) : undefined;
  const t = type.toLowerCase();
  const lang = LANGUAGE[t];
  if (lang) return lang;
  if (OS_PACKAGE_TYPES.has(t)) return ctx.os ? osEcosystem(ctx.os.family, ctx.os.release) : undefined;
  // Trivy writes the OS family as the result type for OS packages.
  const sameFamily = ctx.os && ctx.os.family.toLowerCase() === t;
  return osEcosystem(t, sameFamily ? ctx.os?.release : undefined);
}

export interface Purl {
  type: string;
  namespace?: string | undefined;
  name: string;
  version?: string | undefined;
  qualifiers: Record<string, string>;
}

/** Parses a package URL (https://github.com/package-url/purl-spec); undefined if it is not one. */
export function parsePurl(purl: string): Purl | undefined {
  const m = /^pkg:([a-zA-Z][a-zA-Z0-9.+-]*)\/([^?#]+?)(?:\?([^#]*))?(?:#.*)?$/.exec(purl);
  if (!m) return undefined;
  const type = m[1]!.toLowerCase();
  let path = m[2]!;
  let version: string | undefined;
  const at = path.lastIndexOf('@');
  if (at > 0) {
    version = decodeURIComponent(path.slice(at + 1));
    path = path.slice(0, at);
  }
  const segments = path.split('/').map(decodeURIComponent);
  const name = segments.pop()!;
  const qualifiers: Record<string, string> = {};
  for (const kv of (m[3] ?? '').split('&').filter(Boolean)) {
    const i = kv.indexOf('=');
    if (i > 0) qualifiers[kv.slice(0, i).toLowerCase()] = decodeURIComponent(kv.slice(i + 1));
  }
  return { type, namespace: segments.length ? segments.join('/') : undefined, name, version, qualifiers };
}

/** Ecosystem and package name from a purl (Maven names as `group:artifact`, npm scopes kept). */
export function packageFromPurl(
  purl: string,
): { ecosystem?: string; name: string; version?: string } | undefined {
  const p = parsePurl(purl);
  if (!p) return undefined;
  let ecosystem: string | undefined = LANGUAGE[p.type];
  let name = p.name;
  if (p.type === 'maven' && p.namespace) name = `${p.namespace}:${p.name}`;
  else if ((p.type === 'npm' || p.type === 'golang' || p.type === 'composer') && p.namespace)
    name = `${p.namespace}/${p.name}`;
  if (OS_PACKAGE_TYPES.has(p.type)) {
    const distro = p.qualifiers.distro ?? '';
    // distro qualifiers: `debian-10`, `3.10.2` (Trivy apk), `rhel-9.1`, `ubuntu-18.04`, `centos-7.9`
    const dm = /^([a-z][a-z-]*?)-(\d[\w.]*)$/.exec(distro);
    const family = dm?.[1] ?? p.namespace ?? '';
    const release = dm?.[2] ?? (/^\d/.test(distro) ? distro : undefined);
    ecosystem = family ? osEcosystem(family, release) : undefined;
  }
  return { ...(ecosystem ? { ecosystem } : {}), name, ...(p.version ? { version: p.version } : {}) };
}
