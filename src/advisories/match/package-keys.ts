// How a package is looked up in the match index: which ecosystem strings and which name.
// Distro packages (Debian, Ubuntu, Alpine and its relatives) are keyed by their source/origin
// package and compared at the source version; the release must match (Debian:11 ≠ Debian:12).
import type { Package } from '../../core/types.js';
import { baseEcosystem, ecosystemRelease } from '../../versioning/index.js';
import { normalizePackageName } from '../osv/normalize.js';

const SOURCE_KEYED = new Set(['Debian', 'Ubuntu', 'Alpine', 'Wolfi', 'Chainguard']);

export function isSourceKeyed(ecosystem: string): boolean {
  return SOURCE_KEYED.has(baseEcosystem(ecosystem));
}

/** The package's ecosystem with its release, taking the OS's when the package has none. */
export function effectiveEcosystem(pkg: Package, osEcosystem?: string): string {
  if (
    ecosystemRelease(pkg.ecosystem) === undefined &&
    osEcosystem &&
    baseEcosystem(osEcosystem) === pkg.ecosystem
  ) {
    return osEcosystem;
  }
  return pkg.ecosystem;
}

/** Advisory ecosystems that apply to a package ecosystem: OSV spells some releases differently. */
export function advisoryEcosystems(ecosystem: string): string[] {
  const base = baseEcosystem(ecosystem);
  const release = ecosystemRelease(ecosystem);
  if (release === undefined) return [ecosystem];
  if (base === 'Alpine') {
    // Alpine:3.18.4 and Alpine:v3.18 → Alpine:v3.18 (OSV names the major.minor branch).
    const m = /^v?(\d+\.\d+)/.exec(release);
    return m ? [`Alpine:v${m[1]}`] : [ecosystem];
  }
  if (base === 'Debian') {
    const m = /^(\d+)/.exec(release);
    return m ? [`Debian:${m[1]}`] : [ecosystem];
  }
  if (base === 'Ubuntu') {
    const r = release.replace(/:LTS$/, '');
    return [`Ubuntu:${r}`, `Ubuntu:${r}:LTS`];
  }
  if (['AlmaLinux', 'Rocky Linux'].includes(base)) {
    const m = /^(\d+)/.exec(release);
    return m ? [`${base}:${m[1]}`] : [ecosystem];
  }
  return [ecosystem];
}

/** Package ecosystems that an advisory ecosystem may have been stored under (the reverse map). */
export function packageEcosystems(advisoryEcosystem: string): string[] {
  const base = baseEcosystem(advisoryEcosystem);
  const release = ecosystemRelease(advisoryEcosystem);
  const out = new Set([advisoryEcosystem, base]);
  if (release !== undefined) {
    if (base === 'Alpine') out.add(`Alpine:${release.replace(/^v/, '')}`);
    if (base === 'Ubuntu') out.add(`Ubuntu:${release.replace(/:LTS$/, '')}`);
  }
  return [...out];
}

export interface LookupKey {
  ecosystems: string[];
  name: string;
  /** The version compared against the advisory (the source version for source-keyed distros). */
  version: string;
}

/** advisoryEcosystems per ecosystem string, computed once (a re-match asks for millions of packages). */
const ADVISORY_ECOSYSTEMS = new Map<
  string,
  { list: string[]; joined: string; sourceKeyed: boolean; pypi: boolean }
>();

function ecosystemsOf(eco: string) {
  let e = ADVISORY_ECOSYSTEMS.get(eco);
  if (!e) {
    const list = advisoryEcosystems(eco);
    e = {
      list,
      joined: list.join('\u0001'),
      sourceKeyed: isSourceKeyed(eco),
      pypi: baseEcosystem(eco) === 'PyPI',
    };
    if (ADVISORY_ECOSYSTEMS.size < 10_000) ADVISORY_ECOSYSTEMS.set(eco, e);
  }
  return e;
}

/** A package's lookup key, with the id of its advisory ecosystems (the id and the name pick its advisory rows). */
export interface KeyOfPackage {
  key: LookupKey;
  /** The same text for the same advisory ecosystems (one shared string per ecosystem). */
  ecosystemsId: string;
}

/** A package's lookup key, reusing the per-ecosystem work (a re-match asks for millions of packages). */
export function lookupKeyOf(pkg: Package, osEcosystem?: string): KeyOfPackage {
  const eco = ecosystemsOf(effectiveEcosystem(pkg, osEcosystem));
  const key: LookupKey = eco.sourceKeyed
    ? {
        ecosystems: eco.list,
        name: pkg.sourceName || pkg.name,
        version: pkg.sourceName && pkg.sourceVersion ? pkg.sourceVersion : pkg.version,
      }
    : {
        ecosystems: eco.list,
        name: eco.pypi ? normalizePackageName('PyPI', pkg.name) : pkg.name,
        version: pkg.version,
      };
  return { key, ecosystemsId: eco.joined };
}

/** Which name of a package its lookup key carries (lookupKeyOf): as stored, the source package, PEP 503. */
export type KeyName = 'name' | 'source' | 'pep503';

/**
 * The rules the store's candidate join applies (loadCandidatePackages), derived from the same
 * functions lookupKeyOf uses, so SQL and matcher agree on every package's key: per effective
 * ecosystem the advisory ecosystems it is looked up under and which name; per (package ecosystem,
 * OS ecosystem) pair whose effective ecosystem is the OS's (a package stored without its release).
 */
export interface CandidateRules {
  lookups: { effective: string; advisoryEcosystem: string; name: KeyName }[];
  overrides: { packageEcosystem: string; osEcosystem: string; effective: string }[];
}

export function candidateRules(packageEcosystems: string[], osEcosystems: string[]): CandidateRules {
  const overrides: CandidateRules['overrides'] = [];
  const effectives = new Set(packageEcosystems);
  for (const packageEcosystem of packageEcosystems) {
    for (const osEcosystem of osEcosystems) {
      const effective = effectiveEcosystem(
        { ecosystem: packageEcosystem, name: '', version: '' },
        osEcosystem,
      );
      if (effective === packageEcosystem) continue;
      overrides.push({ packageEcosystem, osEcosystem, effective });
      effectives.add(effective);
    }
  }
  const lookups: CandidateRules['lookups'] = [];
  for (const effective of effectives) {
    // normalizePackageName: PEP 503 for PyPI, the name as published elsewhere.
    const name: KeyName = isSourceKeyed(effective)
      ? 'source'
      : baseEcosystem(effective) === 'PyPI'
        ? 'pep503'
        : 'name';
    for (const advisoryEcosystem of advisoryEcosystems(effective))
      lookups.push({ effective, advisoryEcosystem, name });
  }
  return { lookups, overrides };
}
