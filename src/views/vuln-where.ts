// CVE-first view: every running container and workload whose image carries a vulnerability.
// `vuln where ID`: the running containers, workloads and images a vulnerability reaches, and whether
// the id is known at all (an advisory or a current finding names it), so that a typo is not "none".
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
}

/** Under an access scope: only the running containers inside it (and so their workloads and images). */
export async function vulnWhere(
  store: Store,
  id: string,
  _config: PostureConfig = {},
  opts: ScopedRead = {},
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
  return {
    vulnerability: id,
    ids: known ? ids : [],
    known,
    containers,
    workloads: [...workloads.values()],
    images: [...new Set(containers.map((c) => c.imageDigest))],
  };
}

async function isNamed(store: Store, id: string, opts: ScopedRead = {}): Promise<boolean> {
  const detail = await getVulnerability(store, id, opts.scope);
  return detail.advisories.length > 0 || detail.images.length > 0;
}
