// An OCI Distribution API client (opencontainers/distribution-spec spec.md) over Node's fetch:
// /v2/ ping, manifests (HEAD/GET with Accept), streamed and verified blobs, tag list and catalog
// with Link pagination; anonymous, basic and bearer auth (distribution token spec: challenge,
// token per scope cached until expiry, one retry on 401); retries with exponential backoff and
// jitter on 429/5xx/network errors honouring Retry-After; per-request timeouts; a per-registry
// concurrency limit; plain HTTP only for registries the user names as insecure.
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { RunsightError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Digest } from '../../core/types.js';
import { digestOf, readAll, verifiedBodyStream, verifyBytes } from '../digest-stream.js';
import {
  AuthError,
  BlobSizeError,
  BlobUnknownError,
  ManifestUnknownError,
  RateLimitedError,
  RegistryError,
  RegistryUnavailableError,
  RepositoryUnknownError,
} from '../errors.js';
import { MANIFEST_ACCEPT } from '../media-types.js';
import { isDigest, registryEndpointHost } from '../reference.js';
import type { FetchedManifest } from '../resolve-image.js';
import { catalogSchema, errorBodySchema, tagListSchema, tokenResponseSchema } from '../schema.js';
import {
  type CredentialResolver,
  type Credentials,
  credentialResolver,
  type RegistryAuthEntry,
} from './credentials.js';
import { Limiter } from './limiter.js';
import {
  backoffMs,
  DEFAULT_RETRY,
  isRetryableStatus,
  type RetryPolicy,
  retryAfterMs,
  sleep,
} from './retry.js';
import { type Challenge, parseWwwAuthenticate } from './www-authenticate.js';

export interface RegistryClientOptions {
  /** Registries (host[:port]) reached over plain HTTP; every other registry is HTTPS only. */
  insecureRegistries?: readonly string[] | undefined;
  /** Where credentials come from; default: config `registries`, environment, ~/.docker/config.json. */
  credentials?: CredentialResolver | undefined;
  /** The Runsight config file's `registries:` section (used by the default resolver). */
  registriesConfig?: Record<string, RegistryAuthEntry> | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** Requests in flight per registry (default 8). */
  concurrency?: number | undefined;
  /** Time allowed for a response's headers, and between two chunks of a blob (default 30 s). */
  timeoutMs?: number | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  logger?: Logger | undefined;
  userAgent?: string | undefined;
}

type Purpose = 'ping' | 'manifest' | 'blob' | 'tags' | 'catalog';

interface SendOptions {
  method: 'GET' | 'HEAD';
  path: string;
  purpose: Purpose;
  scope?: string | undefined;
  accept?: string | undefined;
  /** What is being fetched, for messages (e.g. `manifest app:1.0`). */
  what: string;
  signal?: AbortSignal | undefined;
}

interface Sent {
  res: Response;
  /** Releases the concurrency slot and the timeout; call once the body is consumed. */
  done(): void;
  /** Re-arms the timeout (blob streaming: time between chunks). */
  touch(): void;
  url: string;
}

