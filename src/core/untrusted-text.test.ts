import { describe, expect, it } from 'vitest';
import {
  cleanText,
  cleanTree,
  describeTextChange,
  findInvalidUtf8,
  hasUnstorableText,
  TEXT_LIMITS,
  type TextChange,
} from './untrusted-text.js';

describe('cleanText', () => {
  it('keeps clean text as it is', () => {
    expect(cleanText('libssl3 café 日本 😀')).toEqual({ value: 'libssl3 café 日本 😀' });
  });

  it('replaces NUL and other control characters by U+FFFD and says which', () => {
    expect(cleanText('foo\u0000bar\u001b[31m\u0085')).toEqual({
      value: 'foo\uFFFDbar\uFFFD[31m\uFFFD',
      change: {
        controls: ['U+0000', 'U+001B', 'U+0085'],
        replaced: 3,
        invalid: 0,
        truncatedFrom: undefined,
        value: 'foo\uFFFDbar\uFFFD[31m\uFFFD',
      },
    });
  });

  it('keeps tab and line breaks in prose, not in a line', () => {
    expect(cleanText('a\tb\r\nc', 'text')).toEqual({ value: 'a\tb\r\nc' });
    expect(cleanText('a\tb\nc', 'line').value).toBe('a\uFFFDb\uFFFDc');
    expect(cleanText('a\u0000\nb', 'text').value).toBe('a\uFFFD\nb');
  });

  it('replaces lone surrogates (invalid Unicode) but keeps pairs', () => {
    const r = cleanText('x\ud800y\udc00z😀');
    expect(r.value).toBe('x\uFFFDy\uFFFDz😀');
    expect(r.change).toMatchObject({ replaced: 2, invalid: 2, controls: [] });
  });

  it('cuts a value over its limit and marks the cut, without splitting a pair', () => {
    const long = 'a'.repeat(5000);
    const r = cleanText(long);
    expect(r.value).toHaveLength(4096);
    expect(r.value.endsWith('a…')).toBe(true);
    expect(r.change).toMatchObject({ truncatedFrom: 5000, replaced: 0 });
    // The cut would fall between the halves of 😀 (code units 4094 and 4095): the pair goes whole.
    const pair = `${'b'.repeat(4094)}😀${'b'.repeat(10)}`;
    expect(cleanText(pair).value).toBe(`${'b'.repeat(4094)}…`);
    expect(cleanText('c'.repeat(TEXT_LIMITS.text), 'text')).toEqual({ value: 'c'.repeat(65536) });
  });
});

describe('cleanTree', () => {
  it('cleans every string and key of plain data, names each change by path, keeps Dates', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const changes: TextChange[] = [];
    const input = {
      packages: [{ name: 'ok' }, { name: 'foo\u0000bar', version: '1' }],
      labels: { 'a\u0000': 'v' },
      description: 'line one\nline two\u0007',
      at,
      n: 3,
    };
    const out = cleanTree(input, '', changes);
    expect(out).toEqual({
      packages: [{ name: 'ok' }, { name: 'foo\uFFFDbar', version: '1' }],
      labels: { 'a\uFFFD': 'v' },
      description: 'line one\nline two\uFFFD',
      at,
      n: 3,
    });
    expect(out.at).toBe(at);
    expect(input.packages[1]!.name).toBe('foo\u0000bar');
    expect(changes.map(describeTextChange)).toEqual([
      'packages[1].name: 1 control character (U+0000) replaced by U+FFFD → "foo�bar"',
      'labels.a� (key): 1 control character (U+0000) replaced by U+FFFD → "a�"',
      'description: 1 control character (U+0007) replaced by U+FFFD → "line one\\nline two�"',
    ]);
  });

  it('returns the same object when nothing changed', () => {
    const input = { a: ['x', { b: 'y' }] };
    expect(cleanTree(input, '', [])).toBe(input);
  });
});

describe('hasUnstorableText', () => {
  it('finds what PostgreSQL text and jsonb cannot hold: NUL and lone surrogates, in values and keys', () => {
    expect(hasUnstorableText({ a: ['x', { b: 'ok\u001b' }] })).toBe(false);
    expect(hasUnstorableText({ a: ['x', { b: 'no\u0000' }] })).toBe(true);
    expect(hasUnstorableText({ 'k\ud800': 1 })).toBe(true);
    expect(hasUnstorableText('😀')).toBe(false);
  });
});

describe('findInvalidUtf8', () => {
  it('accepts UTF-8 and points at the first byte that is not, by line and column', () => {
    expect(findInvalidUtf8(Buffer.from('id,name\n1,café 😀\n', 'utf8'))).toBeUndefined();
    // "café" in ISO-8859-1: é is the single byte 0xE9, on line 2 after "1,caf" (5 bytes).
    expect(findInvalidUtf8(Buffer.from('id,name\n1,café\n', 'latin1'))).toEqual({
      offset: 13,
      line: 2,
      column: 6,
      byte: 0xe9,
    });
  });

  it('refuses overlong forms, encoded surrogates, code points over U+10FFFF and cut sequences', () => {
    expect(findInvalidUtf8(Uint8Array.of(0xc0, 0xaf))?.offset).toBe(0);
    expect(findInvalidUtf8(Uint8Array.of(0x41, 0xe0, 0x80, 0xaf))?.offset).toBe(1);
    expect(findInvalidUtf8(Uint8Array.of(0xed, 0xa0, 0x80))?.offset).toBe(0);
    expect(findInvalidUtf8(Uint8Array.of(0xf4, 0x90, 0x80, 0x80))?.offset).toBe(0);
    expect(findInvalidUtf8(Uint8Array.of(0x41, 0x42, 0xe2, 0x82))?.offset).toBe(2);
    expect(findInvalidUtf8(Uint8Array.of(0xf0, 0x9f, 0x98, 0x80))).toBeUndefined();
  });
});
