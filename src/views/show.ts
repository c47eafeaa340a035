// Detail views: one container (its resolution explained, its image's counts — which are its own —
// every finding with fix guidance, its exposure intervals, freshness) and one workload (its
// containers, its roll-up, its rollout check and posture history). Both carry `summary:
// {vulnerabilities, findings}` (docs/cli.md#counts-vulnerabilities-and-findings) beside the older
// fields, which keep their meaning. Under an access scope a container outside it, and a workload not
// wholly inside it (its document describes the whole workload: rollout, history), are not found.
import { InputError } from '../core/errors.js';
import type { PostureConfig } from '../propagation/index.js';
import {
  type CountSummary,
  durationToMs,
  explainResolution,
  type Figures,
  readRollups,
  summaryFromCells,
  zeroFigures,
} from '../propagation/index.js';
import { type FixGuidance, remediationFor } from '../remediation/fix-guidance.js';
import { type RolloutCheck, rolloutCheck, type WorkloadSpec } from '../remediation/rollout.js';
import type { Store, StoredSnapshot } from '../store/index.js';
import {
  findContainerIds,
  queryContainer,
  queryWorkloadContainers,
  scopeRestricts,
  snapshotHistory,
} from '../store/index.js';
import { age, type Freshness, getFreshness } from './freshness.js';
import { NotFoundError, type ScopedRead } from './scoped-read.js';

export interface ContainerView {
  id: string;
  source: { name: string; kind: string };
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
  state: string;
  owner: string | null;
  environment: string | null;
  firstSeen: string;
  lastSeen: string;
  removedAt: string | null;
  imageDigest: string | null;
  matchMethod: string;
  confidence: string;
  resolution: string;
  /** Distinct vulnerabilities of its image by severity (= summary.vulnerabilities); zeros when not scanned. */
  counts: { critical: number; high: number; medium: number; low: number; unknown: number };
  /** Of those vulnerabilities, KEV-listed / with a fixed version. */
  kev: number;
  fixable: number;
  /** Its image's vulnerabilities and findings, as maintained; null when its image has no roll-up. */
  summary: CountSummary | null;
  findingsSource: string | null;
  scan: { at: string | null; ageSeconds: number | null; stale: boolean };
  baseImage: { digest: string; names: string[] } | null;
  findings: FixGuidance[];
  exposures: { imageDigest: string | null; firstSeen: string; lastSeen: string; closedAt: string | null }[];
  freshness: Freshness;
}

const ZERO = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };

/** The one container (inside `scope`) whose id starts with `text` or whose pod/container is `text`. */
async function byPrefixOrPod(store: Store, text: string, scope: ScopedRead['scope']) {
  const ids = await findContainerIds(store, text, scope);
  const id = ids.includes(text) ? text : ids.length === 1 ? ids[0] : undefined;
  if (ids.length > 1 && !id)
    throw new InputError(
      `"${text}" matches ${ids.length} containers (${ids.slice(0, 5).join(', ')}…): give the full id`,
    );
  return id ? await queryContainer(store, id, scope) : undefined;
}

export async function showContainer(
  store: Store,
  text: string,
  config: PostureConfig & { baseImages?: string[] | undefined } = {},
  now = new Date(),
  opts: ScopedRead = {},
): Promise<ContainerView> {
  const { scope } = opts;
  // Independent reads run concurrently (a pooled connection each on PostgreSQL): the freshness
  // (which does not depend on the container) beside the lookup, then the resolution and the fixes.
  const [c, freshness] = await Promise.all([
    // A full id first (a key lookup): the prefix / pod-name match reads every container row (~2 s at 1M).
    queryContainer(store, text, scope).then((hit) => hit ?? byPrefixOrPod(store, text, scope)),
    getFreshness(store, config, now, opts),
  ]);
  if (!c) throw new NotFoundError(`no container "${text}" in inventory: list them with runsight containers`);
  const [explained, remediation] = await Promise.all([
    explainResolution(store, {
      id: c.id,
      image: c.image,
      imageId: c.image_id,
      digest: c.digest,
      digestKind: c.digest_kind,
      platform: c.platform,
      startedAt: c.started_at,
    }),
    c.image_digest && c.scanned_at ? remediationFor(store, c.image_digest, config.baseImages) : null,
  ]);
  return {
    id: c.id,
    source: { name: c.source_name, kind: c.source_kind },
    cluster: c.cluster,
    namespace: c.namespace,
    workloadKind: c.workload_kind,
    workloadName: c.workload_name,
    pod: c.pod,
    container: c.container_name,
    containerKind: c.container_kind,
    node: c.node,
    platform: c.platform,
    image: c.image,
    imageId: c.image_id,
    state: c.state,
    owner: c.owner,
    environment: c.environment,
    firstSeen: c.first_seen.toISOString(),
    lastSeen: c.last_seen_effective.toISOString(),
    removedAt: c.removed_at?.toISOString() ?? null,
    imageDigest: c.image_digest,
    matchMethod: c.match_method,
    confidence: c.confidence,
    resolution: explained.note,
    counts: { ...ZERO, ...((c.counts as Record<string, number> | null) ?? {}) },
    kev: c.kev_count ?? 0,
    fixable: c.fixable_count ?? 0,
    summary: c.cells ? summaryFromCells(c.cells, c.finding_cells) : null,
    findingsSource: c.findings_source ?? null,
    scan: age(c.scanned_at, durationToMs(config.sla?.scanAge), now),
    baseImage: remediation?.base ? { digest: remediation.base.digest, names: remediation.base.names } : null,
    findings: remediation?.findings ?? [],
    exposures: c.exposures.map((e) => ({
      imageDigest: e.image_digest,
      firstSeen: e.first_seen.toISOString(),
      lastSeen: e.last_seen.toISOString(),
      closedAt: e.closed_at?.toISOString() ?? null,
    })),
    freshness,
  };
}

