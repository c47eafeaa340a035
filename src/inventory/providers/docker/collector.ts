// The Docker inventory provider: every container in every state (`/containers/json?all=1`), each
// inspected for start/finish times and restarts, its image inspected for the config id, RepoDigests
// and platform; Compose (com.docker.compose.project/service) and Swarm (com.docker.stack.namespace,
// com.docker.swarm.service.name) labels map to a workload. `watchDocker` lists, then follows the
// `/events` stream from the list's time and emits deltas; a broken stream backs off and lists again.

import type { Logger } from '../../../core/logger.js';
import type { ContainerObservation, InventoryMutation, Platform } from '../../../core/types.js';
import type { InventoryRunError } from '../../../store/index.js';
import { parseImageId } from '../../image-id.js';
import { type MetadataKeys, pickValue } from '../../metadata-keys.js';
import type { DockerApi } from './client.js';
import type { ContainerInspect, ContainerSummary, ImageInspect } from './schema.js';

/** The label carrying an image's RepoDigests (comma-separated) for propagation: config → manifest. */
export const REPO_DIGESTS_LABEL = 'runsight.io/repo-digests';

export interface DockerCollectOptions {
  /** The source name (default: the daemon's host name from /info). */
  name: string;
  keys: MetadataKeys;
  logger?: Logger | undefined;
  signal?: AbortSignal | undefined;
}

export interface DockerCollection {
  mutation: Extract<InventoryMutation, { type: 'full' }>;
  errors: InventoryRunError[];
  /** Unix seconds when the list began: the events stream resumes from here. */
  listedAt: number;
}

export function dockerContainerId(source: string, id: string): string {
  return `${source}/${id}`;
}

/** Workload from Compose or Swarm labels; a plain container is its own workload. */
export function dockerWorkload(
  labels: Record<string, string>,
  name: string,
): { namespace?: string | undefined; kind: string; name: string } {
  const swarmService = labels['com.docker.swarm.service.name'];
  if (swarmService) {
    const stack = labels['com.docker.stack.namespace'];
    const short =
      stack && swarmService.startsWith(`${stack}_`) ? swarmService.slice(stack.length + 1) : swarmService;
    return { namespace: stack, kind: 'SwarmService', name: short };
  }
  const project = labels['com.docker.compose.project'];
  const service = labels['com.docker.compose.service'];
  if (project && service) return { namespace: project, kind: 'ComposeService', name: service };
  return { kind: 'Container', name };
}

