// The stage function behind `runsight registry list`: the catalog (or one repository) and the
// tags of each repository (distribution-spec content discovery, Link pagination).
import { UsageError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { RegistryClient, type RegistryClientOptions } from './client/registry-client.js';
import { parseReference } from './reference.js';

export interface RegistryListing {
  registry: string;
  repositories: { repository: string; tags: string[] }[];
}

export interface ListRegistryOptions extends RegistryClientOptions {
  repository?: string | undefined;
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
}

export async function listRegistry(
  registry: string,
  opts: ListRegistryOptions = {},
): Promise<RegistryListing> {
  // Validate the host and repository with the reference grammar.
  const probe = parseReference(`${registry}/${opts.repository ?? 'x'}`);
  if (probe.registry !== registry || registry.includes('/'))
    throw new UsageError(
      `"${registry}" is not a registry host[:port]; expected e.g. ghcr.io or 127.0.0.1:5000`,
    );
  const client = new RegistryClient(registry, opts);
  const repositories = opts.repository ? [probe.repository] : await client.catalog({ signal: opts.signal });
  const out: RegistryListing['repositories'] = [];
  // Tags are listed in parallel; the client's per-registry limit bounds the requests in flight.
  const tags = await Promise.all(repositories.map((r) => client.listTags(r, { signal: opts.signal })));
  for (const [i, repository] of repositories.entries()) out.push({ repository, tags: tags[i]!.sort() });
  return { registry, repositories: out };
}
