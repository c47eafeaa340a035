// Python package versions (PEP 440), ordered like `packaging.version.Version` (its _cmpkey):
// epoch, release without trailing zeros, pre (a < b < rc; a dev-only release sorts before any
// pre-release), post, dev, then the local label. Legacy (non-PEP 440) versions are invalid, as in
// packaging >= 22. Spec: https://packaging.python.org/en/latest/specifications/version-specifiers/.
import { compareDigits, compareStrings, defineScheme, type Ordering } from '../scheme.js';

const PATTERN = new RegExp(
  '^\\s*v?(?:(?:([0-9]+)!)?([0-9]+(?:\\.[0-9]+)*)' +
    '([-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?)?' +
    '((?:-([0-9]+))|(?:[-_.]?(post|rev|r)[-_.]?([0-9]+)?))?' +
    '([-_.]?(dev)[-_.]?([0-9]+)?)?)' +
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\\s*$',
  'i',
);

/** A key part: a number as a digit string, or ±Infinity. */
type K = string | typeof NEG | typeof POS;
const NEG = Symbol('-inf');
const POS = Symbol('+inf');

interface Pep440 {
  epoch: string;
  release: string[];
  pre: [number, string] | typeof NEG | typeof POS;
  post: K;
  dev: K;
  localRaw: { num: boolean; v: string }[] | null;
}

const PRE_RANK: Record<string, number> = { a: 0, b: 1, rc: 2 };

function normPre(l: string): string {
  const x = l.toLowerCase();
  if (x === 'alpha' || x === 'a') return 'a';
  if (x === 'beta' || x === 'b') return 'b';
  return 'rc';
}

function parse(v: string): Pep440 | string {
  const m = PATTERN.exec(v);
  if (!m) return 'not a PEP 440 version';
  const [, epoch, rel, pre, preL, preN, post, postN1, , postN2, dev, , devN, local] = m;
  const release = rel!.split('.');
  while (release.length > 1 && /^0+$/.test(release[release.length - 1]!)) release.pop();
  const postK: K = post === undefined ? NEG : (postN1 ?? postN2 ?? '0');
  const devK: K = dev === undefined ? POS : (devN ?? '0');
  let preK: Pep440['pre'];
  if (pre === undefined) preK = post === undefined && dev !== undefined ? NEG : POS;
  else preK = [PRE_RANK[normPre(preL!)]!, preN ?? '0'];
  return {
    epoch: epoch ?? '0',
    release,
    pre: preK,
    post: postK,
    dev: devK,
    localRaw:
      local === undefined
        ? null
        : local.split(/[-_.]/).map((p) => ({ num: /^\d+$/.test(p), v: p.toLowerCase() })),
  };
}

function cmpK(a: K, b: K): Ordering {
  if (a === b) return 0;
  if (a === NEG || b === POS) return -1;
  if (a === POS || b === NEG) return 1;
  return compareDigits(a as string, b as string);
}

function cmpRelease(a: string[], b: string[]): Ordering {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareDigits(a[i]!, b[i]!);
    if (c) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function cmpLocal(a: Pep440['localRaw'], b: Pep440['localRaw']): Ordering {
  if (!a || !b) return a === b ? 0 : a ? 1 : -1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    // Numeric segments sort after alphanumeric ones.
    const c = x.num && y.num ? compareDigits(x.v, y.v) : x.num ? 1 : y.num ? -1 : compareStrings(x.v, y.v);
    if (c) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function compare(a: Pep440, b: Pep440): Ordering {
  let c = compareDigits(a.epoch, b.epoch) || cmpRelease(a.release, b.release);
  if (c) return c;
  if (Array.isArray(a.pre) && Array.isArray(b.pre)) {
    c = a.pre[0] < b.pre[0] ? -1 : a.pre[0] > b.pre[0] ? 1 : compareDigits(a.pre[1], b.pre[1]);
  } else if (a.pre !== b.pre) {
    c = a.pre === NEG || b.pre === POS ? -1 : 1;
  }
  return c || cmpK(a.post, b.post) || cmpK(a.dev, b.dev) || cmpLocal(a.localRaw, b.localRaw);
}

export const pep440 = defineScheme<Pep440>('pep440', parse, compare);
