// Dart Pub versions (package pub_semver): SemVer, except that build metadata is ordered as well —
// a version with a build is greater than the same version without one, and builds compare by
// identifiers like pre-releases. Spec: https://github.com/dart-lang/pub_semver (Version.compareTo).
import { compareDigits, defineScheme, type Ordering } from '../scheme.js';
import { compareIdentifiers, parseSemver, type SemverParts } from '../semver/semver.js';

function compare(a: SemverParts, b: SemverParts): Ordering {
  for (let i = 0; i < 3; i++) {
    const c = compareDigits(a.core[i]!, b.core[i]!);
    if (c) return c;
  }
  if (a.pre.length !== 0 || b.pre.length !== 0) {
    if (!a.pre.length) return 1;
    if (!b.pre.length) return -1;
    const c = compareIdentifiers(a.pre, b.pre);
    if (c) return c;
  }
  if (!a.build.length && !b.build.length) return 0;
  if (!a.build.length) return -1;
  if (!b.build.length) return 1;
  return compareIdentifiers(a.build, b.build);
}

export const pub = defineScheme<SemverParts>(
  'pub',
  (v) => parseSemver(v, { allowV: true, allowShort: true, strictZeros: false, extraAsBuild: true }),
  compare,
);
