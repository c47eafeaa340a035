// The one rule for text that comes from outside (package databases, scanner reports, CMDB files,
// runtime APIs), applied once where it enters a stage: every string is made storable and printable
// before it is matched, saved or shown, and every change is reported. See docs/cli.md, "Input
// cleaning".
//
// - Control characters (C0 U+0000–U+001F, DEL U+007F, C1 U+0080–U+009F) become U+FFFD. Prose fields
//   (`TextKind` 'text': descriptions, messages, file contents) keep tab, line feed and carriage return.
//   NUL is replaced rather than dropped so that `foo\0bar` can never pass for a real `foobar`.
// - Lone UTF-16 surrogates (invalid Unicode, e.g. a JSON `"\ud800"`) become U+FFFD.
// - A value longer than its kind's limit is cut and ends in `…` (the cut never splits a pair).
// PostgreSQL text and jsonb cannot hold NUL or a lone surrogate at all; the rest keeps terminals,
// CSV and HTML output sane.

export type TextKind = 'line' | 'text';

/** Largest length (UTF-16 code units) per kind, the truncation mark included. */
export const TEXT_LIMITS: Readonly<Record<TextKind, number>> = { line: 4096, text: 65536 };

export const REPLACEMENT_CHARACTER = '\uFFFD';
export const TRUNCATION_MARK = '…';

/** Keys whose values are prose or file contents (kind 'text'); every other string is a 'line'. */
const PROSE_KEYS = new Set([
  'content',
  'description',
  'details',
  'message',
  'reason',
  'statusReason',
  'summary',
  'text',
  'title',
]);

/** What cleaning changed in one value. */
export interface TextChange {
  /** Where the value was: a field path (`packages[0].name`) or a caller's label. */
  field: string;
  /** The control characters replaced, as distinct code points in order of appearance (`U+0000`). */
  controls: string[];
  /** How many characters were replaced by U+FFFD (control characters and lone surrogates). */
  replaced: number;
  /** Lone surrogates (invalid Unicode) among them. */
  invalid: number;
  /** The length before the value was cut to its kind's limit, when it was. */
  truncatedFrom?: number | undefined;
  /** The cleaned value, shortened to 80 characters for messages. */
  value: string;
}

const SUSPECT_LINE = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/;
const SUSPECT_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ud800-\udfff]/;

/** The kind a string under `key` is cleaned as. */
export function textKindOf(key: string | undefined): TextKind {
  return key !== undefined && PROSE_KEYS.has(key) ? 'text' : 'line';
}

/** Cleans one string; `change` is absent when the value was already clean (then it is returned as is). */
export function cleanText(
  value: string,
  kind: TextKind = 'line',
): { value: string; change?: Omit<TextChange, 'field'> | undefined } {
  const limit = TEXT_LIMITS[kind];
  const suspect = kind === 'line' ? SUSPECT_LINE : SUSPECT_TEXT;
  if (value.length <= limit && !suspect.test(value)) return { value };
  const controls: string[] = [];
  let replaced = 0;
  let invalid = 0;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += value[i]! + value[i + 1]!;
        i++;
        continue;
      }
      out += REPLACEMENT_CHARACTER;
      replaced++;
      invalid++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      out += REPLACEMENT_CHARACTER;
      replaced++;
      invalid++;
    } else if (isControl(c, kind)) {
      out += REPLACEMENT_CHARACTER;
      replaced++;
      const cp = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
      if (!controls.includes(cp)) controls.push(cp);
    } else out += value[i]!;
  }
  let truncatedFrom: number | undefined;
  if (out.length > limit) {
    truncatedFrom = value.length;
    let cut = limit - TRUNCATION_MARK.length;
    const last = out.charCodeAt(cut - 1);
    if (last >= 0xd800 && last <= 0xdbff) cut--;
    out = out.slice(0, cut) + TRUNCATION_MARK;
  }
  if (replaced === 0 && truncatedFrom === undefined) return { value };
  return { value: out, change: { controls, replaced, invalid, truncatedFrom, value: shorten(out) } };
}

/** What cleanText would return unchanged. */
export function isClean(value: string, kind: TextKind): boolean {
  return value.length <= TEXT_LIMITS[kind] && !(kind === 'line' ? SUSPECT_LINE : SUSPECT_TEXT).test(value);
}

function isControl(c: number, kind: TextKind): boolean {
  if (kind === 'text' && (c === 0x09 || c === 0x0a || c === 0x0d)) return false;
  return c <= 0x1f || (c >= 0x7f && c <= 0x9f);
}

