// CONTRACT (the notifications helper implements it): Runsight's own outbound HTTP requests —
// notification webhooks and scheduled-report delivery. Only configured destinations; private,
// loopback, link-local and cloud-metadata addresses refused unless config `outbound` allows them
// (checked on the resolved address, also after redirects, which are not followed); the body signed
// with HMAC-SHA256 over `${timestamp}.${body}` in `X-Runsight-Signature: t=TIMESTAMP,v1=HEX` when a
// secret is given.
import type { OutboundConfig } from './config.js';

export interface OutboundRequest {
  url: string;
  /** HMAC-SHA256 key; no header without it. */
  secret?: string | undefined;
  body: string;
  contentType: string;
  outbound?: OutboundConfig | undefined;
  signal?: AbortSignal | undefined;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number | undefined;
}

/** POSTs once; throws OutboundError (with the status, or the refusal reason) unless a 2xx came back. */
export async function postOutbound(_req: OutboundRequest): Promise<{ status: number }> {
  throw new Error('postOutbound is not built yet');
}
