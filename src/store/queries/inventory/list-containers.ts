// The container listing behind `runsight containers`: live containers (or every row ever seen, with
// `includeRemoved`), filtered by source, cluster and namespace, in a stable order. Rows carry the
// propagation columns too, so views that show resolution need no second query.
import type { Store } from '../../open-store.js';
import { anyText } from '../../statement-size.js';

export interface ContainerFilter {
  source?: string | undefined;
  cluster?: string | undefined;
  namespaces?: string[] | undefined;
  /** Also list containers that have gone (removed_at set). */
  includeRemoved?: boolean | undefined;
  /** Only these ids (e.g. the ids an inventory mutation touched). */
  ids?: string[] | undefined;
  limit?: number | undefined;
}

export interface ContainerRow {
  id: string;
  source: string;
  sourceKind: string;
  cluster: string | null;
  namespace: string | null;
  workloadKind: string | null;
  workloadName: string | null;
  pod: string | null;
  container: string;
  containerKind: string;
  node: string | null;
  platform: string | null;
  image: string;
  imageId: string | null;
  digest: string | null;
  digestKind: string | null;
  state: string;
  startedAt: Date | null;
  finishedAt: Date | null;
  restarts: number | null;
  firstSeen: Date;
  lastSeen: Date;
  removedAt: Date | null;
  owner: string | null;
  environment: string | null;
  labels: Record<string, string>;
  imageDigest: string | null;
  matchMethod: string;
  confidence: string;
  resolvedAt: Date | null;
}

export async function listContainers(
  { db }: Pick<Store, 'db'>,
  filter: ContainerFilter = {},
): Promise<ContainerRow[]> {
  let q = db
    .selectFrom('containers as c')
    .innerJoin('inventory_sources as s', 's.id', 'c.source_id')
    .select([
      'c.id',
      's.name as source',
      's.kind as sourceKind',
      'c.cluster',
      'c.namespace',
      'c.workload_kind as workloadKind',
      'c.workload_name as workloadName',
      'c.pod',
      'c.container_name as container',
      'c.container_kind as containerKind',
      'c.node',
      'c.platform',
      'c.image',
      'c.image_id as imageId',
      'c.digest',
      'c.digest_kind as digestKind',
      'c.state',
      'c.started_at as startedAt',
      'c.finished_at as finishedAt',
      'c.restarts',
      'c.first_seen as firstSeen',
      'c.last_seen as lastSeen',
      'c.removed_at as removedAt',
      'c.owner',
      'c.environment',
      'c.labels',
      'c.image_digest as imageDigest',
      'c.match_method as matchMethod',
      'c.confidence',
      'c.resolved_at as resolvedAt',
    ]);
  if (!filter.includeRemoved) q = q.where('c.removed_at', 'is', null);
  if (filter.source) q = q.where('s.name', '=', filter.source);
  if (filter.cluster) q = q.where('c.cluster', '=', filter.cluster);
  if (filter.namespaces?.length) q = q.where('c.namespace', '=', anyText(filter.namespaces));
  if (filter.ids) {
    if (!filter.ids.length) return [];
    q = q.where('c.id', '=', anyText(filter.ids));
  }
  q = q.orderBy('s.name').orderBy('c.cluster').orderBy('c.namespace').orderBy('c.pod').orderBy('c.id');
  if (filter.limit) q = q.limit(filter.limit);
  return q.execute();
}
