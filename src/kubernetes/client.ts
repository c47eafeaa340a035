// The Kubernetes calls Runsight makes, as a small structural port (Kysely's PostgresPool idea):
// list a page, get one object, watch from a resourceVersion — of any resource type. The inventory
// and the trivy-operator importer build their views on it; fakes for tests come free.
import type { z } from 'zod';
import { KubernetesApiError } from './errors.js';
import type { watchEventSchema } from './schema.js';

/** A resource type of the API: `group` '' is the core group (`/api/v1`). */
export interface KubernetesResource {
  group: string;
  version: string;
  /** As in the URL path, e.g. `pods`. */
  plural: string;
  /** For messages, e.g. `pod`. */
  singular: string;
}

export const PODS: KubernetesResource = { group: '', version: 'v1', plural: 'pods', singular: 'pod' };
export const NODES: KubernetesResource = { group: '', version: 'v1', plural: 'nodes', singular: 'node' };
export const NAMESPACES: KubernetesResource = {
  group: '',
  version: 'v1',
  plural: 'namespaces',
  singular: 'namespace',
};
export const REPLICA_SETS: KubernetesResource = {
  group: 'apps',
  version: 'v1',
  plural: 'replicasets',
  singular: 'replicaset',
};
export const JOBS: KubernetesResource = { group: 'batch', version: 'v1', plural: 'jobs', singular: 'job' };

/** One page of a list. */
export interface ListPage {
  /** Raw objects: validated one by one by the caller, so one odd object does not sink the list. */
  items: unknown[];
  resourceVersion: string;
  continue?: string | undefined;
}

export type WatchEvent = z.infer<typeof watchEventSchema>;

export interface ListOptions {
  /** Only this namespace (default: all, or a cluster-scoped resource). */
  namespace?: string | undefined;
  limit?: number | undefined;
  continue?: string | undefined;
}

export interface KubernetesClient {
  /** A server address for messages, e.g. `https://10.0.0.1:6443`. */
  readonly server: string;
  list(resource: KubernetesResource, opts?: ListOptions): Promise<ListPage>;
  /** The object, or undefined when the server answers 404. */
  get(
    resource: KubernetesResource,
    name: string,
    namespace?: string | undefined,
  ): Promise<unknown | undefined>;
  /**
   * Watches from `resourceVersion` with bookmarks. Resolves when the server ends the stream or the
   * signal aborts; rejects on an HTTP error (410 included, as KubernetesApiError). ERROR events reach
   * `onEvent`.
   */
  watch(
    resource: KubernetesResource,
    opts: { namespace?: string | undefined; resourceVersion: string; timeoutSeconds?: number | undefined },
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void>;
}

/** Validates a payload; a mismatch is a KubernetesApiError naming what was expected and where. */
export function parsePayload<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
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
