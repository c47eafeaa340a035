// Package URLs: the ONE builder, the ONE parser and the ONE purl → (OSV ecosystem, package name,
// version) mapping, shared by the scanner's SBOM (scan/purl.ts wraps formatPurl), SBOM input (scan/)
// and imported reports (importers/).
// Spec: https://github.com/package-url/purl-spec (pkg:type/namespace/name@version?qualifiers#subpath)
// — parsed as the spec says: subpath split from the right on `#`, qualifiers on `?`, the version
// from the right on the last `@` after the last `/` (so `%40`-encoded and bare npm scopes both
// work), each part percent-decoded; built with the spec's encoding (docs/standard/
// characters-and-encoding.md): every octet but A–Z a–z 0–9 `.-_~` and `:` percent-encoded, qualifiers
// sorted by key. Checked against the spec's own test-suite-data.json (testdata/versions/purl-spec/).
import { osvEcosystem } from './os-ecosystem.js';

export interface Purl {
  /** Lower-cased (`npm`, `maven`, `deb`…). */
  type: string;
  /** Decoded segments joined by `/` (`@babel`, `org.apache.logging.log4j`, `github.com/gorilla`). */
  namespace?: string | undefined;
  name: string;
  version?: string | undefined;
  /** Keys lower-cased, values decoded; empty values dropped. */
  qualifiers: Record<string, string>;
  subpath?: string | undefined;
}

export interface PurlParts {
  type: string;
  /** Segments joined by `/`; each segment is encoded on its own. */
  namespace?: string | undefined;
  name: string;
  version?: string | undefined;
  /** Empty and undefined values are left out; keys are lower-cased and sorted. */
  qualifiers?: Readonly<Record<string, string | undefined>> | undefined;
  subpath?: string | undefined;
}

/** Percent-encodes one purl component: UTF-8, every octet but A–Z a–z 0–9 `.-_~` and `:`. */
export function encodePurlComponent(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%3A/g, ':');
}

