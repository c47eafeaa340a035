// Limits for one blob transfer, so that a body trickling at a byte a second cannot hold a scan
// forever: an overall deadline scaled by size (base + size / minimum throughput) and a minimum
// throughput over each window (fewer bytes than minThroughput × window in a window aborts). The
// idle timeout between chunks (transport.ts) stays as the third, shortest guard.

export interface BlobLimits {
  /** Base deadline for any blob, ms (default 60 s; `registry.blobTimeout`). */
  baseMs: number;
  /** Bytes per second a blob must keep up (default 10 KiB/s; `registry.minThroughput`). */
  minThroughput: number;
  /** The window throughput is measured over, ms (default 30 s). */
  windowMs: number;
}

export const DEFAULT_BLOB_LIMITS: BlobLimits = { baseMs: 60_000, minThroughput: 10 * 1024, windowMs: 30_000 };

/** The overall deadline for a blob of `size` bytes (unknown size: the base alone). */
export function blobDeadlineMs(size: number | undefined, limits: BlobLimits): number {
  return limits.baseMs + Math.ceil(((size ?? 0) / limits.minThroughput) * 1000);
}

/**
 * Counts the bytes of `body` as they pass and calls `abort` with an explaining error when the
 * deadline passes or a window brings too few bytes (`failure()` then returns it). `stop()` clears
 * the timers (call it on close).
 */
export function guardBlobBody(
  body: ReadableStream<Uint8Array> | null,
  size: number | undefined,
  limits: BlobLimits,
  what: string,
  abort: (reason: Error) => void,
): { body: ReadableStream<Uint8Array> | null; stop(): void; failure(): Error | undefined } {
  if (!body) return { body, stop() {}, failure: () => undefined };
  let failed: Error | undefined;
  const fail = (e: Error) => {
    stop();
    failed = e;
    abort(e);
  };
  let received = 0;
  let atWindowStart = 0;
  const deadline = blobDeadlineMs(size, limits);
  const started = Date.now();
  const minPerWindow = (limits.minThroughput * limits.windowMs) / 1000;
  const overall = setTimeout(() => {
    fail(
      new Error(
        `${what} not complete within ${deadline} ms (${received} of ${size ?? '?'} bytes; deadline = registry.blobTimeout ${limits.baseMs} ms + size / registry.minThroughput ${limits.minThroughput} B/s)`,
      ),
    );
  }, deadline);
  const window = setInterval(() => {
    const got = received - atWindowStart;
    atWindowStart = received;
    if (got < minPerWindow) {
      const rate = Math.round((got * 1000) / limits.windowMs);
      fail(
        new Error(
          `${what} arrived at ${rate} B/s over the last ${limits.windowMs} ms after ${Date.now() - started} ms, below registry.minThroughput ${limits.minThroughput} B/s; the registry or network is stalling — retry later or lower registry.minThroughput`,
        ),
      );
    }
  }, limits.windowMs);
  function stop(): void {
    clearTimeout(overall);
    clearInterval(window);
  }
  const counted = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        received += chunk.length;
        controller.enqueue(chunk);
      },
      flush() {
        stop();
      },
    }),
  );
  return { body: counted, stop, failure: () => failed };
}
