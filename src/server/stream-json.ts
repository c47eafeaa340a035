// Large JSON answers written a chunk at a time: the response starts before the whole document is
// serialised, and no single string holds it. `streamJsonPage` writes `{"items":[…],"next":…}`;
// `streamJsonDocument` writes any object, its array fields item by item (vuln where's containers).
// The bytes are those of `JSON.stringify(doc)` (fields in order, undefined ones left out).

/** Items per chunk: few enqueues, small strings. */
const CHUNK_ITEMS = 100;

export function streamJsonPage(items: readonly unknown[], next: string | null): Response {
  return streamJsonDocument({ items, next });
}

export function streamJsonDocument(doc: Readonly<Record<string, unknown>>): Response {
  const encoder = new TextEncoder();
  const parts = jsonParts(doc);
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = parts.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } });
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
      if ((i + 1) % CHUNK_ITEMS === 0) {
        yield text;
        text = '';
      }
    }
    text += ']';
  }
  yield `${text}}`;
}
