// CRAN (R package) versions: non-negative integers separated by "." or "-", compared component
// by component; a version with more components is greater (R's package_version ordering).
import { compareDigits, defineScheme, type Ordering } from '../scheme.js';

function compare(a: string[], b: string[]): Ordering {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareDigits(a[i]!, b[i]!);
    if (c) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export const cran = defineScheme<string[]>(
  'cran',
  (v) => (/^\d+(?:[.-]\d+)*$/.test(v) ? v.split(/[.-]/) : 'not integers separated by "." or "-"'),
  compare,
);

/** Hackage (Haskell) versions: Data.Version's lexicographic order of dot-separated integers. */
export const hackage = defineScheme<string[]>(
  'hackage',
  (v) => (/^\d+(?:\.\d+)*$/.test(v) ? v.split('.') : 'not integers separated by "."'),
  compare,
);
