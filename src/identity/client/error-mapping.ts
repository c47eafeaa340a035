// Registry failures as typed errors. A failed response — its status and, when present, the
// distribution error body (`{errors: [{code, message}]}`, distribution-spec "Error Codes") — read in
// light of what was asked (ping, manifest, blob, tag list, catalog) becomes AuthError,
// RepositoryUnknownError, ManifestUnknownError, BlobUnknownError, RateLimitedError or RegistryError,
// with a message saying what was expected and what to do. Transport failures get a hint.
import {
  AuthError,
  BlobUnknownError,
  ManifestUnknownError,
  RateLimitedError,
  RegistryError,
  RepositoryUnknownError,
} from '../errors.js';
import { errorBodySchema } from '../schema.js';
import type { Credentials } from './credentials.js';

/** What a request was for; the same status means different things for each. */
export type Purpose = 'ping' | 'manifest' | 'blob' | 'tags' | 'catalog';

export interface FailedRequest {
  purpose: Purpose;
  /** What was being fetched, for messages (e.g. `manifest app:1.0`). */
  what: string;
  scope?: string | undefined;
}

export interface FailureContext {
  registry: string;
  baseUrl: string;
  /** The credentials found for the registry, if any (named in the message, never shown). */
  credentials: Credentials | undefined;
  /** Whether the failed request carried an Authorization header. */
  hadAuth: boolean;
  /** Zero-based attempt that failed (retries already spent). */
  attempt: number;
}

/** The typed error for a non-2xx response whose body (empty for HEAD) is `text`. */
export function errorForResponse(
  status: number,
  text: string,
  o: FailedRequest,
  ctx: FailureContext,
): RegistryError {
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
  const { registry, baseUrl, credentials: creds, hadAuth, attempt } = ctx;
  const base = { status, registry, code };
  switch (status) {
    case 401:
      return new AuthError(
        creds
          ? `${registry} rejected the credentials from ${creds.origin} for ${o.what} (HTTP 401${detail}); check the username and password or token`
          : `${registry} requires authentication for ${o.what} (HTTP 401${detail}) and no credentials were found; run docker login ${registry}, set registries.${registry} in the Runsight config, or RUNSIGHT_REGISTRY_AUTH (some registries, Docker Hub among them, also answer 401 for a repository that does not exist: check the name)`,
        base,
      );
    case 403:
      return new AuthError(
        `${registry} denied ${o.what} (HTTP 403${detail})${hadAuth ? ' for the credentials used' : ' to anonymous access'}; expected pull access to ${o.scope ?? 'the registry'} — ask for access or use an account that has it`,
        base,
      );
    case 404: {
      if (o.purpose === 'manifest') {
        if (code === 'NAME_UNKNOWN')
          return new RepositoryUnknownError(
            `repository for ${o.what} does not exist on ${registry} (HTTP 404 NAME_UNKNOWN); check the repository name`,
            base,
          );
        return new ManifestUnknownError(
          `${o.what} does not exist on ${registry} (HTTP 404${detail}); check the tag or digest`,
          base,
        );
      }
      if (o.purpose === 'tags')
        return new RepositoryUnknownError(
          `repository of ${o.what} does not exist on ${registry} (HTTP 404${detail}); check the repository name`,
          base,
        );
      if (o.purpose === 'blob')
        return new BlobUnknownError(
          `${o.what} does not exist on ${registry} (HTTP 404${detail}); the image references a missing blob — re-push it`,
          base,
        );
      if (o.purpose === 'ping' || o.purpose === 'catalog')
        return new RegistryError(
          `${baseUrl} does not serve the OCI distribution API (${o.what}: HTTP 404${detail}); expected a registry at /v2/`,
          base,
        );
      return new RegistryError(`${o.what}: HTTP 404${detail}`, base);
    }
    case 429:
      return new RateLimitedError(
        `${registry} kept answering 429 Too Many Requests to ${o.what} after ${attempt + 1} attempts${detail}; wait and retry, lower the concurrency, or authenticate for a higher limit`,
        base,
      );
    default:
      return new RegistryError(
        `${registry} answered HTTP ${status} to ${o.what}${status >= 500 ? ` after ${attempt + 1} attempts` : ''}${detail}${text && !detail ? `: ${text.slice(0, 200)}` : ''}; expected 200 — ${status >= 500 ? 'the registry is failing, retry later' : 'check the request'}`,
        base,
      );
  }
}

/** A transport error's message with its system code (`fetch failed: ECONNREFUSED`). */
export function causeText(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause;
  return [e?.message, cause?.code ?? cause?.message].filter(Boolean).join(': ') || String(err);
}

/** What to check when a registry could not be reached at all. */
export function hintFor(err: unknown, baseUrl: string): string {
  const text = causeText(err);
  if (/SSL|TLS|EPROTO|wrong version number|certificate/i.test(text) && baseUrl.startsWith('https:'))
    return 'the registry may speak plain HTTP: if you trust it, pass --insecure-registry for it';
  if (/ECONNREFUSED/.test(text)) return 'is the registry running and the host:port right?';
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return 'check the registry host name';
  return 'check the network and retry';
}
