// A page of items written as `{"items":[…],"next":…}` one item at a time: the response starts
// before the whole page is serialised, and no single string holds it.
export function streamJsonPage(items: readonly unknown[], next: string | null): Response {
  const encoder = new TextEncoder();
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i === 0 && items.length === 0) {
        controller.enqueue(encoder.encode(`{"items":[],"next":${JSON.stringify(next)}}`));
        controller.close();
        i = 1;
        return;
      }
      // Up to 100 items per chunk: few enqueues, small strings.
      const end = Math.min(items.length, i + 100);
      let text = i === 0 ? '{"items":[' : '';
      for (; i < end; i++) text += (i ? ',' : '') + JSON.stringify(items[i]);
      if (i === items.length) {
        text += `],"next":${JSON.stringify(next)}}`;
        controller.enqueue(encoder.encode(text));
        controller.close();
      } else controller.enqueue(encoder.encode(text));
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } });
}
