// CVE-first view: every running container and workload whose image carries a vulnerability.
// `vuln where ID`: the running containers, workloads and images a vulnerability reaches, and whether
// the id is known at all (an advisory or a current finding names it), so that a typo is not "none".

import { InputError } from '../core/errors.js';
import type { PostureConfig } from '../propagation/index.js';
import type { Store, VulnWhereRow } from '../store/index.js';
import { canonicalVulnIds, getVulnerability, queryVulnWhere, scopeRestricts } from '../store/index.js';
import type { ScopedRead } from './scoped-read.js';

export interface VulnWhere {
  vulnerability: string;
  /** The stored ids it matched (itself, or the canonical ids naming it as an alias). */
  ids: string[];
  /** False when no advisory and no current finding names the id (by id, alias or upstream). */
  known: boolean;
  containers: VulnWhereRow[];
  workloads: {
    cluster: string | null;
    namespace: string | null;
    kind: string | null;
    name: string | null;
    containers: number;
  }[];
  images: string[];
  /** Only when a page was asked for (`limit`): the cursor of the next page of `containers`, or null. */
  next?: string | null;
}

/** A page of `containers` (the HTTP API's `limit`/`cursor`); workloads and images stay whole. */
export interface VulnWherePage {
  limit?: number | undefined;
  /** The `next` of the previous page. */
  cursor?: string | undefined;
}

/** Under an access scope: only the running containers inside it (and so their workloads and images). */
export async function vulnWhere(
  store: Store,
  id: string,
  _config: PostureConfig = {},
  opts: ScopedRead & VulnWherePage = {},
): Promise<VulnWhere> {
  const ids = await canonicalVulnIds(store, id);
  const containers = await queryVulnWhere(store, ids, opts.scope);
  // A scoped caller learns of an id only from advisories or from images inside its scope.
  const known = scopeRestricts(opts.scope)
    ? containers.length > 0 || (await isNamed(store, id, opts))
    : ids.length > 0 || (await isNamed(store, id));
  const workloads = new Map<string, VulnWhere['workloads'][number]>();
  for (const c of containers) {
    const key = [c.cluster, c.namespace, c.workloadKind, c.workloadName].join('/');
    const w = workloads.get(key) ?? {
      cluster: c.cluster,
      namespace: c.namespace,
      kind: c.workloadKind,
      name: c.workloadName,
      containers: 0,
    };
    w.containers += 1;
    workloads.set(key, w);
  }
  const doc: VulnWhere = {
    vulnerability: id,
    ids: known ? ids : [],
    known,
    containers,
    workloads: [...workloads.values()],
    images: [...new Set(containers.map((c) => c.imageDigest))],
  };
  return opts.limit === undefined && opts.cursor === undefined
    ? doc
    : { ...doc, ...pageOf(containers, opts) };
}

/**
 * The containers after the cursor (the last container id of the previous page) in the document's
 * order (cluster, namespace, workload, id: a total order, so pages neither repeat nor skip).
 */
function pageOf(
  containers: VulnWhereRow[],
  opts: VulnWherePage,
): { containers: VulnWhereRow[]; next: string | null } {
  const limit = opts.limit ?? containers.length;
  if (!Number.isInteger(limit) || limit < 1)
    throw new InputError(`limit must be a positive integer, got ${limit}`);
  let start = 0;
  if (opts.cursor !== undefined) {
    const last = Buffer.from(opts.cursor, 'base64url').toString('utf8');
    const at = containers.findIndex((c) => c.containerId === last);
    if (!last || at < 0 || Buffer.from(last).toString('base64url') !== opts.cursor)
      throw new InputError(
        `cursor "${opts.cursor.slice(0, 40)}" does not name a container of this listing (not one it returned, or that container no longer runs the vulnerability): start again without a cursor`,
      );
    start = at + 1;
  }
  const page = containers.slice(start, start + limit);
  const more = start + limit < containers.length;
  return {
    containers: page,
    next: more ? Buffer.from(page[page.length - 1]!.containerId).toString('base64url') : null,
  };
}

async function isNamed(store: Store, id: string, opts: ScopedRead = {}): Promise<boolean> {
  const detail = await getVulnerability(store, id, opts.scope);
  return detail.advisories.length > 0 || detail.images.length > 0;
}
