// Packagist (Composer) versions, ordered like PHP's version_compare() (ext/standard/versioning.c),
// which Composer's constraint checks use: the version is canonicalised ("-", "_", "+" become ".",
// a "." is put between digits and letters), then compared part by part; special forms order
// dev < alpha = a < beta = b < RC = rc < # (any number) < pl = p, unknown words first. A leading
// "v" is dropped (Composer normalises it away); numbers are unbounded.
import { compareDigits, defineScheme, type Ordering } from '../scheme.js';

const FORMS: [string, number][] = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

const isDigitC = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isdig = (c: string) => isDigitC(c) && c !== '.';
const isndig = (c: string) => !isDigitC(c) && c !== '.';
const isSpecial = (c: string) => c === '-' || c === '_' || c === '+';

export function canonicalize(v: string): string {
  if (!v) return '';
  let q = v[0]!;
  let lp = v[0]!;
  for (let i = 1; i < v.length; i++) {
    const c = v[i]!;
    const lq = q[q.length - 1];
    if (isSpecial(c)) {
      if (lq !== '.') q += '.';
    } else if ((isndig(lp) && isdig(c)) || (isdig(lp) && isndig(c))) {
      if (lq !== '.') q += '.';
      q += c;
    } else q += c;
    lp = c;
  }
  return q;
}

function form(s: string): number {
  for (const [name, order] of FORMS) if (s.startsWith(name)) return order;
  return -1;
}

function specialCompare(a: string, b: string): Ordering {
  const d = form(a) - form(b);
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

export function phpVersionCompare(v1: string, v2: string): Ordering {
  if (!v1 || !v2) return !v1 && !v2 ? 0 : v1 ? 1 : -1;
  const a = v1[0] === '#' ? v1 : canonicalize(v1);
  const b = v2[0] === '#' ? v2 : canonicalize(v2);
  let p1 = 0;
  let p2 = 0;
  let n1: number | null = -1;
  let n2: number | null = -1;
  let compare: Ordering = 0;
  while (p1 < a.length && p2 < b.length && n1 !== null && n2 !== null) {
    const d1 = a.indexOf('.', p1);
    const d2 = b.indexOf('.', p2);
    n1 = d1 === -1 ? null : d1;
    n2 = d2 === -1 ? null : d2;
    const s1 = a.slice(p1, n1 ?? a.length);
    const s2 = b.slice(p2, n2 ?? b.length);
    if (isDigitC(s1[0]) && isDigitC(s2[0])) compare = compareDigits(leadingDigits(s1), leadingDigits(s2));
    else if (!isDigitC(s1[0]) && !isDigitC(s2[0])) compare = specialCompare(s1, s2);
    else compare = isDigitC(s1[0]) ? specialCompare('#N#', s2) : specialCompare(s1, '#N#');
    if (compare !== 0) break;
    if (n1 !== null) p1 = n1 + 1;
    if (n2 !== null) p2 = n2 + 1;
  }
  if (compare === 0) {
    if (n1 !== null) {
      compare = isDigitC(a[p1]) ? 1 : phpVersionCompare(a.slice(p1), '#N#');
    } else if (n2 !== null) {
      compare = isDigitC(b[p2]) ? -1 : phpVersionCompare('#N#', b.slice(p2));
    }
  }
  return compare;
}

function leadingDigits(s: string): string {
  return /^\d*/.exec(s)![0] || '0';
}

const strip = (v: string) => (v[0] === 'v' || v[0] === 'V' ? v.slice(1) : v);

export const packagist = defineScheme<{ v: string }>(
  'packagist',
  (v) => (!v || /\s/.test(v) ? 'empty or contains whitespace' : { v: strip(v) }),
  (a, b) => phpVersionCompare(a.v, b.v),
);
