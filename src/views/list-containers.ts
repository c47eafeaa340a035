// The container list as `runsight containers --format json` prints it and the API serves it: each
// container's inventory fields (docs/inventory.md) merged with its posture fields (imageDigest,
// matchMethod, confidence, counts, summary — docs/cli.md#counts-vulnerabilities-and-findings),
// inside the caller's access scope, a page at a time: `next` is an opaque cursor to pass back as
// `after` (null on the last page).
import { InputError } from '../core/errors.js';
import {
  CONTAINER_SORTS,
  type ContainerRow,
  type ContainerSort,
  type ContainerSortKey,
  containerSortKey,
  isContainerSortKey,
  listContainers,
  type Store,
} from '../store/index.js';
import { type ContainerPostureFields, containerPostureFields } from './container-counts.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { ScopedRead } from './scoped-read.js';

export interface ContainerListQuery extends ScopedRead {
  source?: string | undefined;
  cluster?: string | undefined;
  namespaces?: string[] | undefined;
  /** Also list containers that have gone (state "removed"). */
  includeRemoved?: boolean | undefined;
  /** The `next` of the previous page (of the same `sort`). */
  after?: string | undefined;
  /**
   * The order: `source` (the default: source, cluster, namespace, pod, id), `id`, `workload`, or
   * `severity` (its image's KEV, critical, high, medium, low, unknown vulnerabilities, most
   * first, then id; containers whose image has no posture last).
   */
  sort?: ContainerSort | undefined;
  /** Page size (a positive integer); left out: every row. */
  limit?: number | undefined;
}

/** One container as listed (the contract of `runsight containers --format json`). */
export type ContainerDocument = ReturnType<typeof containerJson> & ContainerPostureFields;

export interface ContainerList {
  items: ContainerDocument[];
  /** Cursor of the next page; null when this page is the last. */
  next: string | null;
}

/** The inventory fields of one container's document. */
export function containerJson(r: ContainerRow) {
  return {
    id: r.id,
    source: r.source,
    cluster: r.cluster,
    namespace: r.namespace,
    workloadKind: r.workloadKind,
    workloadName: r.workloadName,
    pod: r.pod,
    container: r.container,
    containerKind: r.containerKind,
    node: r.node,
    platform: r.platform,
    image: r.image,
    imageId: r.imageId,
    digest: r.digest,
    digestKind: r.digestKind,
    // A container that has gone (listed with --all) shows as removed.
    state: r.removedAt ? 'removed' : r.state,
    firstSeen: r.firstSeen.toISOString(),
    lastSeen: r.lastSeen.toISOString(),
    owner: r.owner,
    environment: r.environment,
    labels: r.labels,
  };
}

export async function listContainerDocuments(
  store: Store,
  q: ContainerListQuery = {},
): Promise<ContainerList> {
  const { items, next } = await listContainerPage(store, q);
  return { items, next };
}

/** The page with the store rows behind its items, in the same order (the CLI's table reads them). */
export async function listContainerPage(
  store: Store,
  q: ContainerListQuery = {},
): Promise<ContainerList & { rows: ContainerRow[] }> {
  if (q.limit !== undefined && (!Number.isInteger(q.limit) || q.limit < 1))
    throw new InputError(`limit must be a positive integer, got ${q.limit}`);
  const sort = q.sort ?? 'source';
  if (!CONTAINER_SORTS.includes(sort))
    throw new InputError(
      `sort must be one of ${CONTAINER_SORTS.join(', ')}, got "${String(sort).slice(0, 40)}"`,
    );
  const fetched = await listContainers(store, {
    source: q.source,
    cluster: q.cluster,
    namespaces: q.namespaces,
    includeRemoved: q.includeRemoved,
    scope: q.scope,
    sort,
    after: q.after === undefined ? undefined : decodeContainerCursor(q.after, sort),
    limit: q.limit === undefined ? undefined : q.limit + 1,
  });
  const more = q.limit !== undefined && fetched.length > q.limit;
  const rows = more ? fetched.slice(0, q.limit) : fetched;
  const posture = await containerPostureFields(store, rows);
  return {
    items: rows.map((r, i) => ({ ...containerJson(r), ...posture[i]! })),
    next: more ? encodeContainerCursor(containerSortKey(rows[rows.length - 1]!, sort), sort) : null,
    rows,
  };
}

// The default order's cursor is its key (as before sorts existed); another order's names the order.
function encodeContainerCursor(key: ContainerSortKey, sort: ContainerSort): string {
  return encodeCursor(sort === 'source' ? key : { sort, key });
}

function decodeContainerCursor(text: string, sort: ContainerSort): ContainerSortKey {
  return decodeCursor(
    text,
    (parsed) => {
      const key =
        sort === 'source'
          ? parsed
          : parsed && typeof parsed === 'object' && (parsed as { sort?: unknown }).sort === sort
            ? (parsed as { key?: unknown }).key
            : undefined;
      return isContainerSortKey(key, sort) ? (key as ContainerSortKey) : undefined;
    },
    `cursor "${text.slice(0, 40)}" is not one this listing returned for sort=${sort}: pass the "next" of the previous page unchanged, with the same sort`,
  );
}
