// Large JSON answers written a chunk at a time: the response starts before the whole document is
// serialised, and no single string holds it. `streamJsonPage` writes `{"items":[…],"next":…}`;
// `streamJsonDocument` writes any object, its array fields item by item (vuln where's containers).
// The bytes are those of `JSON.stringify(doc)` (fields in order, undefined ones left out).
//
// A document with few array items is sent as one string with its Content-Length instead: the
// stream's per-chunk work (a web-stream pull, an encode and a socket write per chunk) costs more
// than it saves on an answer of a few hundred kilobytes.

/** Array items up to which a document goes out as one string. */
export const WHOLE_ITEMS = 2000;
/** Characters per streamed chunk (about): few enqueues and socket writes, small strings. */
const CHUNK_CHARS = 64 * 1024;

const JSON_TYPE = 'application/json; charset=utf-8';

export function streamJsonPage(items: readonly unknown[], next: string | null): Response {
  return streamJsonDocument({ items, next });
}

export function streamJsonDocument(doc: Readonly<Record<string, unknown>>): Response {
  let items = 0;
  for (const value of Object.values(doc)) if (Array.isArray(value)) items += value.length;
  if (items <= WHOLE_ITEMS)
    return new Response(JSON.stringify(doc), { status: 200, headers: { 'content-type': JSON_TYPE } });
  const encoder = new TextEncoder();
  const parts = jsonParts(doc);
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = parts.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': JSON_TYPE } });
}

function* jsonParts(doc: Readonly<Record<string, unknown>>): Generator<string> {
  let text = '{';
  let first = true;
  for (const [key, value] of Object.entries(doc)) {
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    text += `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (!Array.isArray(value)) {
      text += JSON.stringify(value);
      continue;
    }
    text += '[';
    for (let i = 0; i < value.length; i++) {
      // JSON.stringify writes null for an undefined array element; so does this.
      text += (i ? ',' : '') + (JSON.stringify(value[i]) ?? 'null');
      if (text.length >= CHUNK_CHARS) {
        yield text;
        text = '';
      }
    }
    text += ']';
  }
  yield `${text}}`;
}
