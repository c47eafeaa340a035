// Alpine package versions, ordered as apk-tools 3 does (src/version.c): the Gentoo-style grammar
// N[.N]*[a-z[N]][_suffix[N]]*[~hash][-rN], compared token by token. The first number is an integer;
// a later component with a leading zero compares as a string (a decimal fraction: 1.01 < 1.1);
// pre-release suffixes (alpha, beta, pre, rc) sort before the release and post-release ones (cvs,
// svn, git, hg, p) after; when one version runs out first, the longer one is greater unless what
// follows is a pre-release suffix. Numbers are unbounded.
import { compareDigits, compareStrings, defineScheme, type Ordering } from '../scheme.js';

// Token kinds in apk-tools' order; when two versions differ in kind at a position, the larger kind
// is the smaller version (END is largest: the shorter version is smaller).
const FIRST_DIGIT = 1;
const DIGIT = 2;
const LETTER = 3;
const SUFFIX = 4;
const SUFFIX_NO = 5;
const COMMIT_HASH = 6;
const REVISION_NO = 7;
const END = 8;

const PRE = ['alpha', 'beta', 'pre', 'rc'];
const POST = ['cvs', 'svn', 'git', 'hg', 'p'];

interface Token {
  type: number;
  value: string;
}

const GRAMMAR =
  /^(\d+)((?:\.\d+)*)(?:([a-z])(\d+)?)?((?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)\d*)*)(?:~([0-9a-f]+))?(?:-r(\d*))?$/;

function tokenize(v: string): Token[] | string {
  const m = GRAMMAR.exec(v);
  if (!m) {
    return 'not of the form N[.N]*[a-z[N]][_suffix[N]]*[~hash][-rN] (suffix: alpha, beta, pre, rc, cvs, svn, git, hg, p)';
  }
  const [, first, rest, letter, letterNo, suffixes, hash, rev] = m;
  const tokens: Token[] = [{ type: FIRST_DIGIT, value: first! }];
  for (const d of rest!.split('.').slice(1)) tokens.push({ type: DIGIT, value: d });
  if (letter) tokens.push({ type: LETTER, value: letter });
  // apk-tools 2 accepts digits right after the letter ("6.6.2p1"); they are a plain number.
  if (letterNo) tokens.push({ type: DIGIT, value: letterNo });
  for (const s of suffixes!.split('_').slice(1)) {
    const [, name, no] = /^([a-z]+)(\d*)$/.exec(s)!;
    tokens.push({ type: SUFFIX, value: name! });
    if (no) tokens.push({ type: SUFFIX_NO, value: no });
  }
  if (hash !== undefined) tokens.push({ type: COMMIT_HASH, value: hash });
  if (rev !== undefined) tokens.push({ type: REVISION_NO, value: rev || '0' });
  tokens.push({ type: END, value: '' });
  return tokens;
}

function suffixValue(s: string): number {
  const pre = PRE.indexOf(s);
  return pre >= 0 ? pre - PRE.length : POST.indexOf(s);
}

/** apk_blob_sort: bytes over the common length, then the shorter first. */
function blobSort(a: string, b: string): Ordering {
  const n = Math.min(a.length, b.length);
  const c = compareStrings(a.slice(0, n), b.slice(0, n));
  return c || (a.length === b.length ? 0 : a.length < b.length ? -1 : 1);
}

function tokenCompare(a: Token, b: Token): Ordering {
  switch (a.type) {
    case DIGIT:
      if (a.value[0] === '0' || b.value[0] === '0') return blobSort(a.value, b.value);
      return compareDigits(a.value, b.value);
    case FIRST_DIGIT:
    case SUFFIX_NO:
    case REVISION_NO:
      return compareDigits(a.value, b.value);
    case LETTER:
      return compareStrings(a.value, b.value);
    case SUFFIX: {
      const d = suffixValue(a.value) - suffixValue(b.value);
      return d < 0 ? -1 : d > 0 ? 1 : 0;
    }
    default:
      return blobSort(a.value, b.value);
  }
}

function compare(a: Token[], b: Token[]): Ordering {
  let i = 0;
  for (; a[i]!.type === b[i]!.type; i++) {
    if (a[i]!.type === END) return 0;
    const c = tokenCompare(a[i]!, b[i]!);
    if (c) return c;
  }
  const ta = a[i]!;
  const tb = b[i]!;
  if (ta.type === SUFFIX && suffixValue(ta.value) < 0) return -1;
  if (tb.type === SUFFIX && suffixValue(tb.value) < 0) return 1;
  return ta.type > tb.type ? -1 : 1;
}

export const apk = defineScheme<Token[]>('apk', tokenize, compare);
