// Request bodies sent with `Content-Encoding: gzip` (the agent's batches, docs/agent.md): inflated
// here, before the body limit, so server.maxBodyBytes bounds the DECOMPRESSED size. Inflation
// streams and stops at the limit (413), so a small body that inflates to gigabytes costs at most
// the limit in memory. Any other content encoding is refused with 415; a corrupt stream is a 400.
import { createGunzip } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './context.js';
import { ApiError } from './errors.js';

/** `skip`: paths whose routes stream their own bodies (imports): left as they come. */
export function gunzipBody(maxBytes: () => number, skip: readonly string[] = []): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (skip.includes(c.req.path)) return next();
    const encoding = c.req.header('content-encoding')?.trim().toLowerCase();
    if (!encoding || encoding === 'identity') return next();
    if (encoding !== 'gzip')
      throw new ApiError(
        415,
        'unsupported_encoding',
        `Content-Encoding ${encoding.slice(0, 40)}: only gzip is accepted`,
      );
    const limit = maxBytes();
    const body = await inflate(c.req.raw.body, limit);
    const headers = new Headers(c.req.raw.headers);
    headers.delete('content-encoding');
    headers.set('content-length', String(body.byteLength));
    c.req.raw = new Request(c.req.raw.url, {
      method: c.req.raw.method,
      headers,
      body,
      signal: c.req.raw.signal,
    });
    return next();
  };
}

async function inflate(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (!stream) return new Uint8Array();
  const gunzip = createGunzip();
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  const done = new Promise<void>((resolve, reject) => {
    gunzip.on('data', (b: Buffer) => {
      size += b.byteLength;
      if (size > limit) {
        tooLarge = true;
        gunzip.destroy();
        resolve();
        return;
      }
      chunks.push(b);
    });
    gunzip.on('end', () => resolve());
    gunzip.on('close', () => resolve());
    gunzip.on('error', (err) => reject(err));
  });
  const reader = stream.getReader();
  try {
    for (;;) {
      if (tooLarge) break;
      const { done: ended, value } = await reader.read();
      if (ended) break;
      if (!gunzip.write(value)) await new Promise((r) => gunzip.once('drain', r).once('close', r));
    }
    if (!tooLarge) gunzip.end();
    await done;
  } catch (err) {
    throw new ApiError(
      400,
      'invalid_request',
      `the gzip body could not be inflated: ${(err as Error).message}`,
    );
  } finally {
    await reader.cancel().catch(() => {});
  }
  if (tooLarge)
    throw new ApiError(
      413,
      'body_too_large',
      `the request body is larger than ${limit} bytes once decompressed`,
    );
  return Buffer.concat(chunks);
}
