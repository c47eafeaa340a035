// Fetches one feed file over HTTP: conditional (If-None-Match / If-Modified-Since → 304 means
// unchanged), streamed to a file under a size ceiling (a Content-Length above it stops before the
// body; a body that grows past it is cut off), resumed with `Range` + `If-Range` when the
// connection drops mid-body and the server supports ranges (RFC 9110 §14), and checked against the
// announced length. Any failure throws FeedError; the caller's previous data stays in force.
import { open } from 'node:fs/promises';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import { FeedError } from './errors.js';

export interface DownloadRequest {
  url: string;
  dest: string;
  maxBytes: number;
  /** Validators of the copy in force: sent so that an unchanged feed answers 304. */
  etag?: string | null | undefined;
  lastModified?: string | null | undefined;
  /** Resumptions after a dropped connection (default 3). */
  maxResumes?: number | undefined;
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
  /** Injected for tests; the global fetch otherwise. */
  fetch?: typeof fetch | undefined;
}

export type DownloadResult =
  | { status: 'unchanged' }
  | {
      status: 'downloaded';
      bytes: number;
      etag: string | null;
      lastModified: string | null;
      /** How many times the body was resumed with a Range request. */
      resumed: number;
    };

export async function downloadFeed(req: DownloadRequest): Promise<DownloadResult> {
  const doFetch = req.fetch ?? fetch;
  const logger = req.logger ?? silentLogger;
  const headers: Record<string, string> = {};
  if (req.etag) headers['if-none-match'] = req.etag;
  if (req.lastModified) headers['if-modified-since'] = req.lastModified;
  let res = await request(doFetch, req.url, headers, req.signal);
  if (res.status === 304) {
    await res.body?.cancel();
    return { status: 'unchanged' };
  }
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel();
    throw new FeedError(`${req.url} answered HTTP ${res.status}; expected 200 with the feed file (or 304)`);
  }
  const etag = res.headers.get('etag');
  const lastModified = res.headers.get('last-modified');
  const validator = etag && !etag.startsWith('W/') ? etag : lastModified;
  let total = contentLength(res, req);
  const fh = await open(req.dest, 'w');
  let written = 0;
  let resumed = 0;
  try {
    for (;;) {
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          written += chunk.byteLength;
          if (written > req.maxBytes) {
            throw new FeedError(
              `${req.url} is larger than the ${req.maxBytes}-byte ceiling (advisories.maxDownloadBytes); nothing was loaded`,
            );
          }
          await fh.write(chunk);
        }
        break;
      } catch (err) {
        if (err instanceof FeedError || req.signal?.aborted) throw err;
        if (resumed >= (req.maxResumes ?? 3)) {
          throw new FeedError(
            `${req.url}: the connection dropped at byte ${written} (${(err as Error).message}) after ${resumed} resumption(s)`,
            { cause: err },
          );
        }
        if (res.headers.get('accept-ranges') !== 'bytes' || !validator) {
          throw new FeedError(
            `${req.url}: the connection dropped at byte ${written} (${(err as Error).message}) and the server does not offer byte ranges to resume`,
            { cause: err },
          );
        }
        resumed++;
        logger.info('resuming feed download', { url: req.url, from: written });
        res = await request(
          doFetch,
          req.url,
          { range: `bytes=${written}-`, 'if-range': validator },
          req.signal,
        );
        if (res.status === 206 && res.body) {
          const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
          if (!m || Number(m[1]) !== written) {
            await res.body.cancel();
            throw new FeedError(
              `${req.url}: asked to resume at byte ${written}, the server sent Content-Range "${res.headers.get('content-range')}"`,
            );
          }
          if (m[2] !== '*') total = Number(m[2]);
        } else if (res.status === 200 && res.body) {
          // The file changed (If-Range failed) or ranges are ignored: start again.
          await fh.truncate(0);
          written = 0;
          total = contentLength(res, req);
        } else {
          await res.body?.cancel();
          throw new FeedError(`${req.url}: resuming at byte ${written} gave HTTP ${res.status}`);
        }
      }
    }
  } finally {
    await fh.close();
  }
  if (total !== undefined && written !== total) {
    throw new FeedError(`${req.url}: received ${written} bytes, the server announced ${total}`);
  }
  return { status: 'downloaded', bytes: written, etag, lastModified, resumed };
}

async function request(
  doFetch: typeof fetch,
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<Response> {
  try {
    return await doFetch(url, { headers, signal, redirect: 'follow' });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new FeedError(`could not fetch ${url}: ${(err as Error).message}`, { cause: err });
  }
}

/** The announced length; a length above the ceiling stops the download before the body is read. */
function contentLength(res: Response, req: DownloadRequest): number | undefined {
  const h = res.headers.get('content-length');
  if (h === null || !/^\d+$/.test(h)) return undefined;
  const n = Number(h);
  if (n > req.maxBytes) {
    void res.body?.cancel();
    throw new FeedError(
      `${req.url} is ${n} bytes, above the ${req.maxBytes}-byte ceiling (advisories.maxDownloadBytes); nothing was downloaded`,
    );
  }
  return n;
}
