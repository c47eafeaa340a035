// npm versions, compared by node-semver itself (the library npm uses), in strict mode: what
// `semver.valid` rejects is invalid here too. Spec: https://github.com/npm/node-semver.
import nodeSemver from 'semver';
import { InvalidVersionError, type Ordering, type VersionScheme } from '../scheme.js';

function parsed(v: string): nodeSemver.SemVer {
  let r: nodeSemver.SemVer | null = null;
  try {
    r = nodeSemver.parse(v);
  } catch {
    r = null;
  }
  if (!r) throw new InvalidVersionError('npm', v, 'node-semver does not accept it as a version');
  return r;
}

export const npm: VersionScheme = {
  id: 'npm',
  isValid: (v) => nodeSemver.parse(v) !== null,
  compare: (a, b) => parsed(a).compare(parsed(b)) as Ordering,
};
