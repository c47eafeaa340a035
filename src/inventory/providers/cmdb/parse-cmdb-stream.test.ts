// The streamed CMDB reader gives the same answer wherever the bytes are cut: each small file below
// is fed in two pieces split at every byte offset, and one byte at a time — through a quoted CSV
// field spanning lines, a doubled quote, CRLF, multi-byte UTF-8 characters, JSON strings holding
// brackets and escaped quotes — and must give the observations, bad rows (with their lines) and
// warnings written out by hand below.
import { describe, expect, it } from 'vitest';
import { metadataKeys } from '../../metadata-keys.js';
import { CmdbDecoder } from './decode-cmdb.js';
import { CmdbParser } from './parse-cmdb.js';

const keys = metadataKeys();

function read(chunks: Uint8Array[], format?: 'csv' | 'json' | 'jsonl') {
  const decoder = new CmdbDecoder('f.csv');
  const parser = new CmdbParser({ sourceName: 's', keys, format });
  const observations = [];
  for (const c of chunks) {
    parser.push(decoder.push(c));
    observations.push(...parser.take());
  }
  parser.push(decoder.end());
  parser.end();
  observations.push(...parser.take());
  return {
    format: parser.format,
    rows: parser.rows,
    observations: observations.map((o) => ({ id: o.id, container: o.container, labels: o.labels })),
    errors: parser.errors,
    warnings: parser.warnings,
  };
}

/** Every way of cutting `bytes`: in two at each offset, and into single bytes. */
function cuts(bytes: Uint8Array): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  for (let k = 0; k <= bytes.length; k++) out.push([bytes.subarray(0, k), bytes.subarray(k)]);
  out.push(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)));
  return out;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('the streamed CMDB reader, cut at every byte', () => {
  it('CSV: a quoted field over two lines, doubled quotes, CRLF, UTF-8 characters, a row after them', () => {
    const file = utf8(
      'source_id,container,image,labels\r\n' +
        'a-1,web,nginx:1.25,"note=""x, y"";café=1"\r\n' +
        'a-2,"multi\nline",busybox:1.36,\r\n' +
        'a-3,zürich,alpine:3.19,\r\n' +
        'a-4,only-two\r\n' +
        'a-1,dup,nginx:1.25,',
    );
    const expected = {
      format: 'csv',
      rows: 5,
      observations: [
        { id: 's/a-1', container: 'web', labels: { note: 'x, y', café: '1' } },
        { id: 's/a-2', container: 'multi\uFFFDline', labels: {} },
        { id: 's/a-3', container: 'zürich', labels: {} },
      ],
      errors: [
        { line: 6, reason: 'expected 4 fields as in the header, found 2' },
        { line: 7, reason: 'source_id "a-1" already used on line 2' },
      ],
      warnings: [
        { line: 3, reason: 'container: 1 control character (U+000A) replaced by U+FFFD → "multi�line"' },
      ],
    };
    for (const chunks of cuts(file)) expect(read(chunks)).toEqual(expected);
  });

  it('CSV: a quoted field still open at the end is reported with the line it starts on', () => {
    const file = utf8('source_id,container,image\nb-1,web,nginx\nb-2,"open,nginx\n');
    for (const chunks of cuts(file))
      expect(read(chunks)).toMatchObject({
        observations: [{ id: 's/b-1' }],
        errors: [{ line: 3, reason: 'unterminated quoted field starting on line 3' }],
      });
  });

  it('JSON: {"containers": [...]} among other keys, strings holding brackets and quotes, a bad element', () => {
    const file = utf8(
      '{"version": 2, "meta": {"note": "a ] } [ { \\" quote"},\n' +
        ' "containers": [\n' +
        '  {"sourceId": "j-1", "container": "web", "image": "nginx:1.25",\n' +
        '   "labels": {"k": "v]}\\"{"}},\n' +
        '  "not an object",\n' +
        '  {"sourceId": "j-2", "container": "c\\u00e9", "image": "alpine:3.19"},\n' +
        '  {"sourceId": "j-3", "container": "ü", "image": "busybox"}\n' +
        ' ], "after": [1, {"x": "]"}]}\n',
    );
    const expected = {
      format: 'json',
      rows: 4,
      observations: [
        { id: 's/j-1', container: 'web', labels: { k: 'v]}"{' } },
        { id: 's/j-2', container: 'cé', labels: {} },
        { id: 's/j-3', container: 'ü', labels: {} },
      ],
      errors: [{ line: 5, reason: 'expected an object with the documented keys' }],
      warnings: [],
    };
    for (const chunks of cuts(file)) expect(read(chunks)).toEqual(expected);
  });

  it('JSON: a plain array; a document cut short is not valid JSON at the element it stops in', () => {
    const good = utf8(
      '[\n {"sourceId": "k-1", "container": "a", "image": "nginx"},\n {"sourceId": "k-2",\n  "container": "b", "image": "nginx"}\n]',
    );
    for (const chunks of cuts(good))
      expect(read(chunks).observations.map((o) => o.id)).toEqual(['s/k-1', 's/k-2']);
    const cut = utf8('[\n {"sourceId": "k-1", "container": "a", "image": "nginx"},\n {"sourceId": "k-2",\n');
    for (const chunks of cuts(cut))
      expect(read(chunks)).toMatchObject({
        observations: [{ id: 's/k-1' }],
        errors: [{ line: 3, reason: 'not valid JSON: Unexpected end of JSON input' }],
      });
  });

  it('JSON Lines: blank lines skipped, a broken line reported with its number', () => {
    const file = utf8(
      '{"sourceId":"l-1","container":"a","image":"nginx"}\n' +
        '\n' +
        '{"sourceId":"l-2","container":"b","image":"nginx"\n' +
        '{"sourceId":"l-3","container":"ü","image":"nginx"}\n',
    );
    for (const chunks of cuts(file)) {
      const r = read(chunks);
      expect(r.format).toBe('jsonl');
      expect(r.observations.map((o) => [o.id, o.container])).toEqual([
        ['s/l-1', 'a'],
        ['s/l-3', 'ü'],
      ]);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]!.line).toBe(3);
      expect(r.errors[0]!.reason).toMatch(/^not valid JSON: /);
    }
  });

  it('a Latin-1 byte is refused with its line and column wherever the chunks are cut', () => {
    // "zürich" in ISO-8859-1: ü is the single byte 0xFC, line 2, after "vm-1,z" (6 bytes).
    const file = Buffer.from('source_id,container,image\nvm-1,zürich,nginx\n', 'latin1');
    for (const chunks of cuts(file))
      expect(() => read(chunks)).toThrow(
        /^f\.csv: line 2, column 7: byte 0xFC is not UTF-8; nothing was imported/,
      );
    // A UTF-8 character cut short by the end of the file: its first byte, where it starts.
    const short = new Uint8Array([...utf8('source_id\nab'), 0xc3]);
    for (const chunks of cuts(short))
      expect(() => read(chunks)).toThrow(/line 2, column 3: byte 0xC3 is not UTF-8/);
  });
});
