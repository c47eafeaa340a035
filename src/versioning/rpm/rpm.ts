// RPM versions ([epoch:]version[-release]) compared as rpm does: rpmvercmp() segment by segment
// (digits vs letters, `~` sorts before everything, `^` after the base but before any addition),
// epoch first (missing = 0), then version, then release. Red Hat, SUSE, Amazon, Mariner, Alma,
// Rocky, Oracle. Spec: rpm-software-management/rpm rpmio/rpmvercmp.c.
import { compareDigits, defineScheme, type Ordering } from '../scheme.js';

interface Evr {
  epoch: string;
  version: string;
  release: string | undefined;
}

const isAlnum = (c: string | undefined) => c !== undefined && /[A-Za-z0-9]/.test(c);
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined) => c !== undefined && /[A-Za-z]/.test(c);

/** rpmvercmp: compares one version or release string. */
export function rpmvercmp(a: string, b: string): Ordering {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;
    let x = i;
    let y = j;
    const isNum = isDigit(a[x]);
    if (isNum) {
      while (isDigit(a[x])) x++;
      while (isDigit(b[y])) y++;
    } else {
      while (isAlpha(a[x])) x++;
      while (isAlpha(b[y])) y++;
    }
    if (x === i) return -1;
    if (y === j) return isNum ? 1 : -1;
    const sa = a.slice(i, x);
    const sb = b.slice(j, y);
    const rc = isNum ? compareDigits(sa, sb) : sa < sb ? -1 : sa > sb ? 1 : 0;
    if (rc) return rc;
    i = x;
    j = y;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

/** rpm's parseEVR: an epoch only when the string starts with digits and a colon. */
function parse(v: string): Evr | string {
  if (!v || /\s/.test(v)) return 'empty or contains whitespace';
  const m = /^(\d*):/.exec(v);
  const epoch = m ? m[1] || '0' : '0';
  const rest = m ? v.slice(m[0].length) : v;
  const dash = rest.lastIndexOf('-');
  const version = dash >= 0 ? rest.slice(0, dash) : rest;
  const release = dash >= 0 ? rest.slice(dash + 1) : undefined;
  return { epoch, version, release };
}

export const rpm = defineScheme<Evr>('rpm', parse, (a, b) => {
  const e = compareDigits(a.epoch, b.epoch);
  if (e) return e;
  const v = rpmvercmp(a.version, b.version);
  if (v) return v;
  // rpm itself skips the release when one side has none; OSV (and advisories, whose fixed
  // versions always carry one) order a missing release before any release. See docs/advisories.md.
  if (a.release === undefined || b.release === undefined) {
    return a.release === b.release ? 0 : a.release === undefined ? -1 : 1;
  }
  return rpmvercmp(a.release, b.release);
});
