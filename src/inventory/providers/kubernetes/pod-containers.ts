// Maps one Pod to the containers it runs: init, sidecar (an init container with restartPolicy
// Always), regular and ephemeral, each with its image as written, the imageID as reported and its
// parsed digest, state, start/finish times, restarts, node, platform (from the Node), workload (top
// owner), owner and environment. Pure: the node, namespace and workload are passed in.
import type { ContainerKind, ContainerObservation, Platform } from '../../../core/types.js';
import { digestOfReference, parseImageId } from '../../image-id.js';
import { type MetadataKeys, pickValue } from '../../metadata-keys.js';
import type { Workload } from './owners.js';
import type { ContainerStatus, Namespace, Node, Pod } from './schema.js';

export interface PodContext {
  cluster: string;
  node?: Node | undefined;
  namespace?: Namespace | undefined;
  workload: Workload;
  keys: MetadataKeys;
}

/** `<cluster>/<namespace>/<pod>/<container>`: stable while the pod lives, readable in listings. */
export function containerId(cluster: string, namespace: string, pod: string, container: string): string {
  return `${cluster}/${namespace}/${pod}/${container}`;
}

/** The ids of every container a pod declares (used when a DELETED event removes the pod). */
export function podContainerIds(cluster: string, pod: Pod): string[] {
  const ns = pod.metadata.namespace ?? 'default';
  return [
    ...(pod.spec.initContainers ?? []),
    ...pod.spec.containers,
    ...(pod.spec.ephemeralContainers ?? []),
  ].map((c) => containerId(cluster, ns, pod.metadata.name, c.name));
}

export function podContainers(pod: Pod, ctx: PodContext): ContainerObservation[] {
  const ns = pod.metadata.namespace ?? 'default';
  const status = pod.status ?? {};
  const platform = nodePlatform(ctx.node);
  const labels = pod.metadata.labels;
  const nsMeta = ctx.namespace?.metadata;
  const maps = [labels, pod.metadata.annotations, nsMeta?.labels, nsMeta?.annotations];
  const owner = pickValue(ctx.keys.ownerKeys, maps);
  const environment = pickValue(ctx.keys.environmentKeys, maps);
  const groups: [
    ContainerKind | 'init-or-sidecar',
    { name: string; image?: string | null | undefined; restartPolicy?: string | null | undefined }[],
    ContainerStatus[],
  ][] = [
    ['init-or-sidecar', pod.spec.initContainers ?? [], status.initContainerStatuses ?? []],
    ['regular', pod.spec.containers, status.containerStatuses ?? []],
    ['ephemeral', pod.spec.ephemeralContainers ?? [], status.ephemeralContainerStatuses ?? []],
  ];
  const out: ContainerObservation[] = [];
  for (const [group, specs, statuses] of groups) {
    for (const spec of specs) {
      const st = statuses.find((s) => s.name === spec.name);
      const kind: ContainerKind =
        group === 'init-or-sidecar' ? (spec.restartPolicy === 'Always' ? 'sidecar' : 'init') : group;
      const image = spec.image ?? st?.image ?? '';
      const imageId = st?.imageID || undefined;
      let parsed = parseImageId(imageId);
      if (!parsed.digest) {
        const pinned = digestOfReference(image);
        if (pinned) parsed = { digest: pinned, digestKind: 'repo' };
      }
      const state = st?.state;
      out.push({
        id: containerId(ctx.cluster, ns, pod.metadata.name, spec.name),
        cluster: ctx.cluster,
        namespace: ns,
        workloadKind: ctx.workload.kind,
        workloadName: ctx.workload.name,
        pod: pod.metadata.name,
        container: spec.name,
        containerKind: kind,
        node: pod.spec.nodeName ?? undefined,
        platform,
        image,
        imageId,
        digest: parsed.digest,
        digestKind: parsed.digestKind,
        state: state?.running
          ? 'running'
          : state?.terminated
            ? 'terminated'
            : state?.waiting
              ? 'waiting'
              : 'pending',
        startedAt: state?.running?.startedAt ?? state?.terminated?.startedAt,
        finishedAt: state?.terminated?.finishedAt,
        restarts: st?.restartCount ?? undefined,
        owner,
        environment,
        labels,
      });
    }
  }
  return out;
}

/**
 * The node's platform: `kubernetes.io/os` / `kubernetes.io/arch` labels (beta labels as fallback),
 * else `status.nodeInfo`. Kubernetes has no variant label: 32-bit `arm` takes containerd's default
 * `v7`; an explicit `runsight.io/arch-variant` label wins. Windows nodes carry their build as osVersion.
 */
export function nodePlatform(node: Node | undefined): Platform | undefined {
  if (!node) return undefined;
  const l = node.metadata.labels;
  const info = node.status?.nodeInfo;
  const os = l['kubernetes.io/os'] ?? l['beta.kubernetes.io/os'] ?? info?.operatingSystem ?? undefined;
  const architecture =
    l['kubernetes.io/arch'] ?? l['beta.kubernetes.io/arch'] ?? info?.architecture ?? undefined;
  if (!os || !architecture) return undefined;
  const variant = l['runsight.io/arch-variant'] ?? (architecture === 'arm' ? 'v7' : undefined);
  const osVersion = os === 'windows' ? l['node.kubernetes.io/windows-build'] : undefined;
  return { os, architecture, variant, osVersion };
}