const MAX_REDIRECTS = 5;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export class RegistryClient {
  readonly registry: string;
  readonly baseUrl: string;
  readonly limiter: Limiter;
  private readonly credentials: CredentialResolver;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly logger: Logger | undefined;
  private readonly userAgent: string;
  private challenge: Challenge | undefined;
  private readonly tokens = new Map<string, { value: string; expiresAt: number }>();
  private readonly tokenRequests = new Map<string, Promise<string>>();

  constructor(registry: string, opts: RegistryClientOptions = {}) {
    this.registry = registry;
    const host = registryEndpointHost(registry);
    const insecure =
      (opts.insecureRegistries ?? []).includes(registry) || (opts.insecureRegistries ?? []).includes(host);
    this.baseUrl = `${insecure ? 'http' : 'https'}://${host}`;
    this.limiter = new Limiter(opts.concurrency ?? 8);
    this.credentials =
      opts.credentials ?? credentialResolver({ config: opts.registriesConfig, env: opts.env });
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.logger = opts.logger;
    this.userAgent = opts.userAgent ?? 'runsight';
  }

  // ───────────── public API ─────────────

  /** GET /v2/: checks the registry speaks the distribution API and that credentials (if any) work. */
  async ping(signal?: AbortSignal): Promise<void> {
    const sent = await this.send({
      method: 'GET',
      path: '/v2/',
      purpose: 'ping',
      what: 'API version check',
      signal,
    });
    await sent.res.arrayBuffer().catch(() => undefined);
    sent.done();
  }

  /** GET a manifest or index by tag or digest; the bytes are verified against the digest. */
  async getManifest(
    repository: string,
    reference: string,
    signal?: AbortSignal,
  ): Promise<FetchedManifest & { mediaType: string }> {
    const what = `manifest ${repository}${isDigest(reference) ? '@' : ':'}${reference}`;
    const sent = await this.sendManifest('GET', repository, reference, what, signal);
    let bytes: Buffer;
    try {
      bytes = await readAll(bodyStream(sent.res, sent.touch), MAX_MANIFEST_BYTES);
    } catch (err) {
      throw new RegistryError(
        `${what} from ${this.registry}: the response body could not be read (${(err as Error).message}); retry later`,
        { registry: this.registry, cause: err },
      );
    } finally {
      sent.done();
    }
    const mediaType = sent.res.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
    const header = sent.res.headers.get('docker-content-digest') ?? undefined;
    let digest: Digest;
    if (isDigest(reference)) {
      verifyBytes(bytes, reference, `${what} from ${this.registry}`);
      digest = reference;
    } else if (header && isDigest(header)) {
      verifyBytes(bytes, header, `${what} from ${this.registry} (Docker-Content-Digest)`);
      digest = header;
    } else digest = digestOf(bytes);
    return { digest, mediaType, bytes };
  }

  /** HEAD a manifest: its digest, media type and size without the body. */
  async headManifest(
    repository: string,
    reference: string,
    signal?: AbortSignal,
  ): Promise<{ digest: Digest; mediaType: string; size: number }> {
    const what = `manifest ${repository}${isDigest(reference) ? '@' : ':'}${reference}`;
    const sent = await this.sendManifest('HEAD', repository, reference, what, signal);
    sent.done();
    const digest = sent.res.headers.get('docker-content-digest') ?? '';
    if (!isDigest(digest)) {
      // Some registries omit the header on HEAD: fall back to GET and hash the body.
      const m = await this.getManifest(repository, reference, signal);
      return { digest: m.digest, mediaType: m.mediaType, size: m.bytes.length };
    }
    if (isDigest(reference) && digest !== reference)
      throw new RegistryError(`${what}: asked for ${reference}, the registry answered for ${digest}`, {
        registry: this.registry,
      });
    return {
      digest,
      mediaType: sent.res.headers.get('content-type')?.split(';')[0]?.trim() ?? '',
      size: Number(sent.res.headers.get('content-length') ?? 0),
    };
  }

  /**
   * Streams a blob, following redirects (to blob storage, without registry credentials). The
   * stream errors with DigestMismatchError or BlobSizeError when the bytes are wrong or short.
   */
  async openBlob(
    repository: string,
    digest: Digest,
    opts: { expectedSize?: number | undefined; signal?: AbortSignal | undefined } = {},
  ): Promise<Readable> {
    const what = `blob ${digest} of ${repository}`;
    const sent = await this.send({
      method: 'GET',
      path: `/v2/${repository}/blobs/${digest}`,
      purpose: 'blob',
      scope: pullScope(repository),
      what,
      signal: opts.signal,
    });
    const declared = Number(sent.res.headers.get('content-length') ?? Number.NaN);
    const expected = opts.expectedSize ?? (Number.isFinite(declared) ? declared : undefined);
    return verifiedBodyStream(
      sent.res.body as ReadableStream<Uint8Array> | null,
      digest,
      expected,
      `${what} from ${this.registry}`,
      {
        onChunk: sent.touch,
        onClose: sent.done,
        mapError: (err, got) =>
          expected !== undefined && got < expected
            ? new BlobSizeError(
                digest,
                expected,
                got,
                `${what} from ${this.registry} (connection ended: ${causeText(err)})`,
              )
            : new RegistryError(`${what} from ${this.registry}: transfer failed (${causeText(err)}); retry`, {
                registry: this.registry,
                cause: err,
              }),
      },
    );
  }

  /** Reads a small blob (an image config) whole, verified. */
  async fetchBlobBytes(
    repository: string,
    digest: Digest,
    expectedSize?: number,
    signal?: AbortSignal,
  ): Promise<Buffer> {
    return readAll(await this.openBlob(repository, digest, { expectedSize, signal }), 64 * 1024 * 1024);
  }

  /** Every tag of a repository, following Link pagination. */
  async listTags(
    repository: string,
    opts: { pageSize?: number; signal?: AbortSignal } = {},
  ): Promise<string[]> {
    const out: string[] = [];
    for await (const page of this.paginate(
      `/v2/${repository}/tags/list${opts.pageSize ? `?n=${opts.pageSize}` : ''}`,
      'tags',
      pullScope(repository),
      `tag list of ${repository}`,
      opts.signal,
    )) {
      const r = tagListSchema.safeParse(page);
      if (!r.success)
        throw new RegistryError(
          `tag list of ${repository} from ${this.registry} is not {name, tags}: ${r.error.issues[0]?.message}`,
          { registry: this.registry },
        );
      out.push(...(r.data.tags ?? []));
    }
    return out;
  }

  /** Every repository in the registry's catalog, following Link pagination. */
  async catalog(opts: { pageSize?: number; signal?: AbortSignal } = {}): Promise<string[]> {
    const out: string[] = [];
    for await (const page of this.paginate(
      `/v2/_catalog${opts.pageSize ? `?n=${opts.pageSize}` : ''}`,
      'catalog',
      'registry:catalog:*',
      'catalog',
      opts.signal,
    )) {
      const r = catalogSchema.safeParse(page);
      if (!r.success)
        throw new RegistryError(
          `catalog of ${this.registry} is not {repositories}: ${r.error.issues[0]?.message}`,
          { registry: this.registry },
        );
      out.push(...(r.data.repositories ?? []));
    }
    return out;
  }

  // ───────────── internals ─────────────

  private async sendManifest(
    method: 'GET' | 'HEAD',
    repository: string,
    reference: string,
    what: string,
    signal?: AbortSignal,
  ): Promise<Sent> {
    try {
      return await this.send({
        method,
        path: `/v2/${repository}/manifests/${reference}`,
        purpose: 'manifest',
        scope: pullScope(repository),
        accept: MANIFEST_ACCEPT,
        what,
        signal,
      });
    } catch (err) {
      // distribution answers MANIFEST_UNKNOWN (or a bodiless 404 on HEAD) even when the repository
      // does not exist: the tag list tells the two apart.
      if (err instanceof ManifestUnknownError) {
        try {
          const tags = await this.listTags(repository, { signal });
          const hint = tags.length
            ? `; it has ${tags.slice(0, 10).join(', ')}${tags.length > 10 ? ', …' : ''}`
            : '';
          throw new ManifestUnknownError(`${err.message}${hint}`, {
            status: 404,
            registry: this.registry,
            code: err.code,
          });
        } catch (inner) {
          if (inner instanceof RepositoryUnknownError || inner instanceof ManifestUnknownError) throw inner;
          throw err;
        }
      }
      throw err;
    }
  }

  private async *paginate(
    first: string,
    purpose: Purpose,
    scope: string,
    what: string,
    signal?: AbortSignal,
  ): AsyncGenerator<unknown> {
    let path: string | undefined = first;
    let pages = 0;
    while (path) {
      if (++pages > 10_000)
        throw new RegistryError(`${what}: more than 10000 pages (a Link loop?)`, { registry: this.registry });
      const sent = await this.send({ method: 'GET', path, purpose, scope, what, signal });
      let body: unknown;
      try {
        body = JSON.parse(
          (await readAll(bodyStream(sent.res, sent.touch), 64 * 1024 * 1024)).toString('utf8'),
        );
      } catch (err) {
        throw new RegistryError(`${what} from ${this.registry} is not JSON: ${(err as Error).message}`, {
          registry: this.registry,
          cause: err,
        });
      } finally {
        sent.done();
      }
      yield body;
      path = nextLink(sent.res.headers.get('link'), sent.url);
    }
  }

  private async authorization(
    scope: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    const ch = this.challenge;
    if (!ch) return undefined;
    const creds = await this.credentials(this.registry);
    if (ch.scheme === 'basic')
      return creds?.kind === 'basic' ? basicHeader(creds.username, creds.password) : undefined;
    if (ch.scheme === 'bearer') {
      if (creds?.kind === 'token') return `Bearer ${creds.token}`;
      return `Bearer ${await this.token(ch, scope, creds, signal)}`;
    }
    return undefined;
  }

  private async token(
    ch: Challenge,
    scope: string | undefined,
    creds: Credentials | undefined,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const key = `${ch.params.realm} ${ch.params.service ?? ''} ${scope ?? ''}`;
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.value;
    let pending = this.tokenRequests.get(key);
    if (!pending) {
      pending = this.fetchToken(ch, scope, creds, signal).finally(() => this.tokenRequests.delete(key));
      this.tokenRequests.set(key, pending);
    }
    const value = await pending;
    return value;
  }

  private async fetchToken(
    ch: Challenge,
    scope: string | undefined,
    creds: Credentials | undefined,
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const realm = ch.params.realm;
    if (!realm)
      throw new AuthError(
        `${this.registry} sent a Bearer challenge without a realm; expected realm="https://…/token"`,
        { registry: this.registry, status: 401 },
      );
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new AuthError(`${this.registry} sent a Bearer realm that is not a URL: ${realm}`, {
        registry: this.registry,
        status: 401,
      });
    }
    const service = ch.params.service;
    const scopes = [scope ?? ch.params.scope].filter((s): s is string => Boolean(s));
    const headers: Record<string, string> = { 'user-agent': this.userAgent, accept: 'application/json' };
    let init: RequestInit;
    if (creds?.kind === 'identity') {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: creds.identityToken,
        client_id: 'runsight',
      });
      if (service) form.set('service', service);
      if (scopes.length) form.set('scope', scopes.join(' '));
      init = {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      };
    } else {
      if (service) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      if (creds?.kind === 'basic') headers.authorization = basicHeader(creds.username, creds.password);
      init = { method: 'GET', headers };
    }
    const issuedAt = Date.now();
    let res: Response;
    try {
      res = await fetch(url, { ...init, redirect: 'follow', signal: timeoutSignal(this.timeoutMs, signal) });
    } catch (err) {
      throw new RegistryUnavailableError(
        `token server ${url.origin} for ${this.registry} could not be reached: ${causeText(err)}`,
        { registry: this.registry, cause: err },
      );
    }
    const text = await res.text().catch(() => '');
    if (res.status === 401 || res.status === 403)
      throw new AuthError(
        `token server ${url.origin} refused ${creds ? `the credentials from ${creds.origin}` : 'an anonymous token'} for ${scopes.join(' ') || 'the registry'} (HTTP ${res.status}); ${creds ? 'check the username and password' : 'log in (docker login, or registries.<host> in the Runsight config)'}`,
        { registry: this.registry, status: res.status },
      );
    if (!res.ok)
      throw new RegistryError(
        `token server ${url.origin} answered HTTP ${res.status}: ${text.slice(0, 200)}`,
        { registry: this.registry, status: res.status },
      );
    let parsed: {
      token?: string | undefined;
      access_token?: string | undefined;
      expires_in?: number | undefined;
    };
    try {
      parsed = tokenResponseSchema.parse(JSON.parse(text));
    } catch (err) {
      throw new AuthError(
        `token server ${url.origin} answered without a token (expected JSON {token} or {access_token}): ${(err as Error).message}`,
        { registry: this.registry },
      );
    }
    const value = (parsed.token ?? parsed.access_token)!;
    const ttl = Math.max(parsed.expires_in ?? 60, 10) * 1000;
    this.tokens.set(`${realm} ${service ?? ''} ${scope ?? ''}`, { value, expiresAt: issuedAt + ttl - 5000 });
    return value;
  }

  /** Sends one logical request: auth, redirects, retries, error mapping. The caller must call done(). */
  private async send(o: SendOptions): Promise<Sent> {
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
        lastAuth = await this.authorization(o.scope, o.signal);
        res = await this.fetchFollowing(url, o, lastAuth, controller.signal, (u) => {
          url = u;
        });
      } catch (err) {
        done();
        // Typed failures (auth, config, redirects) are final; only transport errors are retried.
        if (err instanceof RunsightError || o.signal?.aborted) throw err;
        if (attempt < this.retry.retries) {
          const wait = backoffMs(attempt, this.retry);
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
        const header = res.headers.get('www-authenticate') ?? '';
        const challenges = parseWwwAuthenticate(header);
        const ch =
          challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
        if (!ch)
          throw new AuthError(
            `${this.registry} answered 401 to ${o.what} without a Bearer or Basic challenge (WWW-Authenticate: ${header || 'absent'})`,
            { registry: this.registry, status: 401 },
          );
        if (ch.scheme === 'bearer' && ch.params.realm !== this.challenge?.params.realm) this.tokens.clear();
        else if (lastAuth) this.dropToken(ch, o.scope);
        this.challenge = ch;
        authRetried = true;
        attempt--;
        continue;
      }
      if (isRetryableStatus(res.status) && attempt < this.retry.retries) {
        await res.arrayBuffer().catch(() => undefined);
        done();
        const after = retryAfterMs(res.headers.get('retry-after'));
        const wait = Math.min(this.retry.maxDelayMs, after ?? backoffMs(attempt, this.retry));
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
        throw await this.errorFor(res, text, o, lastAuth !== undefined, attempt);
      }
      return { res, done, touch: arm, url };
    }
  }

  private dropToken(ch: Challenge, scope: string | undefined): void {
    this.tokens.delete(`${ch.params.realm} ${ch.params.service ?? ''} ${scope ?? ''}`);
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
      const res = await fetch(url, { method: o.method, headers, redirect: 'manual', signal });
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

  private async errorFor(
    res: Response,
    text: string,
    o: SendOptions,
    hadAuth: boolean,
    attempt: number,
  ): Promise<RegistryError> {
    let codes: { code: string; message?: string | undefined }[] = [];
    try {
      const body = errorBodySchema.safeParse(JSON.parse(text));
      if (body.success) codes = body.data.errors;
    } catch {
      // not a distribution error body
    }
    const code = codes[0]?.code;
    const detail = codes.length
      ? ` (${codes.map((c) => `${c.code}${c.message ? `: ${c.message}` : ''}`).join('; ')})`
      : '';
    const base = { status: res.status, registry: this.registry, code };
    const creds = await this.credentials(this.registry).catch(() => undefined);
    switch (res.status) {
      case 401:
        return new AuthError(
          creds
            ? `${this.registry} rejected the credentials from ${creds.origin} for ${o.what} (HTTP 401${detail}); check the username and password or token`
            : `${this.registry} requires authentication for ${o.what} (HTTP 401${detail}) and no credentials were found; run docker login ${this.registry}, set registries.${this.registry} in the Runsight config, or RUNSIGHT_REGISTRY_AUTH (some registries, Docker Hub among them, also answer 401 for a repository that does not exist: check the name)`,
          base,
        );
      case 403:
        return new AuthError(
          `${this.registry} denied ${o.what} (HTTP 403${detail})${hadAuth ? ' for the credentials used' : ' to anonymous access'}; expected pull access to ${o.scope ?? 'the registry'} — ask for access or use an account that has it`,
          base,
        );
      case 404: {
        if (o.purpose === 'manifest') {
          if (code === 'NAME_UNKNOWN')
            return new RepositoryUnknownError(
              `repository for ${o.what} does not exist on ${this.registry} (HTTP 404 NAME_UNKNOWN); check the repository name`,
              base,
            );
          return new ManifestUnknownError(
            `${o.what} does not exist on ${this.registry} (HTTP 404${detail}); check the tag or digest`,
            base,
          );
        }
        if (o.purpose === 'tags')
          return new RepositoryUnknownError(
            `repository of ${o.what} does not exist on ${this.registry} (HTTP 404${detail}); check the repository name`,
            base,
          );
        if (o.purpose === 'blob')
          return new BlobUnknownError(
            `${o.what} does not exist on ${this.registry} (HTTP 404${detail}); the image references a missing blob — re-push it`,
            base,
          );
        if (o.purpose === 'ping' || o.purpose === 'catalog')
          return new RegistryError(
            `${this.baseUrl} does not serve the OCI distribution API (${o.what}: HTTP 404${detail}); expected a registry at /v2/`,
            base,
          );
        return new RegistryError(`${o.what}: HTTP 404${detail}`, base);
      }
      case 429:
        return new RateLimitedError(
          `${this.registry} kept answering 429 Too Many Requests to ${o.what} after ${attempt + 1} attempts${detail}; wait and retry, lower the concurrency, or authenticate for a higher limit`,
          base,
        );
      default:
        return new RegistryError(
          `${this.registry} answered HTTP ${res.status} to ${o.what}${res.status >= 500 ? ` after ${attempt + 1} attempts` : ''}${detail}${text && !detail ? `: ${text.slice(0, 200)}` : ''}; expected 200 — ${res.status >= 500 ? 'the registry is failing, retry later' : 'check the request'}`,
          base,
        );
    }
  }
}