function shorten(s: string): string {
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

/**
 * Cleans every string (and every object key) of plain data — arrays and plain objects, walked
 * recursively; Dates, numbers and other values are kept. Appends one TextChange per changed value to
 * `changes`, named by its path under `field`. Returns the same object when nothing changed.
 */
export function cleanTree<T>(value: T, field: string, changes: TextChange[], key?: string): T {
  if (typeof value === 'string') {
    const r = cleanText(value, textKindOf(key));
    if (r.change) changes.push({ field, ...r.change });
    return r.value as T;
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((v, i) => {
      const c = cleanTree(v, `${field}[${i}]`, changes, key);
      if (c !== v) {
        copy ??= [...value];
        copy[i] = c;
      }
    });
    return (copy ?? value) as T;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const k of Object.keys(value)) {
    const v = value[k];
    // Already clean (most of a large input): nothing to name or copy.
    if (cleanKey(k) && isCleanTree(v, k)) continue;
    const ck = cleanText(k, 'line');
    const path = field ? `${field}.${ck.value}` : ck.value;
    if (ck.change) changes.push({ field: `${path} (key)`, ...ck.change });
    const cv = cleanTree(v, path, changes, k);
    if (ck.change || cv !== v) {
      copy ??= Object.fromEntries(Object.entries(value));
      if (ck.change) delete copy[k];
      copy[ck.value] = cv;
    }
  }
  return (copy ?? value) as T;
}

/** Object keys found clean: a large input repeats its keys row after row. Bounded. */
const CLEAN_KEYS = new Set<string>();

function cleanKey(k: string): boolean {
  if (CLEAN_KEYS.has(k)) return true;
  if (!isClean(k, 'line')) return false;
  if (CLEAN_KEYS.size < 1000) CLEAN_KEYS.add(k);
  return true;
}

/** What cleanTree would return unchanged with no change to report, checked without copies or field paths. */
function isCleanTree(v: unknown, key: string | undefined): boolean {
  if (typeof v === 'string') return isClean(v, textKindOf(key));
  if (Array.isArray(v)) return v.every((x) => isCleanTree(x, key));
  if (!isPlainObject(v)) return true;
  for (const k of Object.keys(v)) if (!cleanKey(k) || !isCleanTree(v[k], k)) return false;
  return true;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** `packages[0].name: 1 control character (U+0000) replaced by U+FFFD → "foo�bar"`. */
export function describeTextChange(c: TextChange): string {
  const parts: string[] = [];
  const controls = c.replaced - c.invalid;
  if (controls)
    parts.push(
      `${controls} control character${controls > 1 ? 's' : ''} (${c.controls.join(', ')}) replaced by U+FFFD`,
    );
  if (c.invalid)
    parts.push(`${c.invalid} invalid Unicode character${c.invalid > 1 ? 's' : ''} replaced by U+FFFD`);
  if (c.truncatedFrom !== undefined) parts.push(`cut from ${c.truncatedFrom} characters`);
  return `${c.field}: ${parts.join('; ')} → ${JSON.stringify(c.value)}`;
}

/** True when some string in `value` (or key) cannot be stored in PostgreSQL text or jsonb (NUL, lone surrogates). */
export function hasUnstorableText(value: unknown): boolean {
  if (typeof value === 'string') return UNSTORABLE.test(value) && hasUnstorableString(value);
  if (Array.isArray(value)) return value.some(hasUnstorableText);
  if (value !== null && typeof value === 'object')
    return Object.entries(value).some(([k, v]) => hasUnstorableText(k) || hasUnstorableText(v));
  return false;
}

const UNSTORABLE = /[\u0000\ud800-\udfff]/;

function hasUnstorableString(s: string): boolean {
  if (s.includes('\u0000')) return true;
  return (cleanText(s, 'text').change?.invalid ?? 0) > 0;
}

/** Where bytes stop being UTF-8: the byte offset, its 1-based line and column (in bytes), and the byte. */
export interface InvalidUtf8 {
  offset: number;
  line: number;
  column: number;
  byte: number;
}

/** The first invalid UTF-8 sequence in `bytes` (overlong forms, surrogates and > U+10FFFF included), if any. */
export function findInvalidUtf8(bytes: Uint8Array): InvalidUtf8 | undefined {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need = 0;
    let min = 0;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return at(bytes, i);
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const n = bytes[i + k];
      if (n === undefined || (n & 0xc0) !== 0x80) return at(bytes, i);
      cp = (cp << 6) | (n & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return at(bytes, i);
    i += need + 1;
  }
  return undefined;
}

function at(bytes: Uint8Array, offset: number): InvalidUtf8 {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1, byte: bytes[offset]! };
}
