// Semantic Versioning 2.0.0 (https://semver.org/#spec-item-11) with the options each ecosystem
// needs: OSV's SEMVER range type (lenient: optional "v", unbounded numbers), Go modules (optional
// "v", `+incompatible` and pseudo-versions are ordinary build/pre-release parts), crates.io and Hex
// (strict), Pub (build metadata is ordered too).
import { compareDigits, compareStrings, defineScheme, type Ordering, type VersionScheme } from '../scheme.js';

export interface SemverParts {
  core: [string, string, string];
  pre: string[];
  build: string[];
}

export interface SemverOptions {
  /** Accept a leading `v`/`V`. */
  allowV: boolean;
  /** Accept `1` and `1.2` as `1.0.0` and `1.2.0`. */
  allowShort: boolean;
  /** Reject numeric identifiers with leading zeros (SemVer rule 2 and 9). */
  strictZeros: boolean;
  /** Treat a fourth and further `.N` component as build metadata (OSV's lenient SemVer). */
  extraAsBuild: boolean;
}

const IDENT = /^[0-9A-Za-z-]+$/;
const NUM = /^\d+$/;

export function parseSemver(v: string, o: SemverOptions): SemverParts | string {
  let s = v;
  if (o.allowV && (s[0] === 'v' || s[0] === 'V')) s = s.slice(1);
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?((?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(
    s,
  );
  if (!m) return 'not MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]';
  const [, major, minor, patch, extra, pre, build] = m;
  if ((minor === undefined || patch === undefined) && !o.allowShort) return 'needs MAJOR.MINOR.PATCH';
  if (extra && !o.extraAsBuild) return 'has more than three numeric components';
  const core: [string, string, string] = [major!, minor ?? '0', patch ?? '0'];
  if (o.strictZeros && core.some((c) => c.length > 1 && c[0] === '0'))
    return 'a numeric component has a leading zero';
  const preIds = pre === undefined ? [] : pre.split('.');
  const buildIds = [
    ...(extra ? extra.slice(1).split('.') : []),
    ...(build === undefined ? [] : build.split('.')),
  ];
  for (const id of [...preIds, ...buildIds])
    if (!IDENT.test(id)) return `empty or invalid identifier in "${v}"`;
  if (o.strictZeros && preIds.some((id) => NUM.test(id) && id.length > 1 && id[0] === '0')) {
    return 'a numeric pre-release identifier has a leading zero';
  }
  return { core, pre: preIds, build: buildIds };
}

/** SemVer precedence of two dot-separated identifier lists (rule 11.4). */
export function compareIdentifiers(a: string[], b: string[]): Ordering {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    const xn = NUM.test(x);
    const yn = NUM.test(y);
    const c = xn && yn ? compareDigits(x, y) : xn ? -1 : yn ? 1 : compareStrings(x, y);
    if (c) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function compareSemverParts(a: SemverParts, b: SemverParts): Ordering {
  for (let i = 0; i < 3; i++) {
    const c = compareDigits(a.core[i]!, b.core[i]!);
    if (c) return c;
  }
  if (!a.pre.length || !b.pre.length) return a.pre.length === b.pre.length ? 0 : a.pre.length ? -1 : 1;
  return compareIdentifiers(a.pre, b.pre);
}

export function semverScheme(id: string, o: SemverOptions): VersionScheme {
  return defineScheme<SemverParts>(id, (v) => parseSemver(v, o), compareSemverParts);
}

/** OSV's SEMVER range type: lenient, as osv-scanner/osv-scalibr read it. */
export const semver = semverScheme('semver', {
  allowV: true,
  allowShort: true,
  strictZeros: false,
  extraAsBuild: true,
});

/** crates.io: the Rust `semver` crate — strict SemVer 2.0.0. */
export const cargo = semverScheme('cargo', {
  allowV: false,
  allowShort: false,
  strictZeros: true,
  extraAsBuild: false,
});

/** Hex: Elixir's `Version` — strict SemVer 2.0.0. */
export const hex = semverScheme('hex', {
  allowV: false,
  allowShort: false,
  strictZeros: true,
  extraAsBuild: false,
});
