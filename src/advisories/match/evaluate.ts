// Is one installed version inside an OSV affected entry? Implements the OSV evaluation algorithm
// (https://ossf.github.io/osv-schema/#evaluation): events sorted by version; `introduced` opens an
// affected interval, `fixed` and `limit` close it before the version, `last_affected` after it;
// plus an exact hit in the `versions` list. ECOSYSTEM ranges compare with the ecosystem's scheme,
// SEMVER ranges with SemVer; GIT ranges need commits and are skipped. A version that cannot be
// compared gives `unknown` with the reason — never a silent "not affected".
// A range's events are validated and sorted once per (range, scheme) and kept beside the range
// (a re-match evaluates the same advisory rows against many installed versions); only the walk
// against the installed version runs per evaluation.

import type { AffectedRange, RangeEvent } from '../../core/advisory.js';
import {
  InvalidVersionError,
  type Ordering,
  schemeFor,
  UnknownEcosystemError,
  type VersionScheme,
} from '../../versioning/index.js';
import { semver } from '../../versioning/semver/semver.js';

export type Verdict =
  | { kind: 'affected'; fixed?: string | undefined }
  | { kind: 'not_affected' }
  | { kind: 'unknown'; reason: string };

interface Ev {
  kind: 'introduced' | 'fixed' | 'last_affected' | 'limit';
  v: string;
}

function eventsOf(e: RangeEvent): Ev[] {
  const out: Ev[] = [];
  if (e.introduced !== undefined) out.push({ kind: 'introduced', v: e.introduced });
  if (e.fixed !== undefined) out.push({ kind: 'fixed', v: e.fixed });
  if (e.last_affected !== undefined) out.push({ kind: 'last_affected', v: e.last_affected });
  if (e.limit !== undefined) out.push({ kind: 'limit', v: e.limit });
  return out;
}

const isZero = (e: Ev) => e.kind === 'introduced' && e.v === '0';

/** A range's events, validated and sorted for one scheme — or why they cannot be. */
type Prepared = { evs: Ev[] } | { invalid: Verdict } | { error: unknown };
const PREPARED = new WeakMap<AffectedRange, Map<string, Prepared>>();

function prepare(scheme: VersionScheme, range: AffectedRange): Prepared {
  let byScheme = PREPARED.get(range);
  if (!byScheme) {
    byScheme = new Map();
    PREPARED.set(range, byScheme);
  }
  let p = byScheme.get(scheme.id);
  if (p) return p;
  p = prepareEvents(scheme, range);
  byScheme.set(scheme.id, p);
  return p;
}

function prepareEvents(scheme: VersionScheme, range: AffectedRange): Prepared {
  const evs = range.events.flatMap(eventsOf);
  for (const e of evs) {
    if (!isZero(e) && !(e.kind === 'limit' && e.v === '*') && !scheme.isValid(e.v)) {
      return {
        invalid: {
          kind: 'unknown',
          reason: `the advisory's ${e.kind} version "${e.v}" is not a valid ${scheme.id} version`,
        },
      };
    }
  }
  const cmp = (a: Ev, b: Ev): Ordering => {
    if (isZero(a)) return isZero(b) ? 0 : -1;
    if (isZero(b)) return 1;
    return scheme.compare(a.v, b.v);
  };
  try {
    evs.sort(cmp);
  } catch (err) {
    return { error: err };
  }
  return { evs };
}

export function evaluateRange(scheme: VersionScheme, installed: string, range: AffectedRange): Verdict {
  return walk(scheme, installed, prepare(scheme, range));
}

/**
 * The schemes whose comparison is a total order (transitive: testdata's vectors hold no a ≤ b ≤ c
 * with a > c), so a version's position among sorted event versions decides its comparison with
 * each of them. Maven's is not (Maven's own ComparableVersion orders 1 < 1.0-sp < 1.0.0-0-rc1 < 1,
 * and ours follows it), nor is our Composer comparison over its vectors: their groups are evaluated
 * row by row.
 */