export interface WorkloadView {
  workload: string;
  containers: {
    id: string;
    container: string;
    pod: string | null;
    imageDigest: string | null;
    matchMethod: string;
    confidence: string;
    /** Its image's distinct vulnerabilities (= summary.vulnerabilities). */
    counts: Figures;
    summary: CountSummary;
  }[];
  /** Distinct vulnerabilities across the workload's images (= summary.vulnerabilities). */
  distinctVulnerabilities: Figures;
  /** Container × vulnerability: each container counts its image's vulnerabilities. */
  instances: Figures;
  /** Vulnerabilities (distinct) and findings (Σ over its distinct images) of the workload. */
  summary: CountSummary;
  rollout: RolloutCheck;
  history: {
    takenAt: string;
    containers: number;
    distinct: Record<string, number>;
    instances: Record<string, number>;
    digests: string[];
  }[];
  freshness: Freshness;
}

export async function showWorkload(
  store: Store,
  spec: WorkloadSpec,
  config: PostureConfig = {},
  now = new Date(),
  opts: ScopedRead = {},
): Promise<WorkloadView> {
  const { scope } = opts;
  if (scope && scopeRestricts(scope)) spec = await workloadInScope(store, spec, opts);
  const rollout = await rolloutCheck(store, spec);
  const [cluster, namespace, kind, name] = rollout.workload.key.split('/') as [
    string,
    string,
    string,
    string,
  ];
  const filter = {
    cluster: cluster === '-' ? undefined : cluster,
    namespace,
    workloadKind: kind === '-' ? undefined : kind,
    workloadName: name,
  };
  // Independent reads, concurrent (a pooled connection each on PostgreSQL).
  const [[wl], perContainer, history, freshness] = await Promise.all([
    readRollups(store, 'workload', { ...filter, scopeKeys: [rollout.workload.key], scope }),
    readRollups(store, 'container', { ...filter, scope }),
    snapshotHistory(store, 'workload', [rollout.workload.key], 50, scope) as Promise<StoredSnapshot[]>,
    getFreshness(store, config, now, opts),
  ]);
  const zero = zeroFigures();
  return {
    workload: rollout.workload.key,
    containers: perContainer.map((r) => ({
      id: r.key,
      container: String(r.labels.container_name),
      pod: r.labels.pod ?? null,
      imageDigest: r.labels.image_digest ?? null,
      matchMethod: String(r.labels.match_method),
      confidence: String(r.labels.confidence),
      counts: r.distinct,
      summary: { vulnerabilities: r.distinct, findings: r.findings },
    })),
    distinctVulnerabilities: wl?.distinct ?? zero,
    instances: wl?.instances ?? zero,
    summary: { vulnerabilities: wl?.distinct ?? zero, findings: wl?.findings ?? zeroFigures() },
    rollout,
    history: history.map((h) => ({
      takenAt: h.takenAt.toISOString(),
      containers: h.containers,
      distinct: h.distinctCounts,
      instances: h.instanceCounts,
      digests: h.digests,
    })),
    freshness,
  };
}

/**
 * The spec of a workload every container of which lies inside the scope (its cluster filled in
 * when only one cluster's workload of that name is), else NotFoundError: a scoped caller learns
 * nothing of workloads outside its scope, and sees the whole-workload document of none it only
 * partly may see.
 */
async function workloadInScope(store: Store, spec: WorkloadSpec, opts: ScopedRead): Promise<WorkloadSpec> {
  const name = `${spec.cluster ? `${spec.cluster}/` : ''}${spec.namespace}/${spec.kind}/${spec.name}`;
  const inside = await queryWorkloadContainers(store, spec, opts.scope);
  const clusters = [...new Set(inside.map((c) => c.cluster ?? '-'))];
  if (!clusters.length)
    throw new NotFoundError(`no container of workload ${name} has been seen in inventory`);
  if (clusters.length > 1)
    throw new InputError(
      `${name} runs in clusters ${clusters.join(', ')}: name one as CLUSTER/${spec.namespace}/${spec.kind}/${spec.name}`,
    );
  const one = { ...spec, cluster: clusters[0]! };
  const all = await queryWorkloadContainers(store, one);
  if (all.length !== inside.filter((c) => (c.cluster ?? '-') === one.cluster).length)
    throw new NotFoundError(
      `workload ${name} is not wholly inside your access scope: list its containers with runsight containers`,
    );
  return one;
}
