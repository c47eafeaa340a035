// Resolves containers to platform manifest digests in batches: loads the slice of the identity
// graph a batch needs, applies the pure rules of resolve-container.ts, writes the results, and
// reports which containers changed digest (what incremental posture updates start from).
import type { ProgressSink } from '../core/progress.js';
import type { Store } from '../store/index.js';
import {
  type ContainerToResolve,
  identityWatermark,
  listContainersToResolve,
  listReportedManifests,
  loadImageFacts,
  loadTagHistory,
  type ResolveSelection,
  saveResolutions,
} from '../store/index.js';
import { parseImageName, repositoryKey } from './image-name.js';
import type { PlatformChild } from './platform.js';
import {
  type ContainerIdentity,
  type IdentityGraph,
  type Resolution,
  resolveContainer,
} from './resolve-container.js';

export interface ResolutionChange {
  id: string;
  before: string | null;
  after: string | null;
}

export interface ResolveResult {
  /** Containers examined. */
  examined: number;
  /** Containers whose resolved digest, method or confidence changed. */
  changed: ResolutionChange[];
  watermark: string;
}

const BATCH = 5000;

export async function resolveContainers(
  store: Store,
  sel: ResolveSelection = {},
  opts: {
    now?: Date;
    signal?: AbortSignal | undefined;
    progress?: ProgressSink | undefined;
    /** The identity watermark when the caller has just read it (not read again). */
    watermark?: string | undefined;
  } = {},
): Promise<ResolveResult> {
  const at = opts.now ?? new Date();
  const watermark = opts.watermark ?? (await identityWatermark(store));
  let examined = 0;
  const changed: ResolutionChange[] = [];
  for await (const rows of pages(store, sel)) {
    opts.signal?.throwIfAborted();
    examined += rows.length;
    opts.progress?.({ task: 'posture: resolve containers', done: examined, unit: 'containers' });
    const inputs: ContainerIdentity[] = rows.map((r) => ({
      id: r.id,
      image: r.image,
      imageId: r.image_id,
      digest: r.digest,
      digestKind: r.digest_kind,
      platform: r.platform,
      startedAt: r.started_at,
    }));
    const graph = await loadGraph(store, inputs);
    const results = inputs.map((c) => resolveContainer(c, graph));
    await saveResolutions(
      store,
      results.map((r, i) => ({
        id: inputs[i]!.id,
        imageDigest: r.imageDigest,
        matchMethod: r.matchMethod,
        confidence: r.confidence,
        input: rows[i]!.input,
      })),
      at,
    );
    rows.forEach((row, i) => {
      const r = results[i]!;
      if (
        row.image_digest !== r.imageDigest ||
        row.match_method !== r.matchMethod ||
        row.confidence !== r.confidence
      ) {
        changed.push({ id: row.id, before: row.image_digest, after: r.imageDigest });
      }
    });
  }
  return { examined, changed, watermark };
}

async function* pages(store: Store, sel: ResolveSelection): AsyncGenerator<ContainerToResolve[]> {
  if (sel.ids) {
    const ids = [...new Set(sel.ids)].sort();
    for (let i = 0; i < ids.length; i += BATCH) {
      const rows = await listContainersToResolve(store, { ids: ids.slice(i, i + BATCH) }, null, BATCH);
      if (rows.length) yield rows;
    }
    return;
  }
  let after: string | null = null;
  for (;;) {
    const rows = await listContainersToResolve(store, sel, after, BATCH);
    if (rows.length) yield rows;
    if (rows.length < BATCH) return;
    after = rows[rows.length - 1]!.id;
  }
}

/** Explains one container's resolution against the current graph (for `container show`). */
export async function explainResolution(store: Store, c: ContainerIdentity): Promise<Resolution> {
  return resolveContainer(c, await loadGraph(store, [c]));
}

async function loadGraph(store: Store, batch: ContainerIdentity[]): Promise<IdentityGraph> {
  const digests = new Set<string>();
  const configs = new Set<string>();
  const tags = new Map<string, { registry: string; repository: string; tag: string }>();
  for (const c of batch) {
    const ref = parseImageName(c.image);
    if (c.digest && c.digestKind === 'config') configs.add(c.digest);
    else if (c.digest) digests.add(c.digest);
    if (ref?.digest) digests.add(ref.digest);
    if (ref?.tag)
      tags.set(`${repositoryKey(ref)}:${ref.tag}`, {
        registry: ref.registry,
        repository: ref.repository,
        tag: ref.tag,
      });
  }
  const history = await loadTagHistory(store, [...tags.values()]);
  const byTag = new Map<string, { digest: string; at: number }[]>();
  for (const h of history) {
    const key = `${h.registry}/${h.repository}:${h.tag}`;
    const list = byTag.get(key) ?? [];
    list.push({ digest: h.digest, at: h.observed_at.getTime() });
    byTag.set(key, list);
    digests.add(h.digest);
  }
  const facts = await loadImageFacts(store, [...digests], [...configs]);
  const kinds = new Map(facts.images.map((i) => [i.digest, i.kind]));
  for (const d of facts.scanned) if (!kinds.has(d)) kinds.set(d, 'manifest');
  const children = new Map<string, PlatformChild[]>();
  for (const ch of facts.children) {
    const list = children.get(ch.index_digest) ?? [];
    list.push({ digest: ch.child_digest, os: ch.os, architecture: ch.architecture, variant: ch.variant });
    children.set(ch.index_digest, list);
  }
  // Repo digests the graph does not know: imported reports may have read a manifest behind them.
  const reported = new Map<string, PlatformChild[]>();
  for (const m of await listReportedManifests(
    store,
    [...digests].filter((d) => !kinds.has(d)),
  )) {
    const list = reported.get(m.repoDigest) ?? [];
    list.push({ digest: m.digest, os: m.os, architecture: m.architecture, variant: m.variant });
    reported.set(m.repoDigest, list);
  }
  const scanned = new Set(facts.scanned);
  const byConfig = new Map<string, string[]>();
  for (const b of facts.byConfig) {
    const list = byConfig.get(b.config_digest!) ?? [];
    list.push(b.digest);
    byConfig.set(b.config_digest!, list);
  }
  for (const list of byConfig.values()) list.sort((a, b) => Number(scanned.has(b)) - Number(scanned.has(a)));
  return {
    kindOf: (d) => kinds.get(d),
    children: (d) => children.get(d) ?? [],
    manifestsWithConfig: (d) => byConfig.get(d) ?? [],
    tagAt(repo, tag, at) {
      const list = byTag.get(`${repo}:${tag}`) ?? [];
      let hit: string | undefined;
      for (const h of list) if (h.at <= at.getTime()) hit = h.digest;
      return hit;
    },
    tagNow: (repo, tag) => byTag.get(`${repo}:${tag}`)?.at(-1)?.digest,
    reportedManifests: (d) => reported.get(d) ?? [],
  };
}