export const LINEAR_SCHEMES: ReadonlySet<string> = new Set([
  'apk',
  'cargo',
  'cran',
  'dpkg',
  'go',
  'hackage',
  'hex',
  'npm',
  'nuget',
  'pep440',
  'pub',
  'rpm',
  'rubygems',
  'semver',
]);

/**
 * The advisory rows of one lookup key as positions on one version line, where that is exact: when
 * every row's comparable ranges use one linear scheme and were prepared without error, and no
 * row lists versions (a listed version is a string match, not a comparison), each row's verdict for an
 * installed version depends only on how the version compares with each event version — on its
 * position among the sorted distinct event versions: 2i when strictly between the i-th and the
 * next, 2i + 1 when equal to the i-th. Versions at one position get the same verdicts from every
 * row, so a re-match evaluates the rows once per position, not once per version. The position
 * function returns -1 for a version the scheme does not accept (its verdicts name the version:
 * evaluate it in full). Undefined when the rows do not qualify.
 */
export function compileGroup(
  rows: readonly { ecosystem: string; ranges: AffectedRange[]; versions: string[] }[],
): VersionLine | undefined {
  let scheme: VersionScheme | undefined;
  const bounds: string[] = [];
  for (const row of rows) {
    if (row.versions.length) return undefined;
    // A row of an ecosystem without a scheme is unknown whatever its ranges.
    const compiled = preparedRanges(row.ecosystem, row.ranges);
    if (compiled instanceof UnknownEcosystemError) return undefined;
    for (const { s, p } of compiled) {
      if ((scheme && s !== scheme) || !LINEAR_SCHEMES.has(s.id)) return undefined;
      scheme = s;
      if (!('evs' in p)) return undefined;
      for (const e of p.evs) if (!isZero(e) && !(e.kind === 'limit' && e.v === '*')) bounds.push(e.v);
    }
  }
  // No comparable range: every version gets the same verdicts (not affected).
  if (!scheme) return { position: () => 0 };
  const s = scheme;
  bounds.sort((a, b) => s.compare(a, b));
  const line: string[] = [];
  for (const b of bounds) if (!line.length || s.compare(line[line.length - 1]!, b) !== 0) line.push(b);
  // Each installed version is parsed once (through the scheme's cache) and compared with the
  // bounds parsed once (a re-match positions millions of keys: not a cache lookup per comparison).
  if (s.parse && s.compareParsed) {
    const parse = s.parse;
    const cmp = s.compareParsed;
    const parsedLine = line.map((b) => parse(b));
    if (!parsedLine.includes(undefined))
      return {
        scheme: s,
        bounds: line,
        position: (installed) => {
          const v = parse(installed);
          if (v === undefined) return -1;
          return search(parsedLine.length, (mid) => cmp(v, parsedLine[mid]));
        },
      };
  }
  return {
    scheme: s,
    bounds: line,
    position: (installed) =>
      s.isValid(installed) ? search(line.length, (mid) => s.compare(installed, line[mid]!)) : -1,
  };
}

/** A group's version line (compileGroup). */
export interface VersionLine {
  /** A version's position: 2i + 1 at bound i, 2i just below it (2n above the last); -1 when invalid. */
  position(installed: string): number;
  /** The line's scheme and its sorted distinct bounds; absent when every version is at position 0. */
  scheme?: VersionScheme;
  bounds?: readonly string[];
}

/**
 * A version's position on a line of `n` sorted bounds, `cmp(mid)` comparing it with bound `mid`:
 * 2i+1 at bound i, 2i between bound i-1 and bound i.
 */
function search(n: number, cmp: (mid: number) => number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = cmp(mid);
    if (c === 0) return 2 * mid + 1;
    if (c > 0) lo = mid + 1;
    else hi = mid;
  }
  return 2 * lo;
}

