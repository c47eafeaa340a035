// The Kubernetes inventory provider. `collectKubernetes` lists pods (paged), nodes, namespaces,
// ReplicaSets and Jobs and emits one full mutation. `watchKubernetes` is a reflector: list, then
// watch pods from the list's resourceVersion with bookmarks, emitting deltas in small batches; a 410
// Gone (HTTP status or ERROR event) lists again (a full mutation); other errors back off and resume.
// Follows the list/watch contract of client-go's Reflector (k8s.io/client-go/tools/cache).

import type { Logger } from '../../../core/logger.js';
import type { ContainerObservation, InventoryMutation } from '../../../core/types.js';
import { KubernetesApiError, listAll, statusSchema } from '../../../kubernetes/index.js';
import type { InventoryRunError } from '../../../store/index.js';
import type { MetadataKeys } from '../../metadata-keys.js';
import type { KubernetesApi, WatchEvent } from './api.js';
import { OwnerCache, resolveWorkload } from './owners.js';
import { podContainerIds, podContainers } from './pod-containers.js';
import { type Namespace, type Node, type Pod, podSchema } from './schema.js';

export interface KubernetesCollectOptions {
  /** The cluster name: the source name and the first part of every container id. */
  cluster: string;
  /** Only these namespaces (default: all). */
  namespaces?: string[] | undefined;
  keys: MetadataKeys;
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
  /** Page size of pod lists. */
  pageSize?: number | undefined;
}

export interface KubernetesCollection {
  mutation: Extract<InventoryMutation, { type: 'full' }>;
  /** Namespaces the list covered (undefined = all): a full list closes rows only there. */
  namespaces?: string[] | undefined;
  errors: InventoryRunError[];
  /** Per listed scope (namespace or '' for all), the resourceVersion to watch from. */
  resourceVersions: Map<string, string>;
  pods: number;
}

/** Caches shared by the list and the watch of one cluster: nodes, namespaces, owners. */
export class ClusterCache {
  readonly nodes = new Map<string, Node | null>();
  readonly namespaces = new Map<string, Namespace | null>();
  readonly owners: OwnerCache;
  readonly errors: InventoryRunError[] = [];
  /** Pods of the current list, so a pod owned by a pod resolves without a request. */
  podOwners = new Map<string, Pod['metadata']['ownerReferences']>();

  constructor(private readonly api: KubernetesApi) {
    this.owners = new OwnerCache(async (kind, ns, name) => {
      try {
        if (kind === 'ReplicaSet')
          return (await api.readReplicaSet(ns, name))?.metadata.ownerReferences ?? null;
        if (kind === 'Job') return (await api.readJob(ns, name))?.metadata.ownerReferences ?? null;
        if (kind === 'Pod') {
          const listed = this.podOwners.get(`${ns}/${name}`);
          if (listed !== undefined) return listed ?? [];
          const raw = await api.readPod(ns, name);
          const p = raw === undefined ? undefined : podSchema.safeParse(raw);
          return p?.success ? (p.data.metadata.ownerReferences ?? []) : null;
        }
      } catch (err) {
        this.note(`${kind} ${ns}/${name}`, err);
      }
      return null;
    });
  }

  note(where: string, err: unknown): void {
    if (this.errors.length < 100)
      this.errors.push({ where, message: err instanceof Error ? err.message : String(err) });
  }

  async node(name: string | null | undefined): Promise<Node | undefined> {
    if (!name) return undefined;
    if (!this.nodes.has(name)) {
      this.nodes.set(
        name,
        (await this.api.readNode(name).catch((e) => this.note(`node ${name}`, e))) ?? null,
      );
    }
    return this.nodes.get(name) ?? undefined;
  }

  async namespace(name: string): Promise<Namespace | undefined> {
    if (!this.namespaces.has(name)) {
      this.namespaces.set(
        name,
        (await this.api.readNamespace(name).catch((e) => this.note(`namespace ${name}`, e))) ?? null,
      );
    }
    return this.namespaces.get(name) ?? undefined;
  }

  /** Fills the caches with lists (cluster-wide, or per selected namespace). Failures are noted, not fatal. */
  async prime(namespaces: string[] | undefined): Promise<void> {
    const scopes = namespaces ?? [undefined];
    await Promise.all([
      this.api
        .listNodes()
        .then((ns) => {
          for (const n of ns) this.nodes.set(n.metadata.name, n);
        })
        .catch((e) => this.note('list nodes', e)),
      namespaces
        ? Promise.all(namespaces.map((n) => this.namespace(n)))
        : this.api
            .listNamespaces()
            .then((ns) => {
              for (const n of ns) this.namespaces.set(n.metadata.name, n);
            })
            .catch((e) => this.note('list namespaces', e)),
      ...scopes.map((ns) =>
        this.api
          .listReplicaSets(ns)
          .then((rs) => {
            for (const r of rs)
              this.owners.put(
                'ReplicaSet',
                r.metadata.namespace ?? '',
                r.metadata.name,
                r.metadata.ownerReferences,
              );
          })
          .catch((e) => this.note(`list replicasets${ns ? ` in ${ns}` : ''}`, e)),
      ),
      ...scopes.map((ns) =>
        this.api
          .listJobs(ns)
          .then((js) => {
            for (const j of js)
              this.owners.put('Job', j.metadata.namespace ?? '', j.metadata.name, j.metadata.ownerReferences);
          })
          .catch((e) => this.note(`list jobs${ns ? ` in ${ns}` : ''}`, e)),
      ),
    ]);
  }

