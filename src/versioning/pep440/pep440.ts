// Python package versions, ordered like pip's `packaging.version.parse` (packaging 21.3, vendored by
// pip 23), which OSV tooling follows. A valid PEP 440 version is ordered like `Version` (its _cmpkey):
// epoch, release without trailing zeros, pre (a < b < rc; a dev-only release sorts before any
// pre-release), post, dev, then the local label. Any other string is a legacy version
// (`LegacyVersion`, dropped in packaging 22): it sorts before every PEP 440 version, and legacy
// versions compare by setuptools' old parse_version key (see legacyKey). Rejected: an empty or blank
// string, and PEP 440 look-alikes that only match through Python's Unicode case folding (ſ, ı, İ).
// Spec: https://packaging.python.org/en/latest/specifications/version-specifiers/.
import { compareDigits, compareStrings, defineScheme, type Ordering } from '../scheme.js';

// Python's `\s` (str.isspace), not JavaScript's: packaging strips exactly these around a version.
const PY_SPACE =
  '[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';

const PATTERN = new RegExp(
  `^${PY_SPACE}*v?(?:(?:([0-9]+)!)?([0-9]+(?:\\.[0-9]+)*)` +
    '([-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?)?' +
    '((?:-([0-9]+))|(?:[-_.]?(post|rev|r)[-_.]?([0-9]+)?))?' +
    '([-_.]?(dev)[-_.]?([0-9]+)?)?)' +
    `(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?${PY_SPACE}*$`,
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

function parsePep440(v: string): Pep440 | null {
  const m = PATTERN.exec(v);
  if (!m) return null;
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

// --- Legacy versions (packaging 21.3 LegacyVersion / _legacy_cmpkey) ---

/** Python's re.split(r"(\d+|[a-z]+|\.|-)"): \d is any Unicode decimal digit, [a-z] ASCII only. */
const LEGACY_COMPONENT = /(\p{Nd}+|[a-z]+|\.|-)/u;
const LEGACY_REPLACE: Record<string, string> = { pre: 'c', preview: 'c', '-': 'final-', rc: 'c', dev: '@' };

/**
 * The old setuptools parse_version key: numeric parts zero-padded to 8 characters (so longer numbers
 * compare as text), every other part prefixed with "*", "*final" appended; a "-" before a
 * pre-release tag and trailing zeros before each non-numeric part are dropped.
 */
function legacyKey(version: string): string[] {
  const parts: string[] = [];
  const tokens: string[] = [];
  for (const raw of version.toLowerCase().split(LEGACY_COMPONENT)) {
    const p = LEGACY_REPLACE[raw] ?? raw;
    if (!p || p === '.') continue;
    tokens.push(p[0]! >= '0' && p[0]! <= '9' ? '0'.repeat(Math.max(0, 8 - [...p].length)) + p : `*${p}`);
  }
  // "*final" closes every key, and goes through the same clean-up as the other parts.
  tokens.push('*final');
  for (const part of tokens) {
    if (part.startsWith('*')) {
      if (compareCodePoints(part, '*final') < 0) while (parts.at(-1) === '*final-') parts.pop();
      while (parts.at(-1) === '00000000') parts.pop();
    }
    parts.push(part);
  }
  return parts;
}

/** Python str ordering: by code point (JavaScript's < compares UTF-16 code units). */
function compareCodePoints(a: string, b: string): Ordering {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (c) return c < 0 ? -1 : 1;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

function compareLegacy(a: string[], b: string[]): Ordering {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareCodePoints(a[i]!, b[i]!);
    if (c) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

type Parsed = { legacy: false; v: Pep440 } | { legacy: true; key: string[] };

/** Letters Python's case-insensitive match folds onto ASCII ones in the PEP 440 pattern. */
const PY_FOLDS: Record<string, string> = { ſ: 's', ı: 'i', İ: 'i' };

function parse(v: string): Parsed | string {
  const pep = parsePep440(v);
  if (pep) return { legacy: false, v: pep };
  if (!v.trim()) return 'empty or blank version';
  if (/[ſıİ]/.test(v) && PATTERN.test(v.replace(/[ſıİ]/g, (c) => PY_FOLDS[c]!)))
    return 'a PEP 440 version only through Unicode case folding (ſ, ı, İ); packaging keeps the letter as is';
  return { legacy: true, key: legacyKey(v) };
}

/** Legacy versions carry epoch -1: they sort before every PEP 440 version. */
function compareParsed(a: Parsed, b: Parsed): Ordering {
  if (a.legacy && b.legacy) return compareLegacy(a.key, b.key);
  if (a.legacy || b.legacy) return a.legacy ? -1 : 1;
  return compare(a.v, b.v);
}

export const pep440 = defineScheme<Parsed>('pep440', parse, compareParsed);
