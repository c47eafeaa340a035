// npm versions, compared by node-semver itself (the library npm uses), in strict mode: what
// `semver.valid` rejects is invalid here too. Spec: https://github.com/npm/node-semver.
import nodeSemver from 'semver';
import { InvalidVersionError, type Ordering, type VersionScheme } from '../scheme.js';

const cache = new Map<string, nodeSemver.SemVer | null>();

function lookup(v: string): nodeSemver.SemVer | null {
  let r = cache.get(v);
  if (r === undefined) {
    try {
      r = nodeSemver.parse(v);
    } catch {
      r = null;
    }
    if (cache.size >= 50_000) cache.clear();
    cache.set(v, r);
  }
  return r;
}

function parsed(v: string): nodeSemver.SemVer {
  const r = lookup(v);
  if (!r) throw new InvalidVersionError('npm', v, 'node-semver does not accept it as a version');
  return r;
}

export const npm: VersionScheme = {
  id: 'npm',
  isValid: (v) => lookup(v) !== null,
  compare: (a, b) => parsed(a).compare(parsed(b)) as Ordering,
  parse: (v) => lookup(v) ?? undefined,
  compareParsed: (a, b) => (a as nodeSemver.SemVer).compare(b as nodeSemver.SemVer) as Ordering,
};
