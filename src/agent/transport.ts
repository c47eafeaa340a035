// The agent's calls to the server (docs/agent.md "Protocol"): batches to
// POST /api/v1/inventory/{source}/batches?kind=kubernetes and heartbeats to
// POST /api/v1/agents/heartbeat, gzip-compressed, with the token in the Authorization header only
// (never in a message). Each answer is classified once: taken, worth retrying (no answer, timeout,
// 408, 429, 5xx — with the server's Retry-After), refused for the token (401, 403), or refused.
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { retryAfterMs } from './backoff.js';

const gzip = promisify(gzipCallback);

export type Outcome =
  | { kind: 'ok'; status: number; body: unknown; replayed: boolean }
  | { kind: 'retry'; reason: string; afterMs?: number | undefined }
  | { kind: 'auth'; status: number; message: string }
  | { kind: 'refused'; status: number; message: string };

export interface TransportOptions {
  server: string;
  token: string;
  userAgent: string;
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number | undefined;
  fetch?: typeof fetch | undefined;
  now?: () => number;
}

export interface Transport {
  /** POSTs `json` (gzip) to `path`; `batchId` goes in the Idempotency-Key header. */
  post(
    path: string,
    json: string,
    batchId?: string,
    signal?: AbortSignal,
  ): Promise<Outcome & { sentBytes: number }>;
}

export function createTransport(opts: TransportOptions): Transport {
  const base = opts.server.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  return {
    async post(path, json, batchId, signal) {
      const body = await gzip(Buffer.from(json));
      const headers: Record<string, string> = {
        authorization: `Bearer ${opts.token}`,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'user-agent': opts.userAgent,
      };
      if (batchId) headers['idempotency-key'] = batchId;
      const timeout = AbortSignal.timeout(opts.timeoutMs ?? 60_000);
      let res: Response;
      try {
        res = await doFetch(`${base}${path}`, {
          method: 'POST',
          headers,
          body,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (err) {
        const e = err as Error & { cause?: { code?: string } };
        const reason = timeout.aborted ? 'timed out' : (e.cause?.code ?? e.message);
        return { kind: 'retry', reason: `no answer from ${base}: ${reason}`, sentBytes: body.byteLength };
      }
      const text = await res.text().catch(() => '');
      const sentBytes = body.byteLength;
      if (res.ok) {
        let parsed: unknown;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        return {
          kind: 'ok',
          status: res.status,
          body: parsed,
          replayed: res.headers.get('idempotent-replayed') === 'true',
          sentBytes,
        };
      }
      const message = serverMessage(text) ?? res.statusText;
      if (res.status === 408 || res.status === 429 || res.status >= 500)
        return {
          kind: 'retry',
          reason: `server answered ${res.status}: ${message}`,
          afterMs: retryAfterMs(res.headers.get('retry-after'), now()),
          sentBytes,
        };
      if (res.status === 401 || res.status === 403)
        return { kind: 'auth', status: res.status, message, sentBytes };
      return { kind: 'refused', status: res.status, message, sentBytes };
    },
  };
}

/** The `error.message` of the API's error body, cleaned of control characters and cut short. */
function serverMessage(text: string): string | undefined {
  try {
    const m = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    return typeof m === 'string' ? m.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, 500) : undefined;
  } catch {
    return undefined;
  }
}
