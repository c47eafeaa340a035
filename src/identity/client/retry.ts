// Retry timing: exponential backoff with jitter and a cap (AWS architecture blog "Exponential Backoff
// And Jitter": full and equal jitter), the Retry-After header (RFC 9110 §10.2.3: delay-seconds or an
// HTTP-date), and which failures are worth retrying at all (not a certificate that will not verify).

export interface RetryPolicy {
  /** Attempts after the first. */
  retries: number;
  /** First backoff step, ms. */
  baseDelayMs: number;
  /** Upper bound for any single wait, ms (also caps Retry-After). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 500, maxDelayMs: 30_000 };

export function backoffMs(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * The wait before retry `attempt` (0-based) after a 5xx, 429 without Retry-After, or a network
 * error: exponential with "equal jitter" — half the step is fixed, half random — so the waits
 * really grow (500 ms policy: 250–500, 500–1000, 1000–2000, 2000–4000 ms) yet clients spread out.
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}

/** Milliseconds to wait per a Retry-After value, or undefined when absent or unparsable. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** TLS failures that another attempt cannot fix (Node/OpenSSL error codes). */
const PERMANENT_TLS = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'HOSTNAME_MISMATCH',
]);

/** The error code of a permanent TLS failure somewhere in `err`'s cause chain, else undefined. */
export function permanentTlsCode(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string' && PERMANENT_TLS.has(e.code)) return e.code;
    e = e.cause as typeof e;
  }
  return undefined;
}
