// RubyGems versions (Gem::Version): segments are runs of digits or letters; a "-" means ".pre.";
// the numeric and the string part each lose trailing zeros; a string segment sorts before a
// number (a pre-release). Spec: rubygems lib/rubygems/version.rb (<=>, canonical_segments).
import { compareDigits, compareStrings, defineScheme, type Ordering } from '../scheme.js';

type Seg = { n: string } | { s: string };

const PATTERN = /^\s*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?\s*$/;

function parse(v: string): Seg[] | string {
  if (!PATTERN.test(v) || !v.trim()) return 'not a Gem::Version (digits and letters separated by ".")';
  const text = v.trim().replace(/-/g, '.pre.');
  const segs: Seg[] = (text.match(/[0-9]+|[a-z]+/gi) ?? []).map((x) => (/^\d/.test(x) ? { n: x } : { s: x }));
  const firstStr = segs.findIndex((s) => 's' in s);
  const numeric = firstStr === -1 ? segs : segs.slice(0, firstStr);
  const strings = firstStr === -1 ? [] : segs.slice(firstStr);
  const trim = (xs: Seg[]) => {
    const out = [...xs];
    while (out.length && 'n' in out[out.length - 1]! && /^0+$/.test((out[out.length - 1] as { n: string }).n))
      out.pop();
    return out;
  };
  return [...trim(numeric), ...trim(strings)];
}

function compare(a: Seg[], b: Seg[]): Ordering {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const l = a[i] ?? { n: '0' };
    const r = b[i] ?? { n: '0' };
    if ('n' in l && 'n' in r) {
      const c = compareDigits(l.n, r.n);
      if (c) return c;
    } else if ('s' in l && 's' in r) {
      const c = compareStrings(l.s, r.s);
      if (c) return c;
    } else return 's' in l ? -1 : 1;
  }
  return 0;
}

export const rubygems = defineScheme<Seg[]>('rubygems', parse, compare);