/** Builds the canonical package URL of its parts (type-specific name rules of the spec applied). */
export function formatPurl(parts: PurlParts): string {
  const type = parts.type.toLowerCase();
  const { namespace, name } = normaliseForType(type, parts.namespace, parts.name);
  const segs = (s: string | undefined, drop: (x: string) => boolean) =>
    (s ?? '')
      .split('/')
      .filter((x) => !drop(x))
      .map(encodePurlComponent)
      .join('/');
  const ns = segs(namespace, (x) => x === '');
  const q = Object.entries(parts.qualifiers ?? {})
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => [k.toLowerCase(), v] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${encodePurlComponent(v)}`)
    .join('&');
  const sub = segs(parts.subpath, (x) => x === '' || x === '.' || x === '..');
  return `pkg:${type}/${ns ? `${ns}/` : ''}${encodePurlComponent(name)}${
    parts.version ? `@${encodePurlComponent(parts.version)}` : ''
  }${q ? `?${q}` : ''}${sub ? `#${sub}` : ''}`;
}

/** PURL-TYPES rules: github/bitbucket names are case-insensitive, pypi names PEP 503-like. */
function normaliseForType(
  type: string,
  namespace: string | undefined,
  name: string,
): { namespace: string | undefined; name: string } {
  if (type === 'github' || type === 'bitbucket')
    return { namespace: namespace?.toLowerCase(), name: name.toLowerCase() };
  if (type === 'pypi') return { namespace, name: name.toLowerCase().replace(/_/g, '-') };
  return { namespace, name };
}

/** Qualifier keys: ASCII letters, digits, `.-_`, not starting with a digit, never encoded. */
const QUALIFIER_KEY = /^[A-Za-z.\-_][A-Za-z0-9.\-_]*$/;

/** Parses a package URL; undefined if it is not one (or its percent-encoding is broken). */
export function parsePurl(purl: string): Purl | undefined {
  try {
    return parse(purl);
  } catch (err) {
    if (err instanceof URIError) return undefined;
    throw err;
  }
}

function parse(purl: string): Purl | undefined {
  let rest = purl.trim();
  let subpath: string | undefined;
  const hash = rest.lastIndexOf('#');
  if (hash !== -1) {
    const segs = rest
      .slice(hash + 1)
      .split('/')
      .filter((s) => s && s !== '.' && s !== '..')
      .map(decodeURIComponent);
    subpath = segs.length ? segs.join('/') : undefined;
    rest = rest.slice(0, hash);
  }
  const qualifiers: Record<string, string> = {};
  const q = rest.lastIndexOf('?');
  if (q !== -1) {
    for (const kv of rest.slice(q + 1).split('&')) {
      const i = kv.indexOf('=');
      if (i <= 0) continue;
      const key = kv.slice(0, i);
      if (!QUALIFIER_KEY.test(key)) return undefined;
      const value = decodeURIComponent(kv.slice(i + 1));
      if (value) qualifiers[key.toLowerCase()] = value;
    }
    rest = rest.slice(0, q);
  }
  const scheme = /^pkg:\/*/i.exec(rest);
  if (!scheme) return undefined;
  rest = rest.slice(scheme[0].length);
  const slash = rest.indexOf('/');
  if (slash === -1) return undefined;
  const type = rest.slice(0, slash);
  if (!/^[a-zA-Z][a-zA-Z0-9.+-]*$/.test(type)) return undefined;
  rest = rest.slice(slash + 1);
  let version: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at !== -1 && at > rest.lastIndexOf('/')) {
    version = decodeURIComponent(rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  if (version !== undefined && (rest === '' || rest.endsWith('/'))) return undefined; // `ns/@1.0`: no name
  const segs = rest.split('/').filter(Boolean).map(decodeURIComponent);
  const last = segs.pop();
  if (!last) return undefined;
  const lower = type.toLowerCase();
  const { namespace, name } = normaliseForType(lower, segs.length ? segs.join('/') : undefined, last);
  return {
    type: lower,
    namespace,
    name,
    version: version || undefined,
    qualifiers,
    subpath,
  };
}

/** purl types of language package managers → OSV ecosystem. */
export const PURL_TYPE_ECOSYSTEMS: Readonly<Record<string, string>> = {
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
  swift: 'SwiftURL',
  cocoapods: 'CocoaPods',
  conan: 'ConanCenter',
  hackage: 'Hackage',
  cran: 'CRAN',
};

/** OS package types: their ecosystem comes from the distribution, not the type. */
export const OS_PACKAGE_TYPES: ReadonlySet<string> = new Set([
  'apk',
  'deb',
  'dpkg',
  'rpm',
  'alpm',
  'portage',
]);

/** Types whose OSV package name is `namespace/name` (Maven's is `group:artifact`). */
const SLASH_NAMED = new Set(['npm', 'golang', 'composer', 'swift']);

/** What the built-in scanner assumes when an OS purl names no distribution it knows. */
const DISTRO_DEFAULT: Record<string, string> = { deb: 'Debian', apk: 'Alpine', rpm: 'Red Hat' };

export interface PurlPackage {
  ecosystem?: string;
  name: string;
  version?: string;
}

export interface PurlMappingOptions {
  /** The document's operating system; when given it decides OS packages' ecosystem over the purl's distro. */
  os?: { family: string; release?: string | undefined } | undefined;
  /** Give deb/apk/rpm purls of unknown distribution Debian/Alpine/Red Hat instead of no ecosystem. */
  assumeDistro?: boolean | undefined;
}

/**
 * A purl's OSV ecosystem (OS packages: from the distro qualifier `debian-10.1`, `3.10.2`,
 * `rhel-9.1`, `opensuse-leap-15.5`, or the namespace), package name (Maven `group:artifact`, npm
 * scopes, Go module paths kept) and version (rpm and deb `epoch` qualifier folded in as `epoch:version`).
 */
export function packageFromPurl(purl: string, opts: PurlMappingOptions = {}): PurlPackage | undefined {
  const p = parsePurl(purl);
  if (!p) return undefined;
  let ecosystem = PURL_TYPE_ECOSYSTEMS[p.type];
  let name = p.name;
  let version = p.version;
  if (p.type === 'maven' && p.namespace) name = `${p.namespace}:${p.name}`;
  else if (SLASH_NAMED.has(p.type) && p.namespace) name = `${p.namespace}/${p.name}`;
  if (OS_PACKAGE_TYPES.has(p.type)) {
    const distro = p.qualifiers.distro ?? '';
    const dm = /^([a-z][a-z-]*?)-(\d[\w.]*)$/.exec(distro);
    const family = opts.os?.family ?? dm?.[1] ?? p.namespace ?? '';
    const release = opts.os?.release ?? dm?.[2] ?? (/^\d/.test(distro) ? distro : undefined);
    ecosystem =
      (family ? osvEcosystem(family, release) : undefined) ??
      (opts.assumeDistro ? DISTRO_DEFAULT[p.type] : undefined);
    // Trivy writes the epoch of rpm and Debian packages as a qualifier; it is part of the version.
    const epoch = p.qualifiers.epoch;
    if ((p.type === 'rpm' || p.type === 'deb') && version && epoch && epoch !== '0' && !version.includes(':'))
      version = `${epoch}:${version}`;
  }
  return { ...(ecosystem ? { ecosystem } : {}), name, ...(version ? { version } : {}) };
}
