// The distribution reference grammar (github.com/distribution/reference, grammar in its doc.go):
//   reference := name [ ":" tag ] [ "@" digest ]     name := [domain "/"] path
// with Docker Hub normalisation (docker.io, index.docker.io, library/), the familiar and canonical
// forms, the 255-character name limit, lowercase paths and digest algorithm validation.
import type { Digest, ImageRef } from '../core/types.js';
import { InvalidReferenceError } from './errors.js';

export const DOCKER_HUB = 'docker.io';
const LEGACY_HUB = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';
const NAME_TOTAL_LENGTH_MAX = 255;

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
const ipv6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const host = `(?:${domainName}|${ipv6})`;
const domain = `${host}(?::[0-9]+)?`;
const tagPattern = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

const PATH_RE = new RegExp(`^${pathComponent}(?:/${pathComponent})*$`);
const DOMAIN_RE = new RegExp(`^${domain}$`);
const TAG_RE = new RegExp(`^${tagPattern}$`);
const DIGEST_SYNTAX_RE = new RegExp(`^${digestPattern}$`);
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;

/** Registered digest algorithms and their hex lengths (opencontainers/go-digest). */
const ALGORITHMS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** Why a digest string is invalid, or undefined when it is valid. */
export function digestProblem(s: string): string | undefined {
  if (!DIGEST_SYNTAX_RE.test(s)) return 'a digest is algorithm:hex with at least 32 hex digits';
  const [algorithm, hex] = s.split(':') as [string, string];
  const length = ALGORITHMS[algorithm];
  if (length === undefined)
    return `unsupported digest algorithm "${algorithm}" (supported: ${Object.keys(ALGORITHMS).join(', ')})`;
  if (hex.length !== length)
    return `a ${algorithm} digest has ${length} hex digits, this one has ${hex.length}`;
  if (hex !== hex.toLowerCase()) return 'digest hex must be lowercase';
  return undefined;
}

export function isDigest(s: string): boolean {
  return digestProblem(s) === undefined;
}

/** Validates and returns a digest; throws InvalidReferenceError naming the problem. */
export function parseDigest(s: string): Digest {
  const problem = digestProblem(s);
  if (problem) throw new InvalidReferenceError(s, problem);
  return s;
}

/** Splits a name into registry and path the way Docker does (splitDockerDomain). */
function splitDomain(name: string): { registry: string; path: string } {
  const slash = name.indexOf('/');
  let registry: string;
  let path: string;
  const first = slash === -1 ? '' : name.slice(0, slash);
  if (
    slash === -1 ||
    (!first.includes('.') && !first.includes(':') && first !== 'localhost' && first.toLowerCase() === first)
  ) {
    registry = DOCKER_HUB;
    path = name;
  } else {
    registry = first;
    path = name.slice(slash + 1);
  }
  if (registry === LEGACY_HUB) registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !path.includes('/')) path = OFFICIAL_PREFIX + path;
  return { registry, path };
}

/**
 * Parses an image reference into registry, repository, tag and digest, normalising Docker Hub
 * (`nginx` → docker.io/library/nginx). No tag is added: use `withDefaultTag` for `latest`.
 */
export function parseReference(input: string): ImageRef {
  const s = input;
  if (s === '') throw new InvalidReferenceError(input, 'the reference is empty');
  if (s !== s.trim()) throw new InvalidReferenceError(input, 'surrounding whitespace is not allowed');
  if (s.includes('://'))
    throw new InvalidReferenceError(input, 'a reference has no URL scheme (drop "https://")');
  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const problem = digestProblem(digest);
    if (problem) throw new InvalidReferenceError(input, problem);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  // A colon after the last slash separates the tag (a colon before it is a registry port).
  if (colon > lastSlash && !(rest.startsWith('[') && lastSlash === -1 && rest.lastIndexOf(']') > colon)) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag))
      throw new InvalidReferenceError(
        input,
        `tag "${tag}" is invalid: up to 128 of letters, digits, "_", "." and "-", not starting with "." or "-"`,
      );
  }
  const name = rest;
  if (name === '') throw new InvalidReferenceError(input, 'the repository name is empty');
  if (name.length > NAME_TOTAL_LENGTH_MAX)
    throw new InvalidReferenceError(
      input,
      `the repository name is longer than ${NAME_TOTAL_LENGTH_MAX} characters`,
    );
  if (IDENTIFIER_RE.test(name))
    throw new InvalidReferenceError(
      input,
      'a 64-hex-digit string is an image ID, not a repository name; write sha256:<hex> or repo@sha256:<hex>',
    );
  const { registry, path } = splitDomain(name);
  const hadDomain =
    registry !== DOCKER_HUB || name.startsWith(`${DOCKER_HUB}/`) || name.startsWith(`${LEGACY_HUB}/`);
  if (hadDomain && !DOMAIN_RE.test(name.slice(0, name.indexOf('/'))))
    throw new InvalidReferenceError(
      input,
      `registry "${name.slice(0, name.indexOf('/'))}" is not a valid host[:port]`,
    );
  if (path.toLowerCase() !== path && PATH_RE.test(path.toLowerCase()))
    throw new InvalidReferenceError(input, 'the repository name must be lowercase');
  if (!PATH_RE.test(path))
    throw new InvalidReferenceError(
      input,
      `repository "${path}" is invalid: path components of lowercase letters and digits, separated by "/" and joined by ".", "_", "__" or "-"`,
    );
  const ref: ImageRef = { registry, repository: path };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** Whether `s` parses as an image reference. */
export function isReference(s: string): boolean {
  try {
    parseReference(s);
    return true;
  } catch {
    return false;
  }
}

/** Adds the `latest` tag when the reference names neither a tag nor a digest (Docker's TagNameOnly). */
export function withDefaultTag(ref: ImageRef): ImageRef {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: DEFAULT_TAG } : ref;
}

/** `registry/repository` — the fully qualified name. */
export function canonicalName(ref: Pick<ImageRef, 'registry' | 'repository'>): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The canonical form: `docker.io/library/nginx:1.25@sha256:…`. */
export function formatReference(ref: ImageRef): string {
  return `${canonicalName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The familiar form Docker prints: `nginx:1.25`, `user/app`, `ghcr.io/org/app@sha256:…`. */
export function familiarName(ref: Pick<ImageRef, 'registry' | 'repository'>): string {
  if (ref.registry !== DOCKER_HUB) return canonicalName(ref);
  return ref.repository.startsWith(OFFICIAL_PREFIX) &&
    ref.repository.indexOf('/', OFFICIAL_PREFIX.length) === -1
    ? ref.repository.slice(OFFICIAL_PREFIX.length)
    : ref.repository;
}

export function familiarReference(ref: ImageRef): string {
  return `${familiarName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** Normalises any spelling to the canonical form: `nginx` → `docker.io/library/nginx`. */
export function normaliseReference(s: string): string {
  return formatReference(parseReference(s));
}

/** The registry host the API is reached at (Docker Hub's API lives at registry-1.docker.io). */
export function registryEndpointHost(registry: string): string {
  return registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
}
