// Debian/Ubuntu package versions: [epoch:]upstream[-revision], compared as dpkg does
// (deb-version(7); lib/dpkg/version.c verrevcmp): `~` sorts before everything, even the end.
import { compareDigits, defineScheme, type Ordering } from '../scheme.js';

interface DpkgVersion {
  epoch: string;
  upstream: string;
  revision: string;
}

function parse(v: string): DpkgVersion | string {
  const s = v.trim();
  if (s !== v || !s) return 'empty or surrounded by spaces';
  if (/\s/.test(s)) return 'contains whitespace';
  let rest = s;
  let epoch = '0';
  const colon = s.indexOf(':');
  if (colon >= 0) {
    epoch = s.slice(0, colon);
    if (!/^\d+$/.test(epoch)) return 'the epoch (before ":") must be a number';
    rest = s.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  const upstream = dash >= 0 ? rest.slice(0, dash) : rest;
  const revision = dash >= 0 ? rest.slice(dash + 1) : '';
  if (!upstream) return 'the upstream version is empty';
  if (dash >= 0 && !revision) return 'the revision after the last "-" is empty';
  if (!/^[0-9]/.test(upstream)) return 'the upstream version must start with a digit';
  if (!/^[A-Za-z0-9.+~:-]+$/.test(upstream))
    return 'the upstream version has characters outside [A-Za-z0-9.+~:-]';
  if (!/^[A-Za-z0-9.+~]*$/.test(revision)) return 'the revision has characters outside [A-Za-z0-9.+~]';
  return { epoch, upstream, revision };
}

/** dpkg's order(): `~` < end < letters < non-letters. */
function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c >= '0' && c <= '9') return 0;
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

export function verrevcmp(a: string, b: string): Ordering {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return ac < bc ? -1 : 1;
      i++;
      j++;
    }
    let da = '';
    let db = '';
    while (isDigit(a[i])) da += a[i++];
    while (isDigit(b[j])) db += b[j++];
    firstDiff = compareDigits(da || '0', db || '0');
    if (firstDiff) return firstDiff as Ordering;
  }
  return 0;
}

export const dpkg = defineScheme<DpkgVersion>('dpkg', parse, (a, b) => {
  return (
    compareDigits(a.epoch, b.epoch) || verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision)
  );
});
