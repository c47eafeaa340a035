// Resolves a pod's top owner up the controller chain: Pod → ReplicaSet → Deployment, Pod → Job →
// CronJob, StatefulSet, DaemonSet, static (mirror) pods owned by a Node, pods owned by a Pod, and
// whatever custom controller owns a ReplicaSet (e.g. an Argo Rollout). ReplicaSets and Jobs are
// cached: filled from a list, completed by a `get` on a miss (new ReplicaSets appear on rollouts).
import type { OwnerReference } from './schema.js';

export interface Workload {
  kind: string;
  name: string;
}

export interface OwnerLookup {
  /** The owners of a namespaced object of `kind` (ReplicaSet, Job, Pod), or undefined when unknown. */
  ownersOf(kind: string, namespace: string, name: string): Promise<OwnerReference[] | undefined>;
}

/** Kinds whose own owners we look up; any other owner kind is the top of the chain. */
const INTERMEDIATE = new Set(['ReplicaSet', 'Job', 'Pod']);

export function controllerOf(refs: readonly OwnerReference[] | null | undefined): OwnerReference | undefined {
  if (!refs?.length) return undefined;
  return refs.find((r) => r.controller) ?? refs[0];
}

export async function resolveWorkload(
  pod: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    owners: OwnerReference[] | null | undefined;
  },
  lookup: OwnerLookup,
): Promise<Workload> {
  let current: Workload = { kind: 'Pod', name: pod.name };
  let owner = controllerOf(pod.owners);
  const seen = new Set<string>();
  while (owner) {
    current = { kind: owner.kind, name: owner.name };
    const key = `${owner.kind}/${owner.name}`;
    if (seen.has(key) || seen.size > 8 || !INTERMEDIATE.has(owner.kind)) break;
    seen.add(key);
    const next = await lookup.ownersOf(owner.kind, pod.namespace, owner.name);
    if (next === undefined) {
      // Not in the cache and not readable: a Deployment's ReplicaSet is named <deployment>-<pod-template-hash>.
      const hash = pod.labels['pod-template-hash'];
      if (owner.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`)) {
        current = { kind: 'Deployment', name: owner.name.slice(0, -hash.length - 1) };
      }
      break;
    }
    owner = controllerOf(next);
  }
  return current;
}

/** An OwnerLookup over caches, completed on a miss by `fetch` (a `get`); misses are remembered. */
export class OwnerCache implements OwnerLookup {
  private readonly owners = new Map<string, OwnerReference[] | null>();
  constructor(
    private readonly fetch: (
      kind: string,
      namespace: string,
      name: string,
    ) => Promise<OwnerReference[] | null>,
  ) {}

  /** Records an object's owners (from a list, or a pod seen in the same list). */
  put(kind: string, namespace: string, name: string, owners: OwnerReference[] | null | undefined): void {
    this.owners.set(`${kind}\u0000${namespace}\u0000${name}`, owners ?? []);
  }

  forget(kind: string, namespace: string, name: string): void {
    this.owners.delete(`${kind}\u0000${namespace}\u0000${name}`);
  }

  async ownersOf(kind: string, namespace: string, name: string): Promise<OwnerReference[] | undefined> {
    const key = `${kind}\u0000${namespace}\u0000${name}`;
    if (!this.owners.has(key)) this.owners.set(key, await this.fetch(kind, namespace, name));
    return this.owners.get(key) ?? undefined;
  }

  get size(): number {
    return this.owners.size;
  }
}
