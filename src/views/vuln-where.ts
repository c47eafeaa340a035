// CVE-first view: every running container and workload whose image carries a vulnerability.
// `vuln where ID`: the running containers, workloads and images a vulnerability reaches, and whether
// the id is known at all (an advisory or a current finding names it), so that a typo is not "none".
//
// Whole (the CLI): every container, the workloads and images gathered from them. A page (the API's
// `limit`/`after`, the dashboard's 100): the page's containers only are read (keyset, in SQL), and
// the workloads and images — still whole — come from an aggregate over every carrier in the scope.

import { InputError } from '../core/errors.js';
import type { PostureConfig } from '../propagation/index.js';
import type { Store, VulnWhereKey, VulnWhereRow, VulnWhereSummary } from '../store/index.js';
import {
  canonicalVulnIds,
  getVulnerability,
  isVulnWhereKey,
  queryVulnWhere,
  queryVulnWhereSummary,
  scopeRestricts,
} from '../store/index.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { ScopedRead } from './scoped-read.js';

export interface VulnWhere {
  vulnerability: string;
  /** The stored ids it matched (itself, or the canonical ids naming it as an alias). */
  ids: string[];
  /** False when no advisory and no current finding names the id (by id, alias or upstream). */
  known: boolean;
  containers: VulnWhereRow[];
  workloads: VulnWhereSummary['workloads'];
  images: string[];
  /** Only when a page was asked for (`limit`): the cursor of the next page of `containers`, or null. */
  next?: string | null;
}

/** A page of `containers` (the HTTP API's `limit`/`after`); workloads and images stay whole. */
export interface VulnWherePage {
  limit?: number | undefined;
  /** The `next` of the previous page. */
  cursor?: string | undefined;
  /**
   * False (pages only): leave out `workloads` and `images` — an aggregate over every carrier, which a
   * client walking the pages already has from the first.
   */
  summary?: boolean | undefined;
}

/** A page asked for with `summary: false`: its containers, without workloads and images. */
export type VulnWhereContainers = Omit<VulnWhere, 'workloads' | 'images'>;

/** Under an access scope: only the running containers inside it (and so their workloads and images). */
export async function vulnWhere(
  store: Store,
  id: string,
  config?: PostureConfig,
  opts?: ScopedRead & VulnWherePage & { summary?: true | undefined },
): Promise<VulnWhere>;
export async function vulnWhere(
  store: Store,
  id: string,
  config: PostureConfig,
  opts: ScopedRead & VulnWherePage,
): Promise<VulnWhere | VulnWhereContainers>;
export async function vulnWhere(
  store: Store,
  id: string,
  _config: PostureConfig = {},
  opts: ScopedRead & VulnWherePage = {},
): Promise<VulnWhere | VulnWhereContainers> {
  const paged = opts.limit !== undefined || opts.cursor !== undefined;
  if (paged && opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 1))
    throw new InputError(`limit must be a positive integer, got ${opts.limit}`);
  const after = opts.cursor === undefined ? undefined : decodeVulnWhereCursor(opts.cursor);
  const ids = await canonicalVulnIds(store, id);
  let containers: VulnWhereRow[];
  let workloads: VulnWhere['workloads'] | undefined;
  let images: string[] | undefined;
  let next: string | null = null;
  if (paged) {
    const [page, summary] = await Promise.all([
      queryVulnWhere(store, ids, opts.scope, { limit: opts.limit, after }),
      opts.summary === false ? undefined : queryVulnWhereSummary(store, ids, opts.scope),
    ]);
    containers = page.rows;
    next = page.next && encodeCursor(page.next);
    ({ workloads, images } = summary ?? {});
  } else {
    containers = await queryVulnWhere(store, ids, opts.scope);
    ({ workloads, images } = summarise(containers));
  }
  // A scoped caller learns of an id only from advisories or from images inside its scope.
  const known = scopeRestricts(opts.scope)
    ? containers.length > 0 || (images?.length ?? 0) > 0 || (await isNamed(store, id, opts))
    : ids.length > 0 || (await isNamed(store, id));
  const doc = { vulnerability: id, ids: known ? ids : [], known, containers };
  // Without its summary (summary: false), a page has no workloads and images at all: never empty
  // lists that would read as "none".
  if (!workloads || !images) return { ...doc, next };
  const whole: VulnWhere = { ...doc, workloads, images };
  return paged ? { ...whole, next } : whole;
}

/** The workloads and images of a whole list, each in the order it first appears. */
function summarise(containers: VulnWhereRow[]): Pick<VulnWhere, 'workloads' | 'images'> {
  const workloads = new Map<string, VulnWhere['workloads'][number]>();
  for (const c of containers) {
    const key = JSON.stringify([c.cluster, c.namespace, c.workloadKind, c.workloadName]);
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
  return { workloads: [...workloads.values()], images: [...new Set(containers.map((c) => c.imageDigest))] };
}

// The cursor is the last row's key in the list's order (cluster, namespace, workload kind, stored
// workload name, container id), as JSON in base64url: a page continues after that place even when
// that container has gone since, so pages neither repeat nor skip a container that ran throughout.
function decodeVulnWhereCursor(text: string): VulnWhereKey {
  return decodeCursor(
    text,
    (parsed) => (isVulnWhereKey(parsed) ? parsed : undefined),
    `cursor "${text.slice(0, 40)}" is not one this listing returned: pass the "next" of the previous page unchanged, or start again without a cursor`,
  );
}

async function isNamed(store: Store, id: string, opts: ScopedRead = {}): Promise<boolean> {
  const detail = await getVulnerability(store, id, opts.scope);
  return detail.advisories.length > 0 || detail.images.length > 0;
}
