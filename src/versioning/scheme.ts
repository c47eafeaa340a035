// The one small interface every ecosystem's version comparator implements (Renovate's
// lib/modules/versioning pattern): `compare` throws InvalidVersionError on input it cannot parse —
// it never guesses an order.
import { InputError } from '../core/errors.js';

export type Ordering = -1 | 0 | 1;

export interface VersionScheme {
  /** Short id, e.g. `dpkg`, `apk`, `rpm`, `npm`, `pep440`, `maven`. */
  readonly id: string;
  isValid(version: string): boolean;
  /** -1 when a < b, 0 when equal, 1 when a > b. Throws InvalidVersionError on an invalid version. */
  compare(a: string, b: string): Ordering;
  /**
   * For comparing one version many times (a binary search over sorted bounds): its parsed form
   * (from the scheme's cache), undefined when invalid — compared with compareParsed as compare
   * would order the texts.
   */
  parse?(version: string): unknown;
  compareParsed?(a: unknown, b: unknown): Ordering;
}

/** A version string the ecosystem's grammar does not accept. Exit 2. */
export class InvalidVersionError extends InputError {
  override readonly name: string = 'InvalidVersionError';
  constructor(
    readonly scheme: string,
    readonly version: string,
    reason: string,
  ) {
    super(`"${version}" is not a valid ${scheme} version: ${reason}`);
  }
}

/** An ecosystem name no comparator is registered for. Exit 2. */
export class UnknownEcosystemError extends InputError {
  override readonly name: string = 'UnknownEcosystemError';
  constructor(
    readonly ecosystem: string,
    known: readonly string[],
  ) {
    super(
      `no version comparator for ecosystem "${ecosystem}"; expected an OSV ecosystem name such as ${known.join(', ')} (a release suffix like "Debian:12" is allowed)`,
    );
  }
}

export function sign(n: number): Ordering {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Compares two strings of ASCII digits as unbounded integers. */
export function compareDigits(a: string, b: string): Ordering {
  // The regular expression only where a leading zero is (most numbers have none).
  const x = a.charCodeAt(0) === 48 ? a.replace(/^0+/, '') : a;
  const y = b.charCodeAt(0) === 48 ? b.replace(/^0+/, '') : b;
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Plain code-unit string comparison (C strcmp on ASCII). */
export function compareStrings(a: string, b: string): Ordering {
  return a < b ? -1 : a > b ? 1 : 0;
}

const CACHE_LIMIT = 50_000;

/** Builds a scheme from a parser and a comparison of parsed values; parsed values are cached. */
export function defineScheme<T>(
  id: string,
  parse: (v: string) => T | string,
  compareParsed: (a: T, b: T) => Ordering,
): VersionScheme {
  // Matching compares the same advisory versions over and over: parse each string once (bounded).
  const cache = new Map<string, T | string>();
  function cached(v: string): T | string {
    let r = cache.get(v);
    if (r === undefined) {
      r = parse(v);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(v, r);
    }
    return r;
  }
  function parsed(v: string): T {
    const r = cached(v);
    if (typeof r === 'string') throw new InvalidVersionError(id, v, r);
    return r;
  }
  return {
    id,
    isValid: (v) => typeof cached(v) !== 'string',
    compare: (a, b) => (a === b && typeof cached(a) !== 'string' ? 0 : compareParsed(parsed(a), parsed(b))),
    parse: (v) => {
      const r = cached(v);
      return typeof r === 'string' ? undefined : r;
    },
    compareParsed: compareParsed as (a: unknown, b: unknown) => Ordering,
  };
}
