// Typed errors of image identity: references, registries, local image sources. Each message says
// what was expected, what came, and what to do. Specs: distribution reference grammar, OCI
// distribution-spec error codes (MANIFEST_UNKNOWN, NAME_UNKNOWN, BLOB_UNKNOWN, UNAUTHORIZED, DENIED…).
import { InputError, RunsightError } from '../core/errors.js';

/** A string that is not a valid image reference or digest. Exit 2. */
export class InvalidReferenceError extends InputError {
  override readonly name: string = 'InvalidReferenceError';
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(
      `invalid image reference ${JSON.stringify(input)}: ${reason}; expected [registry[:port]/]repository[:tag][@algorithm:hex], e.g. nginx:1.25 or ghcr.io/org/app@sha256:<64 hex>`,
    );
  }
}

/** Any failure talking to a registry; `status` is the HTTP status when one came back. */
export class RegistryError extends RunsightError {
  override readonly name: string = 'RegistryError';
  readonly status: number | undefined;
  readonly registry: string | undefined;
  /** The distribution-spec error code from the response body (e.g. MANIFEST_UNKNOWN), if any. */
  readonly code: string | undefined;
  constructor(
    message: string,
    opts: {
      status?: number | undefined;
      registry?: string | undefined;
      code?: string | undefined;
      cause?: unknown;
    } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.status = opts.status;
    this.registry = opts.registry;
    this.code = opts.code;
  }
}

/** 401 or 403: missing, wrong or insufficient credentials. */
export class AuthError extends RegistryError {
  override readonly name: string = 'AuthError';
}

/** The registry could not be reached at all (connection refused, DNS, TLS, timeout after retries). */
export class RegistryUnavailableError extends RegistryError {
  override readonly name: string = 'RegistryUnavailableError';
}

/** 429 persisted after every retry. */
export class RateLimitedError extends RegistryError {
  override readonly name: string = 'RateLimitedError';
}

/** 404 for a tag or digest in a repository that exists (MANIFEST_UNKNOWN). */
export class ManifestUnknownError extends RegistryError {
  override readonly name: string = 'ManifestUnknownError';
}

/** 404 because the repository itself does not exist (NAME_UNKNOWN). */
export class RepositoryUnknownError extends RegistryError {
  override readonly name: string = 'RepositoryUnknownError';
}

/** 404 for a blob (BLOB_UNKNOWN), or a blob missing from a local layout. */
export class BlobUnknownError extends RegistryError {
  override readonly name: string = 'BlobUnknownError';
}

/** A manifest media type Runsight does not read (Docker schema 1, artifacts, unknown types). */
export class UnsupportedMediaTypeError extends RunsightError {
  override readonly name: string = 'UnsupportedMediaTypeError';
  constructor(
    readonly mediaType: string,
    message: string,
  ) {
    super(message);
  }
}

/** Content did not hash to the digest that names it: a corrupted or tampered manifest or blob. */
export class DigestMismatchError extends RunsightError {
  override readonly name: string = 'DigestMismatchError';
  constructor(
    readonly expected: string,
    readonly actual: string,
    readonly what: string,
  ) {
    super(
      `${what}: expected content with digest ${expected}, but the bytes received hash to ${actual}; the content is corrupted or was replaced — fetch it again, and if it persists report it to the registry operator`,
    );
  }
}

/** A blob ended before (or ran past) its declared size. */
export class BlobSizeError extends RunsightError {
  override readonly name: string = 'BlobSizeError';
  constructor(
    readonly digest: string,
    readonly expectedSize: number,
    readonly actualSize: number,
    what: string,
  ) {
    super(
      `${what}: expected ${expectedSize} bytes for ${digest}, ${actualSize < expectedSize ? `but the stream ended after ${actualSize}` : `but more than that arrived (${actualSize})`}; the transfer was truncated or the content differs — retry, and check the registry or file`,
    );
  }
}

/** A local image source (OCI layout, OCI archive, docker-save archive) is unreadable or malformed. */
export class ImageSourceError extends InputError {
  override readonly name: string = 'ImageSourceError';
}

/** A multi-platform image has no entry for the requested platform. */
export class PlatformNotFoundError extends InputError {
  override readonly name: string = 'PlatformNotFoundError';
  constructor(
    readonly requested: string,
    readonly available: string[],
  ) {
    super(
      `no manifest for platform ${requested}; the index offers ${available.length ? available.join(', ') : 'no runnable platforms'} — pass --platform with one of them, or --platform all`,
    );
  }
}

/** A manifest, index or config that does not follow the OCI image-spec / Docker schema 2. */
export class InvalidManifestError extends RunsightError {
  override readonly name: string = 'InvalidManifestError';
}
