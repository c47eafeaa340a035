// HTTP transport to one registry over Node's fetch: HTTPS, or plain HTTP only for registries the user
// names as insecure; a per-registry concurrency limit; a per-request timeout (re-armed between blob
// chunks); retries with exponential backoff and jitter on 429/5xx/network errors honouring
// Retry-After, but none for a TLS certificate that will not verify; manual redirects that keep
// credentials on the registry's origin and never downgrade to HTTP; one retry on 401 after taking
// the challenge (token-exchange.ts). Each HTTP exchange is logged at debug level (method, URL without
// query or userinfo, status, milliseconds — never a header). Failures are typed (error-mapping.ts).
import { RunsightError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { RegistryError, RegistryUnavailableError } from '../errors.js';
import { registryEndpointHost } from '../reference.js';
import { causeText, errorForResponse, type FailedRequest, hintFor } from './error-mapping.js';
import { Limiter } from './limiter.js';
import {
  DEFAULT_RETRY,
  isRetryableStatus,
  permanentTlsCode,
  type RetryPolicy,
  retryAfterMs,
  retryDelayMs,
  sleep,
} from './retry.js';
import type { TokenExchange } from './token-exchange.js';

export interface TransportOptions {
  /** Registries (host[:port]) reached over plain HTTP; every other registry is HTTPS only. */
  insecureRegistries?: readonly string[] | undefined;
  /** Requests in flight per registry (default 8). */
  concurrency?: number | undefined;
  /** Time allowed for a response's headers, and between two chunks of a blob (default 30 s). */
  timeoutMs?: number | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  /** Blob transfer limits (blob-deadline.ts): base deadline and minimum throughput. */
  blobTimeoutMs?: number | undefined;
  /** Bytes per second a blob must keep up over each throughput window (default 10 KiB/s). */
  minThroughput?: number | undefined;
  /** The window the minimum throughput is measured over (default 30 s). */
  throughputWindowMs?: number | undefined;
  logger?: Logger | undefined;
  userAgent?: string | undefined;
}

export interface SendOptions extends FailedRequest {
  method: 'GET' | 'HEAD';
  path: string;
  accept?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface Sent {
  res: Response;
  /** Releases the concurrency slot and the timeout; call once the body is consumed. */
  done(): void;
  /** Re-arms the timeout (blob streaming: time between chunks). */
  touch(): void;
  /** Aborts the exchange (the body stream errors with `reason`). */
  abort(reason: Error): void;
  url: string;
}

const MAX_REDIRECTS = 5;

/** The resolved timeout and user agent, shared with the token exchange. */
export function transportSettings(opts: TransportOptions): { timeoutMs: number; userAgent: string } {
  return { timeoutMs: opts.timeoutMs ?? 30_000, userAgent: opts.userAgent ?? 'runsight' };
}

export class RegistryTransport {
  readonly registry: string;
  readonly baseUrl: string;
  readonly limiter: Limiter;
  private readonly auth: TokenExchange;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly logger: Logger | undefined;
  private readonly userAgent: string;

  constructor(registry: string, auth: TokenExchange, opts: TransportOptions = {}) {
    this.registry = registry;
    const host = registryEndpointHost(registry);
    const insecure =
      (opts.insecureRegistries ?? []).includes(registry) || (opts.insecureRegistries ?? []).includes(host);
    this.baseUrl = `${insecure ? 'http' : 'https'}://${host}`;
    this.limiter = new Limiter(opts.concurrency ?? 8);
    this.auth = auth;
    const { timeoutMs, userAgent } = transportSettings(opts);
    this.timeoutMs = timeoutMs;
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.logger = opts.logger;
    this.userAgent = userAgent;
  }

  /** Sends one logical request: auth, redirects, retries, error mapping. The caller must call done(). */
  async send(o: SendOptions): Promise<Sent> {
    let authRetried = false;
    let lastAuth: string | undefined;
    for (let attempt = 0; ; attempt++) {
      const release = await this.limiter.acquire(o.signal);
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(
          () => controller.abort(new Error(`no response within ${this.timeoutMs} ms`)),
          this.timeoutMs,
        );
      };
      const onUserAbort = () => controller.abort(o.signal?.reason);
      o.signal?.addEventListener('abort', onUserAbort, { once: true });
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onUserAbort);
        release();
      };
      arm();
      let res: Response;
      let url = `${this.baseUrl}${o.path}`;
      try {
        lastAuth = await this.auth.authorization(o.scope, o.signal);
        res = await this.fetchFollowing(url, o, lastAuth, controller.signal, (u) => {
          url = u;
        });
      } catch (err) {
        done();
        // Typed failures (auth, config, redirects) are final; only transport errors are retried.
        if (err instanceof RunsightError || o.signal?.aborted) throw err;
        const tls = permanentTlsCode(err);
        if (tls)
          throw new RegistryUnavailableError(
            `${this.registry} failed the TLS check for ${o.what} at ${url} (${tls}: ${causeText(err)}); not retried — the certificate will not verify on another attempt: fix the registry's certificate, add its CA to NODE_EXTRA_CA_CERTS, or, for a registry that speaks plain HTTP, pass --insecure-registry`,
            { registry: this.registry, cause: err },
          );
        if (attempt < this.retry.retries) {
          const wait = retryDelayMs(attempt, this.retry);
          this.logger?.debug?.('registry request failed; retrying', {
            registry: this.registry,
            what: o.what,
            error: causeText(err),
            waitMs: wait,
          });
          await sleep(wait, o.signal);
          continue;
        }
        throw new RegistryUnavailableError(
          `${this.registry} could not be reached for ${o.what} at ${url} after ${attempt + 1} attempts: ${causeText(err)}; ${hintFor(err, this.baseUrl)}`,
          { registry: this.registry, cause: err },
        );
      }
      if (res.status === 401 && !authRetried) {
        await res.arrayBuffer().catch(() => undefined);
        done();
        this.auth.acceptChallenge(
          res.headers.get('www-authenticate') ?? '',
          o.what,
          o.scope,
          Boolean(lastAuth),
        );
        authRetried = true;
        attempt--;
        continue;
      }
      if (isRetryableStatus(res.status) && attempt < this.retry.retries) {
        await res.arrayBuffer().catch(() => undefined);
        done();
        const after = retryAfterMs(res.headers.get('retry-after'));
        const wait = Math.min(this.retry.maxDelayMs, after ?? retryDelayMs(attempt, this.retry));
        this.logger?.debug?.('registry busy; retrying', {
          registry: this.registry,
          what: o.what,
          status: res.status,
          waitMs: wait,
        });
        await sleep(wait, o.signal);
        continue;
      }
      if (!res.ok) {
        const text = o.method === 'HEAD' ? '' : await res.text().catch(() => '');
        done();
        const credentials = await this.auth.credentials().catch(() => undefined);
        throw errorForResponse(res.status, text, o, {
          registry: this.registry,
          baseUrl: this.baseUrl,
          credentials,
          hadAuth: lastAuth !== undefined,
          attempt,
        });
      }
      return { res, done, touch: arm, abort: (reason) => controller.abort(reason), url };
    }
  }

  /** fetch with manual redirects: credentials are only sent to the registry's own origin. */
  private async fetchFollowing(
    first: string,
    o: SendOptions,
    auth: string | undefined,
    signal: AbortSignal,
    onUrl: (u: string) => void,
  ): Promise<Response> {
    const origin = new URL(this.baseUrl).origin;
    let url = first;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { 'user-agent': this.userAgent };
      if (o.accept) headers.accept = o.accept;
      if (auth && new URL(url).origin === origin) headers.authorization = auth;
      const t0 = performance.now();
      let res: Response;
      try {
        res = await fetch(url, { method: o.method, headers, redirect: 'manual', signal });
      } catch (err) {
        this.logger?.debug('registry request', {
          method: o.method,
          url: loggableUrl(url),
          error: causeText(err),
          ms: Math.round(performance.now() - t0),
        });
        throw err;
      }
      this.logger?.debug('registry request', {
        method: o.method,
        url: loggableUrl(url),
        status: res.status,
        ms: Math.round(performance.now() - t0),
      });
      if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
        await res.arrayBuffer().catch(() => undefined);
        if (hop >= MAX_REDIRECTS)
          throw new RegistryError(`${o.what}: more than ${MAX_REDIRECTS} redirects`, {
            registry: this.registry,
            status: res.status,
          });
        const next = new URL(res.headers.get('location')!, url);
        if (next.protocol === 'http:' && new URL(url).protocol === 'https:')
          throw new RegistryError(
            `${o.what}: ${this.registry} redirected from HTTPS to plain HTTP (${next.origin}); refusing to downgrade`,
            { registry: this.registry },
          );
        url = next.toString();
        onUrl(url);
        continue;
      }
      return res;
    }
  }
}

/** A URL fit for logs: no userinfo, no query (signed blob-storage URLs carry secrets there). */
export function loggableUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(unparsable URL)';
  }
}

/** Reads a small response body whole, refusing more than `limit` bytes (by header, then by count). */
export async function smallBody(res: Response, limit: number): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    await res.body?.cancel().catch(() => undefined);
    throw new RangeError(`document of ${declared} bytes is larger than ${limit}`);
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > limit) throw new RangeError(`document larger than ${limit} bytes`);
  return bytes;
}
