// The KubernetesClient adapter over @kubernetes/client-node 1.x (HTTP, auth and kubeconfig handling).
// Built-in resources go through the typed APIs, other groups (CRDs such as trivy-operator's reports)
// through CustomObjectsApi; watches through its Watch. The library costs ~70 MiB when loaded: it is
// imported only when a cluster is contacted, so every other command starts without it.
import type { ApiException, KubeConfig } from '@kubernetes/client-node';
import {
  type KubernetesClient,
  type KubernetesResource,
  type ListOptions,
  type ListPage,
  parsePayload,
} from './client.js';
import { KubernetesApiError } from './errors.js';
import { listSchema, statusSchema, watchEventSchema } from './schema.js';

export type ClientNode = typeof import('@kubernetes/client-node');

let clientNode: ClientNode | undefined;

/** Loads @kubernetes/client-node (once). */
export async function loadClientNode(): Promise<ClientNode> {
  clientNode ??= await import('@kubernetes/client-node');
  return clientNode;
}

type Page = { limit?: number | undefined; _continue?: string | undefined };
interface TypedCalls {
  list(namespace: string | undefined, page: Page): Promise<unknown>;
  get(namespace: string | undefined, name: string): Promise<unknown>;
}

/** The client for the kubeconfig's current context. */
export function clientNodeClient(kc: KubeConfig, k8s: ClientNode): KubernetesClient {
  const { AppsV1Api, BatchV1Api, CoreV1Api, CustomObjectsApi, Watch } = k8s;
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const server = kc.getCurrentCluster()?.server ?? '(no cluster)';
  const watcher = new Watch(kc);

  const typed: Record<string, TypedCalls> = {
    '/v1/pods': {
      list: (namespace, page) =>
        namespace ? core.listNamespacedPod({ namespace, ...page }) : core.listPodForAllNamespaces(page),
      get: (namespace, name) => core.readNamespacedPod({ namespace: namespace ?? 'default', name }),
    },
    '/v1/nodes': {
      list: (_namespace, page) => core.listNode(page),
      get: (_namespace, name) => core.readNode({ name }),
    },
    '/v1/namespaces': {
      list: (_namespace, page) => core.listNamespace(page),
      get: (_namespace, name) => core.readNamespace({ name }),
    },
    'apps/v1/replicasets': {
      list: (namespace, page) =>
        namespace
          ? apps.listNamespacedReplicaSet({ namespace, ...page })
          : apps.listReplicaSetForAllNamespaces(page),
      get: (namespace, name) => apps.readNamespacedReplicaSet({ namespace: namespace ?? 'default', name }),
    },
    'batch/v1/jobs': {
      list: (namespace, page) =>
        namespace ? batch.listNamespacedJob({ namespace, ...page }) : batch.listJobForAllNamespaces(page),
      get: (namespace, name) => batch.readNamespacedJob({ namespace: namespace ?? 'default', name }),
    },
  };
  const calls = (r: KubernetesResource): TypedCalls => {
    const known = typed[`${r.group}/${r.version}/${r.plural}`];
    if (known) return known;
    const base = { group: r.group, version: r.version, plural: r.plural };
    return {
      list: (namespace, page) =>
        namespace
          ? custom.listNamespacedCustomObject({ ...base, namespace, ...page })
          : custom.listClusterCustomObject({ ...base, ...page }),
      get: (namespace, name) =>
        namespace
          ? custom.getNamespacedCustomObject({ ...base, namespace, name })
          : custom.getClusterCustomObject({ ...base, name }),
    };
  };

  return {
    server,
    async list(resource, opts: ListOptions = {}): Promise<ListPage> {
      const { namespace } = opts;
      const list = await call(`list ${resource.plural}${namespace ? ` in ${namespace}` : ''}`, server, () =>
        calls(resource).list(namespace, { limit: opts.limit, _continue: opts.continue }),
      );
      const parsed = parsePayload(listSchema, list, `${resource.singular} list`);
      return {
        items: parsed.items,
        resourceVersion: parsed.metadata?.resourceVersion ?? '',
        continue: parsed.metadata?._continue ?? parsed.metadata?.continue ?? undefined,
      };
    },
    async get(resource, name, namespace) {
      const what = `get ${resource.singular} ${namespace ? `${namespace}/` : ''}${name}`;
      try {
        return await call(what, server, () => calls(resource).get(namespace, name));
      } catch (err) {
        if (err instanceof KubernetesApiError && err.status === 404) return undefined;
        throw err;
      }
    },
    watch(resource, { namespace, resourceVersion, timeoutSeconds }, onEvent, signal) {
      const prefix = resource.group
        ? `/apis/${resource.group}/${resource.version}`
        : `/api/${resource.version}`;
      const path = `${prefix}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${resource.plural}`;
      const what = `watch ${resource.plural}${namespace ? ` in ${namespace}` : ''}`;
      return new Promise<void>((resolve, reject) => {
        let controller: AbortController | undefined;
        const onAbort = () => controller?.abort();
        signal.addEventListener('abort', onAbort, { once: true });
        const finish = (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted || !err) resolve();
          else reject(toApiError(err, what, server));
        };
        watcher
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
      ? ' — check the credentials and that the RBAC in deploy/agent/rbac.yaml is bound to this identity'
      : status === undefined
        ? ' — is the API server reachable at that address?'
        : '';
  return new KubernetesApiError(
    status,
    `Kubernetes ${what} at ${server} failed${status ? ` (HTTP ${status})` : ''}: ${detail}${hint}`,
    { cause: err, detail },
  );
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