export function dockerObservation(
  source: string,
  node: string | undefined,
  summary: ContainerSummary,
  inspect: ContainerInspect | undefined,
  image: ImageInspect | undefined,
  keys: MetadataKeys,
): ContainerObservation {
  const name = (summary.Names?.[0] ?? inspect?.Name ?? summary.Id.slice(0, 12)).replace(/^\//, '');
  const labels: Record<string, string> = { ...summary.Labels };
  if (image?.RepoDigests?.length) labels[REPO_DIGESTS_LABEL] = image.RepoDigests.join(',');
  const workload = dockerWorkload(summary.Labels, name);
  const imageId = summary.ImageID ?? image?.Id ?? undefined;
  const parsed = parseImageId(imageId);
  const platform: Platform | undefined =
    image?.Os && image.Architecture
      ? {
          os: image.Os,
          architecture: image.Architecture,
          variant: image.Variant || undefined,
          osVersion: image.OsVersion || undefined,
        }
      : undefined;
  return {
    id: dockerContainerId(source, summary.Id),
    cluster: source,
    namespace: workload.namespace,
    workloadKind: workload.kind,
    workloadName: workload.name,
    container: name,
    containerKind: 'regular',
    node,
    platform,
    image: summary.Image,
    imageId,
    // Docker's ImageID is the image config digest: exact (same config ⇒ same layers).
    digest: parsed.digest,
    digestKind: parsed.digest ? 'config' : undefined,
    state: inspect?.State?.Status ?? summary.State,
    startedAt: inspect?.State?.StartedAt ?? (summary.Created ? new Date(summary.Created * 1000) : undefined),
    finishedAt: inspect?.State?.FinishedAt,
    restarts: inspect?.RestartCount ?? undefined,
    owner: pickValue(keys.ownerKeys, [summary.Labels]),
    environment: pickValue(keys.environmentKeys, [summary.Labels]),
    labels,
  };
}

/** Per-run caches: images are inspected once per image id. */
class DockerCache {
  private readonly images = new Map<string, Promise<ImageInspect | undefined>>();
  readonly errors: InventoryRunError[] = [];
  constructor(private readonly api: DockerApi) {}

  image(id: string | null | undefined): Promise<ImageInspect | undefined> {
    if (!id) return Promise.resolve(undefined);
    let p = this.images.get(id);
    if (!p) {
      p = this.api.inspectImage(id).catch((err) => {
        this.note(`image ${id}`, err);
        return undefined;
      });
      this.images.set(id, p);
    }
    return p;
  }

  note(where: string, err: unknown): void {
    if (this.errors.length < 100)
      this.errors.push({ where, message: err instanceof Error ? err.message : String(err) });
  }
}

async function observe(
  api: DockerApi,
  cache: DockerCache,
  opts: DockerCollectOptions,
  node: string | undefined,
  summary: ContainerSummary,
): Promise<ContainerObservation> {
  const [inspect, image] = await Promise.all([
    api.inspectContainer(summary.Id).catch((err) => {
      cache.note(`container ${summary.Id.slice(0, 12)}`, err);
      return undefined;
    }),
    cache.image(summary.ImageID),
  ]);
  return dockerObservation(opts.name, node, summary, inspect, image, opts.keys);
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

export async function collectDocker(api: DockerApi, opts: DockerCollectOptions): Promise<DockerCollection> {
  const listedAt = Math.floor(Date.now() / 1000);
  const cache = new DockerCache(api);
  const info = await api.info();
  const summaries = await api.listContainers();
  const containers = await mapLimit(summaries, 8, (s) =>
    observe(api, cache, opts, info.Name ?? undefined, s),
  );
  return { mutation: { type: 'full', containers }, errors: cache.errors, listedAt };
}

/** Container events that change what we know; `destroy` (Docker) / `remove` (Podman) end a container. */
const REFRESH = new Set([
  'create',
  'start',
  'restart',
  'die',
  'stop',
  'kill',
  'pause',
  'unpause',
  'rename',
  'update',
  'oom',
]);
const GONE = new Set(['destroy', 'remove']);

export interface DockerWatchOptions extends DockerCollectOptions {
  signal: AbortSignal;
  batchMs?: number | undefined;
  backoff?: { initialMs: number; maxMs: number } | undefined;
}

export async function watchDocker(
  api: DockerApi,
  opts: DockerWatchOptions,
  handlers: {
    onFull(c: DockerCollection): Promise<void>;
    onDelta(m: Extract<InventoryMutation, { type: 'delta' }>, errors: InventoryRunError[]): Promise<void>;
    onError?(err: unknown, retryInMs: number): void;
  },
): Promise<void> {
  const { signal } = opts;
  const initialMs = opts.backoff?.initialMs ?? 500;
  const maxMs = opts.backoff?.maxMs ?? 30_000;
  let delay = initialMs;
  let first = true;
  while (!signal.aborted) {
    try {
      const col = await collectDocker(api, opts);
      const node = (await api.info()).Name ?? undefined;
      await handlers.onFull(col);
      first = false;
      delay = initialMs;
      let pending: { id: string; action: string }[] = [];
      let timer: NodeJS.Timeout | undefined;
      let chain: Promise<void> = Promise.resolve();
      // A delta that could not be applied ends the stream: the next loop lists again and heals it.
      const stream = new AbortController();
      const onAbort = () => stream.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      const flush = () => {
        timer = undefined;
        const batch = pending;
        pending = [];
        if (!batch.length) return;
        chain = chain.then(async () => {
          const cache = new DockerCache(api);
          const added: ContainerObservation[] = [];
          const removed: string[] = [];
          // The last event per container decides: gone, or re-inspected as it is now.
          const last = new Map<string, string>();
          for (const e of batch) last.set(e.id, e.action);
          for (const [id, action] of last) {
            if (GONE.has(action)) {
              removed.push(dockerContainerId(opts.name, id));
              continue;
            }
            const inspect = await api
              .inspectContainer(id)
              .catch((err) => cache.note(`container ${id.slice(0, 12)}`, err));
            if (!inspect) {
              removed.push(dockerContainerId(opts.name, id)); // already gone again: a short-lived container
              continue;
            }
            const imageId = inspect.Image ?? undefined;
            const summary: ContainerSummary = {
              Id: inspect.Id,
              Names: inspect.Name ? [inspect.Name] : [],
              Image: inspect.Config?.Image ?? imageId ?? '',
              ImageID: imageId,
              Labels: inspect.Config?.Labels ?? {},
              State: inspect.State?.Status ?? 'unknown',
            };
            added.push(
              dockerObservation(opts.name, node, summary, inspect, await cache.image(imageId), opts.keys),
            );
          }
          await handlers.onDelta({ type: 'delta', added, removed }, cache.errors);
        });
        chain = chain.catch((err) => {
          handlers.onError?.(err, 0);
          stream.abort();
        });
      };
      await api.events(
        { since: col.listedAt },
        (e) => {
          const id = e.Actor?.ID ?? e.id;
          const action = (e.Action ?? e.status ?? '').split(':')[0]!;
          if (!id || (e.Type && e.Type !== 'container')) return;
          if (!REFRESH.has(action) && !GONE.has(action)) return;
          pending.push({ id, action });
          timer ??= setTimeout(flush, opts.batchMs ?? 100);
        },
        stream.signal,
      );
      signal.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
      flush();
      await chain;
      if (signal.aborted) break;
    } catch (err) {
      if (signal.aborted) break;
      if (first) throw err;
      handlers.onError?.(err, delay);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay + Math.random() * delay * 0.2);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(t);
            resolve();
          },
          { once: true },
        );
      });
      delay = Math.min(delay * 2, maxMs);
    }
  }
}
