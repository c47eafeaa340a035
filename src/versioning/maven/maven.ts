// Maven versions, ordered like Maven's own org.apache.maven.artifact.versioning.ComparableVersion as
// released in Maven 3.9.x (3.9.9 source, checked against the 3.9.12 build; 3.8.7 orders every tested
// pair the same): the string is split into a tree of lists of int and qualifier items at ".", "-"
// and digit/letter transitions (".X1" is read as "-X1"); trailing "null" items (0, "", "final",
// "ga", "release") are dropped; qualifiers order alpha < beta < milestone < rc = cr < snapshot < ""
// < sp < others (others lexically); a list is compared with "nothing" item by item (MNG-6964).
// Spec: https://maven.apache.org/pom.html#Version_Order_Specification.
import { compareDigits, defineScheme, type Ordering } from '../scheme.js';

type Item = { t: 'int'; v: string } | { t: 'str'; v: string } | { t: 'list'; items: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));

function strItem(value: string, followedByDigit: boolean): Item {
  let v = value;
  if (followedByDigit && v.length === 1) {
    if (v === 'a') v = 'alpha';
    else if (v === 'b') v = 'beta';
    else if (v === 'm') v = 'milestone';
  }
  return { t: 'str', v: ALIASES[v] ?? v };
}

function parseItem(isDigit: boolean, buf: string): Item {
  return isDigit ? { t: 'int', v: buf.replace(/^0+/, '') || '0' } : strItem(buf, false);
}

function comparableQualifier(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

function isNull(it: Item): boolean {
  if (it.t === 'int') return it.v === '0';
  if (it.t === 'str') return comparableQualifier(it.v) === RELEASE_INDEX;
  return it.items.length === 0;
}

function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i]!;
    if (isNull(last)) list.splice(i, 1);
    else if (last.t !== 'list') break;
  }
}

const isDigitC = (c: string) => c >= '0' && c <= '9';

export function parseMaven(version: string): Item {
  const v = version.toLowerCase();
  const root: Item & { t: 'list' } = { t: 'list', items: [] };
  let list = root;
  const stack: (Item & { t: 'list' })[] = [root];
  let isDigit = false;
  let start = 0;
  const push = () => {
    const next: Item & { t: 'list' } = { t: 'list', items: [] };
    list.items.push(next);
    list = next;
    stack.push(next);
  };
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '.') {
      list.items.push(i === start ? { t: 'int', v: '0' } : parseItem(isDigit, v.slice(start, i)));
      start = i + 1;
    } else if (c === '-') {
      list.items.push(i === start ? { t: 'int', v: '0' } : parseItem(isDigit, v.slice(start, i)));
      start = i + 1;
      push();
    } else if (isDigitC(c)) {
      if (!isDigit && i > start) {
        // 1.0.0.X1 < 1.0.0-X2: treat .X as -X for any string qualifier X.
        if (list.items.length) push();
        list.items.push(strItem(v.slice(start, i), true));
        start = i;
        push();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.items.push(parseItem(true, v.slice(start, i)));
        start = i;
        push();
      }
      isDigit = false;
    }
  }
  if (v.length > start) {
    if (!isDigit && list.items.length) push();
    list.items.push(parseItem(isDigit, v.slice(start)));
  }
  while (stack.length) normalize(stack.pop()!.items);
  return root;
}

function cmpStr(a: string, b: string): Ordering {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Item.compareTo(other), where other === null stands for "nothing left". */
function cmp(a: Item, b: Item | null): Ordering {
  if (a.t === 'int') {
    if (b === null) return a.v === '0' ? 0 : 1;
    if (b.t === 'int') return compareDigits(a.v, b.v);
    return 1;
  }
  if (a.t === 'str') {
    if (b === null) return cmpStr(comparableQualifier(a.v), RELEASE_INDEX);
    if (b.t === 'int') return -1;
    if (b.t === 'str') return cmpStr(comparableQualifier(a.v), comparableQualifier(b.v));
    return -1;
  }
  if (b === null) {
    // The whole list against nothing, not just its first item (MNG-6964).
    for (const it of a.items) {
      const c = cmp(it, null);
      if (c) return c;
    }
    return 0;
  }
  if (b.t === 'int') return -1;
  if (b.t === 'str') return 1;
  const n = Math.max(a.items.length, b.items.length);
  for (let i = 0; i < n; i++) {
    const l = a.items[i] ?? null;
    const r = b.items[i] ?? null;
    const c: Ordering = l === null ? (r === null ? 0 : (-cmp(r, null) as Ordering)) : cmp(l, r);
    if (c) return c;
  }
  return 0;
}

export const maven = defineScheme<Item>(
  'maven',
  (v) => (!v || /\s/.test(v) ? 'empty or contains whitespace' : parseMaven(v)),
  (a, b) => cmp(a, b),
);
