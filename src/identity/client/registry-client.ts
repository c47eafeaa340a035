// An OCI Distribution API client (opencontainers/distribution-spec spec.md): the verbs — /v2/ ping,
// manifests (HEAD/GET with Accept, verified against their digest), streamed and verified blobs,
// small blobs (configs) cached by digest, tag list and catalog with Link pagination — over the
// registry transport (transport.ts: timeouts, retries, limits, redirects), token exchange
// (token-exchange.ts: Basic and bearer auth) and error mapping (error-mapping.ts).
import type { Readable } from 'node:stream';
import type { Digest } from '../../core/types.js';
import { digestOf, verifiedBodyStream, verifyBytes } from '../digest-stream.js';
import { BlobSizeError, ManifestUnknownError, RegistryError, RepositoryUnknownError } from '../errors.js';
import { MANIFEST_ACCEPT } from '../media-types.js';
import { isDigest } from '../reference.js';
import type { FetchedManifest } from '../resolve-image.js';
import { catalogSchema, tagListSchema } from '../schema.js';
import { type BlobLimits, DEFAULT_BLOB_LIMITS, guardBlobBody } from './blob-deadline.js';
import { type CredentialResolver, credentialResolver, type RegistryAuthEntry } from './credentials.js';
import { causeText, type Purpose } from './error-mapping.js';
import type { Limiter } from './limiter.js';
import { TokenExchange } from './token-exchange.js';
import {
  RegistryTransport,
  type Sent,
  smallBody,
  type TransportOptions,
  transportSettings,
} from './transport.js';

export interface RegistryClientOptions extends TransportOptions {
  /** Where credentials come from; default: config `registries`, environment, ~/.docker/config.json. */
  credentials?: CredentialResolver | undefined;
  /** The Runsight config file's `registries:` section (used by the default resolver). */
  registriesConfig?: Record<string, RegistryAuthEntry> | undefined;
  env?: NodeJS.ProcessEnv | undefined;
}

const CONFIG_CACHE_ENTRIES = 512;
const CONFIG_CACHE_MAX_BYTES = 256 * 1024;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export class RegistryClient {
  readonly registry: string;
  readonly baseUrl: string;
  readonly limiter: Limiter;
  private readonly transport: RegistryTransport;
  /** Small verified blobs (image configs) by digest: content-addressed, so safe to reuse. */
  private readonly configCache = new Map<Digest, Buffer>();
  private readonly blobLimits: BlobLimits;

  constructor(registry: string, opts: RegistryClientOptions = {}) {
    this.registry = registry;
    const auth = new TokenExchange({
      registry,
      credentials: opts.credentials ?? credentialResolver({ config: opts.registriesConfig, env: opts.env }),
      ...transportSettings(opts),
      logger: opts.logger,
    });
    this.transport = new RegistryTransport(registry, auth, opts);
    this.blobLimits = {
      baseMs: opts.blobTimeoutMs ?? DEFAULT_BLOB_LIMITS.baseMs,
      minThroughput: opts.minThroughput ?? DEFAULT_BLOB_LIMITS.minThroughput,
      windowMs: opts.throughputWindowMs ?? DEFAULT_BLOB_LIMITS.windowMs,
    };
    this.baseUrl = this.transport.baseUrl;
    this.limiter = this.transport.limiter;
  }

  /** GET /v2/: checks the registry speaks the distribution API and that credentials (if any) work. */
  async ping(signal?: AbortSignal): Promise<void> {
    const sent = await this.transport.send({
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
      bytes = await smallBody(sent.res, MAX_MANIFEST_BYTES);
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
    const sent = await this.transport.send({
      method: 'GET',
      path: `/v2/${repository}/blobs/${digest}`,
      purpose: 'blob',
      scope: pullScope(repository),
      what,
      signal: opts.signal,
    });
    const declared = Number(sent.res.headers.get('content-length') ?? Number.NaN);
    const expected = opts.expectedSize ?? (Number.isFinite(declared) ? declared : undefined);
    const guard = guardBlobBody(
      sent.res.body as ReadableStream<Uint8Array> | null,
      expected,
      this.blobLimits,
      `${what} from ${this.registry}`,
      sent.abort,
    );
    return verifiedBodyStream(guard.body, digest, expected, `${what} from ${this.registry}`, {
      onChunk: sent.touch,
      onClose: () => {
        guard.stop();
        sent.done();
      },
      mapError: (err, got) =>
        guard.failure()
          ? new RegistryError(guard.failure()!.message, { registry: this.registry, cause: err })
          : expected !== undefined && got < expected
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
    });
  }

  /** Reads a small blob (an image config) whole, verified. */
  async fetchBlobBytes(
    repository: string,
    digest: Digest,
    expectedSize?: number,
    signal?: AbortSignal,
  ): Promise<Buffer> {
    const cached = this.configCache.get(digest);
    if (cached) return cached;
    const what = `blob ${digest} of ${repository}`;
    const sent = await this.transport.send({
      method: 'GET',
      path: `/v2/${repository}/blobs/${digest}`,
      purpose: 'blob',
      scope: pullScope(repository),
      what,
      signal,
    });
    let bytes: Buffer;
    try {
      bytes = await smallBody(sent.res, 64 * 1024 * 1024);
    } catch (err) {
      throw new RegistryError(`${what} from ${this.registry}: transfer failed (${causeText(err)}); retry`, {
        registry: this.registry,
        cause: err,
      });
    } finally {
      sent.done();
    }
    if (expectedSize !== undefined && bytes.length !== expectedSize)
      throw new BlobSizeError(digest, expectedSize, bytes.length, `${what} from ${this.registry}`);
    verifyBytes(bytes, digest, `${what} from ${this.registry}`);
    if (bytes.length <= CONFIG_CACHE_MAX_BYTES) {
      if (this.configCache.size >= CONFIG_CACHE_ENTRIES)
        this.configCache.delete(this.configCache.keys().next().value!);
      this.configCache.set(digest, bytes);
    }
    return bytes;
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

  private async sendManifest(
    method: 'GET' | 'HEAD',
    repository: string,
    reference: string,
    what: string,
    signal?: AbortSignal,
  ): Promise<Sent> {
    try {
      return await this.transport.send({
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
      const sent = await this.transport.send({ method: 'GET', path, purpose, scope, what, signal });
      let body: unknown;
      try {
        body = JSON.parse((await smallBody(sent.res, 64 * 1024 * 1024)).toString('utf8'));
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
