// streamJsonDocument: a large document goes out in chunks, a small one as one string — and either
// way the bytes are JSON.stringify's (the CLI and the API compare documents as text).
import { describe, expect, it } from 'vitest';
import { streamJsonDocument, WHOLE_ITEMS } from './stream-json.js';

const row = (i: number) => ({
  key: `ns-${i}`,
  name: i % 3 ? `plain ${i}` : `quote " back\\slash \u2028 snow ☃ ${i}`,
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60)),
  figures: { critical: i % 5, total: i },
  gone: undefined,
  none: null,
});

describe('streamJsonDocument', () => {
  it('streams a document with more array items than WHOLE_ITEMS, byte for byte JSON.stringify', async () => {
    const doc = {
      by: 'container',
      groups: Array.from({ length: WHOLE_ITEMS * 3 + 7 }, (_, i) => row(i)),
      skipped: undefined,
      holes: [1, undefined, 3],
      totals: { containers: 6007 },
      priorities: [],
    };
    const res = streamJsonDocument(doc);
    expect(res.body).not.toBeNull();
    const reader = res.body!.getReader();
    let chunks = 0;
    const parts: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks++;
      parts.push(value);
    }
    const text = Buffer.concat(parts).toString('utf8');
    expect(chunks).toBeGreaterThan(1);
    expect(text).toBe(JSON.stringify(doc));
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('sends a small document as one string', async () => {
    const doc = { groups: [row(1), row(2)], next: null };
    const text = await streamJsonDocument(doc).text();
    expect(text).toBe(JSON.stringify(doc));
  });
});