/** The walk of a prepared range against an installed version. */
function walk(scheme: VersionScheme, installed: string, p: Prepared): Verdict {
  if ('invalid' in p) return p.invalid;
  if ('error' in p) throw p.error;
  let affected = false;
  let fixed: string | undefined;
  for (const e of p.evs) {
    if (e.kind === 'limit' && e.v === '*') continue;
    const c = isZero(e) ? 1 : scheme.compare(installed, e.v);
    if (e.kind === 'introduced') {
      if (c < 0) break;
      affected = true;
    } else if (e.kind === 'fixed' || e.kind === 'limit') {
      if (c >= 0) affected = false;
      else {
        if (affected && e.kind === 'fixed') fixed = e.v;
        break;
      }
    } else if (c > 0) affected = false;
    else break;
  }
  return affected ? { kind: 'affected', fixed } : NOT_AFFECTED;
}

/** The common verdict, shared (verdicts are not changed by callers). */
const NOT_AFFECTED: Verdict = Object.freeze({ kind: 'not_affected' });

/** Evaluates one affected entry (all its ranges and its versions list) for an installed version. */
export function evaluateAffected(
  ecosystem: string,
  installed: string,
  ranges: AffectedRange[],
  versions: string[],
): Verdict {
  return compileAffected(ecosystem, ranges, versions)(installed);
}

/**
 * An affected entry's comparable ranges (GIT skipped), each with the scheme it compares under
 * (SEMVER ranges as SemVer, the others by the entry's ecosystem) and its prepared events; the
 * error when the ecosystem has no scheme.
 */
function preparedRanges(
  ecosystem: string,
  ranges: AffectedRange[],
): { s: VersionScheme; p: Prepared }[] | UnknownEcosystemError {
  let scheme: VersionScheme;
  try {
    scheme = schemeFor(ecosystem);
  } catch (err) {
    if (err instanceof UnknownEcosystemError) return err;
    throw err;
  }
  const out: { s: VersionScheme; p: Prepared }[] = [];
  for (const r of ranges) {
    if (r.type === 'GIT') continue;
    const s = r.type === 'SEMVER' ? semver : scheme;
    out.push({ s, p: prepare(s, r) });
  }
  return out;
}

/**
 * One affected entry made ready for many installed versions (evaluateAffected's verdicts): the
 * ecosystem's scheme resolved and each range's events validated and sorted once, so a re-match that
 * asks one advisory row about thousands of versions only walks the events per version.
 */
export function compileAffected(
  ecosystem: string,
  ranges: AffectedRange[],
  versions: string[],
): (installed: string) => Verdict {
  const listed = versions.length ? new Set(versions) : undefined;
  const compiled = preparedRanges(ecosystem, ranges);
  if (compiled instanceof UnknownEcosystemError) {
    const reason = compiled.message;
    return (installed) => (listed?.has(installed) ? { kind: 'affected' } : { kind: 'unknown', reason });
  }
  return (installed) => {
    let unknown: Verdict | undefined;
    let hit: Verdict | undefined;
    for (const { s, p } of compiled) {
      if (!s.isValid(installed)) {
        unknown ??= {
          kind: 'unknown',
          reason: `installed version "${installed}" is not a valid ${s.id} version`,
        };
        continue;
      }
      let v: Verdict;
      try {
        v = walk(s, installed, p);
      } catch (err) {
        if (!(err instanceof InvalidVersionError)) throw err;
        v = { kind: 'unknown', reason: err.message };
      }
      if (v.kind === 'affected') {
        // Prefer the interval that names a fix.
        if (!hit || (hit.kind === 'affected' && !hit.fixed && v.fixed)) hit = v;
      } else if (v.kind === 'unknown') unknown ??= v;
    }
    if (hit) return hit;
    if (listed?.has(installed)) return { kind: 'affected' };
    return unknown ?? NOT_AFFECTED;
  };
}
