// The Kubernetes calls the inventory makes, as a small structural port (Kysely's PostgresPool idea),
// and its adapter over @kubernetes/client-node 1.x. Every payload is validated with schema.ts.
// RBAC needed: get/list/watch on pods, nodes, namespaces, replicasets, jobs (deploy/rbac.yaml).
// The client library costs ~70 MiB when loaded: it is imported only when a cluster is contacted,
// so every other command (scan, posture, …) starts without it.
import type { ApiException, KubeConfig } from '@kubernetes/client-node';
import type { z } from 'zod';
import { RunsightError } from '../../../core/errors.js';
import {
  listMetaSchema,
  type Namespace,
  type Node,
  namespaceSchema,
  nodeSchema,
  type OwnedObject,
  ownedObjectSchema,
  statusSchema,
  watchEventSchema,
} from './schema.js';

/** A Kubernetes API call failed; `status` is the HTTP status (410 = resourceVersion too old). */
export class KubernetesApiError extends RunsightError {
  override readonly name: string = 'KubernetesApiError';
  constructor(
    readonly status: number | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface PodPage {
  /** Raw pod objects: validated one by one by the caller, so one odd pod does not sink the list. */
  items: unknown[];
  resourceVersion: string;
  continue?: string | undefined;
}

export type WatchEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'; object: unknown };

export interface KubernetesApi {
  /** A server address for messages, e.g. `https://10.0.0.1:6443`. */
  readonly server: string;
  listPods(opts: {
    namespace?: string | undefined;
    limit?: number;
    continue?: string | undefined;
  }): Promise<PodPage>;
  readPod(namespace: string, name: string): Promise<unknown | undefined>;
  listNodes(): Promise<Node[]>;
  readNode(name: string): Promise<Node | undefined>;
  listNamespaces(): Promise<Namespace[]>;
  readNamespace(name: string): Promise<Namespace | undefined>;
  listReplicaSets(namespace?: string): Promise<OwnedObject[]>;
  readReplicaSet(namespace: string, name: string): Promise<OwnedObject | undefined>;
  listJobs(namespace?: string): Promise<OwnedObject[]>;
  readJob(namespace: string, name: string): Promise<OwnedObject | undefined>;
  /**
   * Watches pods from `resourceVersion` with bookmarks. Resolves when the server ends the stream;
   * rejects on an HTTP error (410 included, as KubernetesApiError). ERROR events reach `onEvent`.
   */
  watchPods(
    opts: { namespace?: string | undefined; resourceVersion: string; timeoutSeconds?: number },
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void>;
}

/** The port over @kubernetes/client-node, for the kubeconfig's current context. */
export type ClientNode = typeof import('@kubernetes/client-node');

/** Loads @kubernetes/client-node (once). */
export async function loadClientNode(): Promise<ClientNode> {
  clientNode ??= await import('@kubernetes/client-node');
  return clientNode;
}
let clientNode: ClientNode | undefined;

export function clientNodeApi(kc: KubeConfig, k8s: ClientNode): KubernetesApi {
  const { AppsV1Api, BatchV1Api, CoreV1Api, Watch } = k8s;
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const server = kc.getCurrentCluster()?.server ?? '(no cluster)';
  const watch = new Watch(kc);

  return {
    server,
    async listPods({ namespace, limit = 500, continue: cont }) {
      const list = await call(`list pods${namespace ? ` in ${namespace}` : ''}`, server, () =>
        namespace
          ? core.listNamespacedPod({ namespace, limit, _continue: cont })
          : core.listPodForAllNamespaces({ limit, _continue: cont }),
      );
      const meta = parse(listMetaSchema, list.metadata ?? {}, 'PodList.metadata');
      return {
        items: list.items ?? [],
        resourceVersion: meta.resourceVersion ?? '',
        continue: meta._continue ?? meta.continue ?? undefined,
      };
    },
    async readPod(namespace, name) {
      return orUndefined(
        call(`get pod ${namespace}/${name}`, server, () => core.readNamespacedPod({ namespace, name })),
      );
    },
    async listNodes() {
      const list = await call('list nodes', server, () => core.listNode());
      return (list.items ?? []).map((n) => parse(nodeSchema, n, 'Node'));
    },
    async readNode(name) {
      const n = await orUndefined(call(`get node ${name}`, server, () => core.readNode({ name })));
      return n && parse(nodeSchema, n, 'Node');
    },
    async listNamespaces() {
      const list = await call('list namespaces', server, () => core.listNamespace());
      return (list.items ?? []).map((n) => parse(namespaceSchema, n, 'Namespace'));
    },
    async readNamespace(name) {
      const n = await orUndefined(call(`get namespace ${name}`, server, () => core.readNamespace({ name })));
      return n && parse(namespaceSchema, n, 'Namespace');
    },
    async listReplicaSets(namespace) {
      const list = await call('list replicasets', server, () =>
        namespace ? apps.listNamespacedReplicaSet({ namespace }) : apps.listReplicaSetForAllNamespaces(),
      );
      return (list.items ?? []).map((o) => parse(ownedObjectSchema, o, 'ReplicaSet'));
    },
    async readReplicaSet(namespace, name) {
      const o = await orUndefined(
        call(`get replicaset ${namespace}/${name}`, server, () =>
          apps.readNamespacedReplicaSet({ namespace, name }),
        ),
      );
      return o && parse(ownedObjectSchema, o, 'ReplicaSet');
    },
    async listJobs(namespace) {
      const list = await call('list jobs', server, () =>
        namespace ? batch.listNamespacedJob({ namespace }) : batch.listJobForAllNamespaces(),
      );
      return (list.items ?? []).map((o) => parse(ownedObjectSchema, o, 'Job'));
    },
    async readJob(namespace, name) {
      const o = await orUndefined(
        call(`get job ${namespace}/${name}`, server, () => batch.readNamespacedJob({ namespace, name })),
      );
      return o && parse(ownedObjectSchema, o, 'Job');
    },
    watchPods({ namespace, resourceVersion, timeoutSeconds }, onEvent, signal) {
      const path = namespace ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods` : '/api/v1/pods';
      return new Promise<void>((resolve, reject) => {
        let controller: AbortController | undefined;
        const onAbort = () => controller?.abort();
        signal.addEventListener('abort', onAbort, { once: true });
        const finish = (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted || !err) resolve();
          else reject(toApiError(err, `watch pods${namespace ? ` in ${namespace}` : ''}`, server));
        };
        watch
          .watch(
            path,
            { allowWatchBookmarks: true, resourceVersion, timeoutSeconds },
            (type: string, object: unknown) => {
              const ev = watchEventSchema.safeParse({ type, object });
              if (ev.success) onEvent(ev.data);
            },
            finish,
          )
          .then((c) => {
            controller = c;
            if (signal.aborted) c.abort();
          }, finish);
      });
    },
  };
}

async function call<T>(what: string, server: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toApiError(err, what, server);
  }
}

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof KubernetesApiError && err.status === 404) return undefined;
    throw err;
  }
}

function toApiError(err: unknown, what: string, server: string): KubernetesApiError {
  if (err instanceof KubernetesApiError) return err;
  let status: number | undefined;
  let detail = err instanceof Error ? err.message : String(err);
  if (clientNode && err instanceof clientNode.ApiException) {
    const apiErr = err as ApiException<unknown>;
    status = apiErr.code;
    const body = typeof apiErr.body === 'string' ? safeJson(apiErr.body) : apiErr.body;
    const st = statusSchema.safeParse(body);
    detail =
      (st.success && st.data.message) ||
      /Message: ([^\n]*)/.exec(apiErr.message)?.[1] ||
      `HTTP ${apiErr.code}`;
  } else if (typeof (err as { statusCode?: unknown })?.statusCode === 'number') {
    status = (err as { statusCode: number }).statusCode;
  }
  const hint =
    status === 401 || status === 403
      ? ' — check the credentials and that the RBAC in deploy/rbac.yaml is bound to this identity'
      : status === undefined
        ? ' — is the API server reachable at that address?'
        : '';
  return new KubernetesApiError(
    status,
    `Kubernetes ${what} at ${server} failed${status ? ` (HTTP ${status})` : ''}: ${detail}${hint}`,
    {
      cause: err,
    },
  );
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new KubernetesApiError(
      undefined,
      `unexpected ${what} from the Kubernetes API: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
  }
  return r.data;
}