  /** The containers of a validated pod, with node, namespace and workload resolved. */
  async containersOf(
    pod: Pod,
    opts: { cluster: string; keys: MetadataKeys },
  ): Promise<ContainerObservation[]> {
    const ns = pod.metadata.namespace ?? 'default';
    const workload = await resolveWorkload(
      {
        name: pod.metadata.name,
        namespace: ns,
        labels: pod.metadata.labels,
        owners: pod.metadata.ownerReferences,
      },
      this.owners,
    );
    return podContainers(pod, {
      cluster: opts.cluster,
      node: await this.node(pod.spec.nodeName),
      namespace: await this.namespace(ns),
      workload,
      keys: opts.keys,
    });
  }
}

/** Validates one raw pod; an invalid one is noted and skipped. */
function validPod(raw: unknown, cache: ClusterCache): Pod | undefined {
  const r = podSchema.safeParse(raw);
  if (r.success) return r.data;
  const name = (raw as { metadata?: { namespace?: string; name?: string } })?.metadata;
  const issue = r.error.issues[0];
  cache.note(
    `pod ${name?.namespace ?? '?'}/${name?.name ?? '?'}`,
    `unexpected pod shape at ${issue?.path.join('.')}: ${issue?.message}`,
  );
  return undefined;
}

/** Lists every pod in scope (paged) and returns them validated, with the resourceVersion per scope. */
async function listPods(
  api: KubernetesApi,
  cache: ClusterCache,
  namespaces: string[] | undefined,
  pageSize: number,
  signal: AbortSignal | undefined,
): Promise<{ pods: Pod[]; resourceVersions: Map<string, string> }> {
  const pods: Pod[] = [];
  const resourceVersions = new Map<string, string>();
  for (const ns of namespaces ?? [undefined]) {
    const listed = await listAll(
      (page) => api.listPods({ namespace: ns, ...page }),
      { pageSize, signal },
      (raw) => validPod(raw, cache),
    );
    pods.push(...listed.items);
    resourceVersions.set(ns ?? '', listed.resourceVersion);
  }
  return { pods, resourceVersions };
}

/** One full collection of a cluster (or of the selected namespaces). */
export async function collectKubernetes(
  api: KubernetesApi,
  opts: KubernetesCollectOptions,
  cache: ClusterCache = new ClusterCache(api),
): Promise<KubernetesCollection> {
  const namespaces = opts.namespaces?.length ? [...new Set(opts.namespaces)] : undefined;
  await cache.prime(namespaces);
  const { pods, resourceVersions } = await listPods(
    api,
    cache,
    namespaces,
    opts.pageSize ?? 500,
    opts.signal,
  );
  cache.podOwners = new Map(
    pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p.metadata.ownerReferences]),
  );
  const containers: ContainerObservation[] = [];
  for (const pod of pods) containers.push(...(await cache.containersOf(pod, opts)));
  cache.podOwners = new Map();
  return {
    mutation: { type: 'full', containers },
    namespaces,
    errors: cache.errors.splice(0),
    resourceVersions,
    pods: pods.length,
  };
}

export interface WatchHandlers {
  /** Called for each list (at start and after a 410), in order; awaited before the next call. */
  onFull(collection: KubernetesCollection): Promise<void>;
  /** Called for each batch of watch events, in order; awaited before the next call. */
  onDelta(
    mutation: Extract<InventoryMutation, { type: 'delta' }>,
    errors: InventoryRunError[],
  ): Promise<void>;
  /** A recoverable error; the watch backs off and resumes. */
  onError?(err: unknown, retryInMs: number): void;
}

export interface KubernetesWatchOptions extends KubernetesCollectOptions {
  signal: AbortSignal;
  /** How long events are gathered into one delta (default 100 ms). */
  batchMs?: number | undefined;
  /** Server-side watch timeout before the stream is renewed (default 300 s). */
  timeoutSeconds?: number | undefined;
  /** First and maximum backoff after an error (default 500 ms … 30 s). */
  backoff?: { initialMs: number; maxMs: number } | undefined;
}