/** A pool of clients, one per registry, sharing options (and so the per-registry concurrency limit). */
export class RegistryClients {
  private readonly clients = new Map<string, RegistryClient>();
  constructor(readonly options: RegistryClientOptions = {}) {}
  get(registry: string): RegistryClient {
    let c = this.clients.get(registry);
    if (!c) {
      c = new RegistryClient(registry, this.options);
      this.clients.set(registry, c);
    }
    return c;
  }
}

export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function bodyStream(res: Response, touch: () => void): Readable {
  if (!res.body) return Readable.from([]);
  const s = Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
  s.on('data', touch);
  return s;
}

/** The next page from an RFC 8288 Link header: `</v2/_catalog?last=x&n=2>; rel="next"`. */
export function nextLink(header: string | null, current: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (m) {
      const u = new URL(m[1]!, current);
      return `${u.pathname}${u.search}`;
    }
  }
  return undefined;
}

function timeoutSignal(ms: number, signal?: AbortSignal): AbortSignal {
  const t = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([t, signal]) : t;
}

function causeText(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause;
  return [e?.message, cause?.code ?? cause?.message].filter(Boolean).join(': ') || String(err);
}

function hintFor(err: unknown, baseUrl: string): string {
  const text = causeText(err);
  if (/SSL|TLS|EPROTO|wrong version number|certificate/i.test(text) && baseUrl.startsWith('https:'))
    return 'the registry may speak plain HTTP: if you trust it, pass --insecure-registry for it';
  if (/ECONNREFUSED/.test(text)) return 'is the registry running and the host:port right?';
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return 'check the registry host name';
  return 'check the network and retry';
}
