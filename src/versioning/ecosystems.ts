// OSV ecosystem name → version scheme. The release after the first ":" ("Debian:12",
// "Alpine:v3.18", "AlmaLinux:8") does not change how versions compare, only which advisories
// apply. Names follow https://ossf.github.io/osv-schema/#affectedpackage-field (plus the distro
// families OSV does not publish itself, e.g. Amazon Linux and Oracle Linux).
import { apk } from './apk/apk.js';
import { cran, hackage } from './cran/cran.js';
import { dpkg } from './dpkg/dpkg.js';
import { go } from './go/go.js';
import { maven } from './maven/maven.js';
import { npm } from './npm/npm.js';
import { nuget } from './nuget/nuget.js';
import { packagist } from './packagist/packagist.js';
import { pep440 } from './pep440/pep440.js';
import { pub } from './pub/pub.js';
import { rpm } from './rpm/rpm.js';
import { rubygems } from './rubygems/rubygems.js';
import { type Ordering, UnknownEcosystemError, type VersionScheme } from './scheme.js';
import { cargo, hex, semver } from './semver/semver.js';

/** Every scheme, by id (what the vector files name). */
export const SCHEMES: Record<string, VersionScheme> = {
  dpkg,
  apk,
  rpm,
  npm,
  pep440,
  maven,
  go,
  rubygems,
  nuget,
  packagist,
  cargo,
  hex,
  pub,
  semver,
  cran,
  hackage,
};

const BY_ECOSYSTEM: Record<string, VersionScheme> = {
  Debian: dpkg,
  Ubuntu: dpkg,
  Alpine: apk,
  Wolfi: apk,
  Chainguard: apk,
  'Red Hat': rpm,
  AlmaLinux: rpm,
  'Rocky Linux': rpm,
  openSUSE: rpm,
  SUSE: rpm,
  'CBL-Mariner': rpm,
  Mariner: rpm,
  'Azure Linux': rpm,
  'Amazon Linux': rpm,
  'Oracle Linux': rpm,
  Mageia: rpm,
  openEuler: rpm,
  'Photon OS': rpm,
  CentOS: rpm,
  Fedora: rpm,
  npm,
  PyPI: pep440,
  Maven: maven,
  Go: go,
  RubyGems: rubygems,
  NuGet: nuget,
  Packagist: packagist,
  'crates.io': cargo,
  Hex: hex,
  Pub: pub,
  CRAN: cran,
  Hackage: hackage,
  Bitnami: semver,
};

const LOWER = new Map(Object.entries(BY_ECOSYSTEM).map(([k, v]) => [k.toLowerCase(), v]));

/** `Debian:12` → `Debian`; `Alpine:v3.18` → `Alpine`. */
export function baseEcosystem(ecosystem: string): string {
  const i = ecosystem.indexOf(':');
  return (i === -1 ? ecosystem : ecosystem.slice(0, i)).trim();
}

/** `Debian:12` → `12`; `npm` → undefined. */
export function ecosystemRelease(ecosystem: string): string | undefined {
  const i = ecosystem.indexOf(':');
  return i === -1 ? undefined : ecosystem.slice(i + 1);
}

export function schemeFor(ecosystem: string): VersionScheme {
  const s = LOWER.get(baseEcosystem(ecosystem).toLowerCase());
  if (!s)
    throw new UnknownEcosystemError(ecosystem, ['Debian:12', 'Alpine:v3.18', 'npm', 'PyPI', 'Maven', 'Go']);
  return s;
}

export function isKnownEcosystem(ecosystem: string): boolean {
  return LOWER.has(baseEcosystem(ecosystem).toLowerCase());
}

/** Compares two versions of one ecosystem: -1, 0 or 1. Throws on an unknown ecosystem or invalid version. */
export function compareVersions(ecosystem: string, a: string, b: string): Ordering {
  return schemeFor(ecosystem).compare(a, b);
}
