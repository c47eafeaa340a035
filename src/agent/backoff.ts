// Retry delays of the agent (docs/agent.md "When the server is away"): exponential backoff with
// full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"), capped; a server's
// Retry-After, when it sends one, is honoured instead (RFC 9110 §10.2.3: seconds or an HTTP date).

export interface BackoffOptions {
  /** First delay's ceiling (default 500 ms). */
  initialMs: number;
  /** Largest delay (default 30 s). */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

/** The delay before retry number `attempt` (0 = the first retry): uniform in [ceiling/2, ceiling]. */
export function backoffDelay(attempt: number, random: () => number, opts = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** A Retry-After header as milliseconds from `now` (undefined when absent or unreadable), capped. */
export function retryAfterMs(
  header: string | null | undefined,
  now: number,
  maxMs = 10 * 60_000,
): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d{1,9}$/.test(text)) return Math.min(Number(text) * 1000, maxMs);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - now), maxMs);
}
