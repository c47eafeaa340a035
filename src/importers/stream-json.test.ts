// The streaming JSON reader against JSON.parse (the reference) on the real reports of testdata/,
// cut into chunks at every awkward place; its errors against hand-made broken inputs; and the
// streamed arrays handing over their elements one by one.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JsonStreamParser, parseJsonStream, StreamJsonError } from './stream-json.js';

const DIR = new URL('../../testdata/importers/', import.meta.url).pathname;
const REPORTS = readdirSync(DIR)
  .filter((d) => statSync(DIR + d).isDirectory())
  .flatMap((d) => readdirSync(DIR + d).map((f) => `${DIR}${d}/${f}`))
  .filter((f) => /\.json(\.golden)?$/.test(f));

function chunked(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

async function parseError(text: string, size = 3): Promise<StreamJsonError> {
  try {
    await parseJsonStream(chunked(text, size));
  } catch (err) {
    if (err instanceof StreamJsonError) return err;
    throw err;
  }
  throw new Error(`parsed: ${text}`);
}

describe('parseJsonStream', () => {
  it('builds what JSON.parse builds from every real report, whatever the chunk size', async () => {
    expect(REPORTS.length).toBeGreaterThan(20);
    for (const f of REPORTS) {
      const text = readFileSync(f, 'utf8');
      const want = JSON.parse(text);
      for (const size of [1, 7, 4096, text.length])
        expect(await parseJsonStream(chunked(text, size)), `${f} in chunks of ${size}`).toEqual(want);
    }
  });

  it('reads escapes, unicode, numbers and literals cut anywhere', async () => {
    const text =
      '{"a\\"b": "x\\\\", "u": "\\u00e9\\ud83d\\ude00 é😀", "n": [-0, 1.5e3, -2E-2, 0.25, 10], "t": [true, false, null], "e": {}, "l": [], "__proto__": 1}';
    for (let size = 1; size <= text.length; size++) {
      const got = await parseJsonStream(chunked(text, size));
      expect(got).toEqual(JSON.parse(text));
    }
    expect(Object.getPrototypeOf(await parseJsonStream([text]))).toBe(Object.prototype);
  });

  it('hands the selected arrays over element by element and keeps what the callback returns', async () => {
    const text =
      '{"Results":[{"Target":"a","Vulnerabilities":[{"id":1,"x":[1]},{"id":2}]},{"Vulnerabilities":[{"id":3}]}],"Vulnerabilities":[{"id":9}]}';
    const seen: unknown[] = [];
    const paths: string[] = [];
    const doc = await parseJsonStream(chunked(text, 5), (path) => {
      paths.push(path.join('.'));
      if (path.length === 3 && path[0] === 'Results' && path[2] === 'Vulnerabilities')
        return {
          each: (el) => {
            seen.push(el);
            return (el as { id: number }).id === 2 ? undefined : { kept: (el as { id: number }).id };
          },
        };
      return undefined;
    });
    expect(seen).toEqual([{ id: 1, x: [1] }, { id: 2 }, { id: 3 }]);
    expect(doc).toEqual({
      Results: [{ Target: 'a', Vulnerabilities: [{ kept: 1 }] }, { Vulnerabilities: [{ kept: 3 }] }],
      Vulnerabilities: [{ id: 9 }],
    });
    // arrays inside a streamed element are not offered (the element is built whole)
    expect(paths).toEqual([
      'Results',
      'Results.0.Vulnerabilities',
      'Results.1.Vulnerabilities',
      'Vulnerabilities',
    ]);
  });

  it('with keys, builds only those members of each element and still checks the rest', async () => {
    const text =
      '{"m":[{"id":"a","Description":"long \\" text","References":["u",{"x":[1,2,{"y":null}]}],"n":{"k":1}},{"n":2,"id":"b","z":true}],"Description":"kept"}';
    const select = (path: readonly unknown[]) =>
      path.join('.') === 'm' ? { each: (el: unknown) => el, keys: new Set(['id', 'n']) } : undefined;
    for (const size of [1, 2, 5, text.length])
      expect(await parseJsonStream(chunked(text, size), select)).toEqual({
        m: [
          { id: 'a', n: { k: 1 } },
          { n: 2, id: 'b' },
        ],
        Description: 'kept',
      });
    await expect(parseJsonStream(['{"m":[{"id":"a","Description":[1 2]}]}'], select)).rejects.toMatchObject({
      position: 33,
      truncated: false,
    });
    await expect(
      parseJsonStream(['{"m":[{"id":"a","Description":"\u0001"}]}'], select),
    ).rejects.toMatchObject({
      position: 31,
      truncated: false,
    });
    await expect(parseJsonStream(['{"m":[{"id":"a","Description":"x'], select)).rejects.toMatchObject({
      truncated: true,
    });
  });

  it('says where malformed input breaks, and tells a truncated document apart', async () => {
    expect(await parseError('{"a": 1,, "b": 2}')).toMatchObject({ position: 8, truncated: false });
    expect((await parseError('{"a": 1,, "b": 2}')).message).toMatch(
      /expected a string key, found ",".* at position 8/,
    );
    expect(await parseError('[1 2]')).toMatchObject({ position: 3, truncated: false });
    expect(await parseError('{"a" 1}')).toMatchObject({ position: 5, truncated: false });
    expect(await parseError('[01]')).toMatchObject({ truncated: false });
    expect(await parseError('[1.]')).toMatchObject({ truncated: false });
    expect(await parseError('[tru]')).toMatchObject({ position: 1, truncated: false });
    expect(await parseError('["a\u0001"]')).toMatchObject({ position: 3, truncated: false });
    expect(await parseError('["\\x"]')).toMatchObject({ position: 2, truncated: false });
    expect(await parseError('{} {}')).toMatchObject({ position: 3, truncated: false });
    expect(await parseError('[1,]')).toMatchObject({ position: 3, truncated: false });
    expect(await parseError('{"a": [1, {"b": "c')).toMatchObject({ truncated: true });
    expect(await parseError('{"a": [1, {"b": "c"}')).toMatchObject({ position: 20, truncated: true });
    expect(await parseError('{"a": tr')).toMatchObject({ truncated: true });
    expect(await parseError('')).toMatchObject({ position: 0, truncated: true });
  });

  it('refuses nesting and strings past its limits with the reason', async () => {
    const limits = { maxDepth: 4, maxStringLength: 10 };
    const run = (text: string) => {
      const p = new JsonStreamParser(() => undefined, limits);
      for (const c of chunked(text, 2)) p.write(c);
      return p.end();
    };
    expect(run('[[[[1]]]]')).toEqual([[[[1]]]]);
    expect(() => run('[[[[[1]]]]]')).toThrow(/nesting deeper than 4 levels at position 4/);
    expect(run('["123456789"]')).toEqual(['123456789']);
    expect(() => run('["1234567890123"]')).toThrow(/a string longer than 10 characters/);
    expect(() => run('["1234567890123')).toThrow(/a string longer than 10 characters/);
  });
});