class GoneError extends Error {}

/** Lists and watches until `signal` aborts. Resolves when stopped; throws only on a failed first list. */
export async function watchKubernetes(
  api: KubernetesApi,
  opts: KubernetesWatchOptions,
  handlers: WatchHandlers,
): Promise<void> {
  const { signal } = opts;
  const cache = new ClusterCache(api);
  const namespaces = opts.namespaces?.length ? [...new Set(opts.namespaces)] : [undefined];
  const initialMs = opts.backoff?.initialMs ?? 500;
  const maxMs = opts.backoff?.maxMs ?? 30_000;

  // Deltas are applied one after another, in event order, across every namespace's stream.
  // A delta that could not be applied (e.g. the store was briefly unreachable) would leave the store
  // behind the cluster: every scope then stops its watch and lists again (a full mutation heals it).
  let chain: Promise<void> = Promise.resolve();
  const watches = new Set<AbortController>();
  let resyncs = 0;
  const enqueue = (fn: () => Promise<void>) => {
    chain = chain.then(fn).catch((err) => {
      resyncs++;
      handlers.onError?.(err, 0);
      for (const w of watches) w.abort();
    });
    return chain;
  };

  let firstList = true;
  const runScope = async (ns: string | undefined) => {
    let rv: string | undefined;
    let delay = initialMs;
    let seenResyncs = resyncs;
    while (!signal.aborted) {
      try {
        if (seenResyncs !== resyncs) {
          seenResyncs = resyncs;
          rv = undefined;
          await sleep(delay, signal);
          delay = Math.min(delay * 2, maxMs);
          if (signal.aborted) break;
        }
        if (rv === undefined) {
          const collection = await collectKubernetes(
            api,
            { ...opts, namespaces: ns ? [ns] : undefined },
            cache,
          );
          rv = collection.resourceVersions.get(ns ?? '') ?? '';
          await enqueue(() => handlers.onFull(collection));
          if (seenResyncs !== resyncs) continue; // the list itself did not land: list again
        }
        firstList = false;
        let pending: WatchEvent[] = [];
        let timer: NodeJS.Timeout | undefined;
        let gone = false;
        const flush = () => {
          timer = undefined;
          const events = pending;
          pending = [];
          if (events.length) void enqueue(() => applyEvents(events));
        };
        const applyEvents = async (events: WatchEvent[]) => {
          const added: ContainerObservation[] = [];
          const removed: string[] = [];
          for (const ev of events) {
            const pod = validPod(ev.object, cache);
            if (!pod) continue;
            // A deleted pod's last state is recorded, then its containers are closed.
            added.push(...(await cache.containersOf(pod, opts)));
            if (ev.type === 'DELETED') removed.push(...podContainerIds(opts.cluster, pod));
          }
          await handlers.onDelta({ type: 'delta', added, removed }, cache.errors.splice(0));
        };
        const stop = new AbortController();
        const onAbort = () => stop.abort();
        signal.addEventListener('abort', onAbort, { once: true });
        watches.add(stop);
        const watching = api.watchPods(
          { namespace: ns, resourceVersion: rv, timeoutSeconds: opts.timeoutSeconds ?? 300 },
          (ev) => {
            if (gone) return;
            if (ev.type === 'ERROR') {
              const st = statusSchema.safeParse(ev.object);
              if (st.success && st.data.code === 410) gone = true;
              else
                cache.note(
                  'watch pods',
                  `watch error event: ${st.success ? st.data.message : JSON.stringify(ev.object)}`,
                );
              return;
            }
            const newRv = (ev.object as { metadata?: { resourceVersion?: string } })?.metadata
              ?.resourceVersion;
            if (newRv) rv = newRv;
            if (ev.type === 'BOOKMARK') return;
            pending.push(ev);
            timer ??= setTimeout(flush, opts.batchMs ?? 100);
          },
          stop.signal,
        );
        await watching.finally(() => {
          watches.delete(stop);
          signal.removeEventListener('abort', onAbort);
        });
        if (timer) clearTimeout(timer);
        flush();
        await chain;
        if (gone) throw new GoneError();
        if (seenResyncs === resyncs) delay = initialMs; // a stream that ended normally is renewed at once
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof GoneError || (err instanceof KubernetesApiError && err.status === 410)) {
          opts.logger?.info('watch resourceVersion expired (410 Gone); listing again', {
            cluster: opts.cluster,
            namespace: ns,
          });
          rv = undefined;
          continue;
        }
        if (firstList) throw err;
        handlers.onError?.(err, delay);
        await sleep(delay + Math.random() * delay * 0.2, signal);
        delay = Math.min(delay * 2, maxMs);
      }
    }
  };
  await Promise.all(namespaces.map((ns) => runScope(ns)));
  await chain;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
