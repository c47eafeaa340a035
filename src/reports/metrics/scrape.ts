// One scrape of GET /metrics (docs/metrics.md): posture gauges and operational ages built from the
// maintained roll-ups at the moment of the scrape — never a posture recomputation. Posture is
// summed in SQL over the maintained running-container groups and per-image roll-ups (one row per
// cluster × environment [× namespace × owner]); distinct vulnerabilities come from the maintained
// scope roll-ups (a scoped caller's: a union over its images, as its posture view does). Labels are
// bounded: cluster, environment, severity, kev, fixable, and namespace / owner only when
// `metrics.labels` names them, capped at `metrics.labelCap` values each (the rest summed as `other`).
import type { Registry } from 'prom-client';
import type { AccessScope } from '../../core/access.js';
import { cellFixable, cellKev, cellRank } from '../../core/severity.js';
import { SEVERITY_BY_RANK } from '../../core/types.js';
import { computeRollups, durationToMs, type PostureConfig } from '../../propagation/index.js';
import {
  listFeedStates,
  listJobRuns,
  type MetricsExtraLabel,
  queryMetricsPosture,
  queryQueueCounts,
  queryScanAges,
  type RollupCells,
  readScopePosture,
  type Store,
  scopeRestricts,
} from '../../store/index.js';
import { getFreshness } from '../../views/index.js';
import type { MetricsConfig } from '../config.js';
import { processMetrics } from './process-metrics.js';
import { promClient } from './prom.js';

/** The value folded label values are reported under; a missing value is `(unset)`. */
export const OTHER = 'other';
export const UNSET = '(unset)';
export const DEFAULT_LABEL_CAP = 50;
/** The Prometheus text format 0.0.4. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface ScrapeOptions {
  /** The caller's access scope: posture and scan ages cover only the containers inside it. */
  scope?: AccessScope | undefined;
  metrics?: MetricsConfig | undefined;
  /** SLAs (`sla.*`): exported as runsight_sla_seconds beside the ages. */
  posture?: PostureConfig | undefined;
  now?: Date | undefined;
}

type Labels = Record<string, string>;

/** A gauge family of one scrape: series keyed by their labels (summed if a key repeats). */
class Family {
  readonly series = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}
  add(labels: Labels, value: number): void {
    const key = this.labelNames.map((l) => labels[l] ?? '').join('\u0000');
    const s = this.series.get(key);
    if (s) s.value += value;
    else this.series.set(key, { labels, value });
  }
  register(registry: Registry): void {
    const { Gauge } = promClient();
    const g = new Gauge({
      name: this.name,
      help: this.help,
      labelNames: this.labelNames,
      registers: [registry],
    });
    for (const { labels, value } of this.series.values()) g.set(labels, value);
  }
}

const CELL_LABELS = ['severity', 'kev', 'fixable'] as const;

function cellLabels(cell: number): Labels {
  return {
    severity: (SEVERITY_BY_RANK[cellRank(cell)] ?? 'UNKNOWN').toLowerCase(),
    kev: String(cellKev(cell)),
    fixable: String(cellFixable(cell)),
  };
}

function seconds(now: Date, at: Date | string | null | undefined): number | undefined {
  if (!at) return undefined;
  return Math.max(0, (now.getTime() - new Date(at).getTime()) / 1000);
}

/** The posture and operational gauges of one scrape, in their own registry. */
export async function scrapeRegistry(store: Store, opts: ScrapeOptions = {}): Promise<Registry> {
  const started = performance.now();
  const now = opts.now ?? new Date();
  const scope = opts.scope;
  const extra = [...new Set(opts.metrics?.labels ?? [])] as MetricsExtraLabel[];
  const cap = opts.metrics?.labelCap ?? DEFAULT_LABEL_CAP;
  const registry = new (promClient().Registry)();
  const families: Family[] = [];
  const family = (name: string, help: string, labelNames: readonly string[]) => {
    const f = new Family(name, help, labelNames);
    families.push(f);
    return f;
  };

  // Posture: additive figures by cluster × environment (× the extra labels).
  const where = ['cluster', 'environment', ...extra];
  const containers = family('runsight_containers', 'Running containers', where);
  const unresolved = family(
    'runsight_containers_unresolved',
    'Running containers whose image could not be resolved to a platform digest (coverage gap)',
    where,
  );
  const unscanned = family(
    'runsight_containers_unscanned',
    'Running containers whose resolved image has no scan (coverage gap)',
    where,
  );
  const vulnerable = family(
    'runsight_vulnerable_containers',
    'Running containers with at least one vulnerability, by their worst severity, whether any is KEV-listed and whether any has a fix (each container in one series)',
    [...where, ...CELL_LABELS],
  );
  const instances = family(
    'runsight_finding_instances',
    'Vulnerability instances: Σ over running containers of their image vulnerabilities (container × vulnerability)',
    [...where, ...CELL_LABELS],
  );
  // Independent reads, at once (a PostgreSQL pool runs them side by side).
  const [rows, { clusters, fleet }, freshness, scanAges, feeds] = await Promise.all([
    queryMetricsPosture(store, { scope, labels: extra, cap, other: OTHER }),
    distinctRollups(store, scope),
    getFreshness(store, opts.posture ?? {}, now, { scope }),
    queryScanAges(store, scope),
    listFeedStates(store),
  ]);
  for (const r of rows) {
    const labels: Labels = { cluster: r.cluster ?? UNSET, environment: r.environment ?? UNSET };
    for (const l of extra) labels[l] = r[l] ?? UNSET;
    containers.add(labels, r.containers);
    unresolved.add(labels, r.unresolved);
    unscanned.add(labels, r.unscanned);
    for (let cell = 0; cell < r.instanceCells.length; cell++) {
      instances.add({ ...labels, ...cellLabels(cell) }, r.instanceCells[cell]!);
      vulnerable.add({ ...labels, ...cellLabels(cell) }, r.vulnerableCells[cell]!);
    }
  }

  // Distinct vulnerabilities: not additive across scopes, so per cluster and for the whole
  // (visible) fleet, from the maintained roll-ups.
  const distinct = family(
    'runsight_vulnerabilities',
    'Distinct vulnerabilities in the images running in a cluster (highest severity, KEV or fix in any image); do not sum across clusters',
    ['cluster', ...CELL_LABELS],
  );
  const fleetDistinct = family(
    'runsight_fleet_vulnerabilities',
    'Distinct vulnerabilities in the images running in the whole (visible) fleet',
    CELL_LABELS,
  );
  for (const r of clusters)
    for (let cell = 0; cell < r.distinctCells.length; cell++)
      distinct.add(
        { cluster: String(r.labels.cluster ?? UNSET), ...cellLabels(cell) },
        r.distinctCells[cell]!,
      );
  for (const r of fleet)
    for (let cell = 0; cell < r.distinctCells.length; cell++)
      fleetDistinct.add(cellLabels(cell), r.distinctCells[cell]!);

  // Freshness: ages against the SLAs.
  const sla = family('runsight_sla_seconds', 'Configured freshness SLA (sla.*), by kind', ['kind']);
  for (const [kind, value] of [
    ['scan', opts.posture?.sla?.scanAge],
    ['advisory', opts.posture?.sla?.advisoryAge],
    ['inventory', opts.posture?.sla?.inventoryAge],
  ] as const) {
    const ms = durationToMs(value);
    if (ms !== undefined) sla.add({ kind }, ms / 1000);
  }
  const postureAge = family(
    'runsight_posture_age_seconds',
    'Age of the maintained roll-ups (when posture was last brought up to date)',
    [],
  );
  if (freshness.posture.ageSeconds !== null) postureAge.add({}, freshness.posture.ageSeconds);
  const advisoryAge = family(
    'runsight_advisory_source_age_seconds',
    'Age of each advisory source (its last update)',
    ['source'],
  );
  for (const a of freshness.advisories)
    if (a.ageSeconds !== null) advisoryAge.add({ source: a.name }, a.ageSeconds);
  const inventoryAge = family(
    'runsight_inventory_age_seconds',
    'Age of each inventory source: its last successful collection (else its newest observation)',
    ['source', 'kind'],
  );
  for (const s of freshness.inventory)
    if (s.ageSeconds !== null) inventoryAge.add({ source: s.name, kind: s.kind }, s.ageSeconds);
  const scanOldest = family(
    'runsight_scan_oldest_age_seconds',
    'Age of the oldest scan in use (images the running containers run), by findings source',
    ['source'],
  );
  const scanNewest = family(
    'runsight_scan_newest_age_seconds',
    'Age of the newest scan in use, by findings source',
    ['source'],
  );
  const scannedImages = family(
    'runsight_images_scanned_in_use',
    'Scanned images the running containers run, by the findings source posture reads',
    ['source'],
  );
  for (const s of scanAges) {
    const oldest = seconds(now, s.oldest);
    const newest = seconds(now, s.newest);
    if (oldest !== undefined) scanOldest.add({ source: s.source }, oldest);
    if (newest !== undefined) scanNewest.add({ source: s.source }, newest);
    scannedImages.add({ source: s.source }, s.images);
  }
  const feedAge = family('runsight_feed_age_seconds', 'Age of each advisory feed (its last success)', [
    'feed',
  ]);
  const feedFailed = family(
    'runsight_feed_last_run_failed',
    'Whether the last run of each advisory feed failed (1) or not (0)',
    ['feed'],
  );
  for (const f of feeds) {
    const age = seconds(now, f.lastSuccessAt);
    if (age !== undefined) feedAge.add({ feed: f.name }, age);
    feedFailed.add({ feed: f.name }, f.lastOutcome === 'failed' ? 1 : 0);
  }
  await addJobFamilies(store, family);

  const took = family(
    'runsight_metrics_collect_seconds',
    'How long this scrape took to read the posture and operational figures',
    [],
  );
  took.add({}, (performance.now() - started) / 1000);
  for (const f of families) f.register(registry);
  return registry;
}

/** Job state from the store (job_runs, the pg-boss queue): shared by /metrics and the worker's listener. */
async function addJobFamilies(
  store: Store,
  family: (name: string, help: string, labelNames: readonly string[]) => Family,
): Promise<void> {
  const lastSuccess = family(
    'runsight_job_last_success_timestamp_seconds',
    'When a job of each kind last succeeded (any worker), Unix seconds',
    ['kind'],
  );
  const lastFailure = family(
    'runsight_job_last_failure_timestamp_seconds',
    'When a job of each kind last failed (any worker), Unix seconds',
    ['kind'],
  );
  const lastFailed = family(
    'runsight_job_last_run_failed',
    'Whether the last finished job of each kind failed (1) or succeeded (0)',
    ['kind'],
  );
  for (const j of await listJobRuns(store)) {
    if (j.lastSuccessAt) lastSuccess.add({ kind: j.kind }, j.lastSuccessAt.getTime() / 1000);
    if (j.lastFailureAt) lastFailure.add({ kind: j.kind }, j.lastFailureAt.getTime() / 1000);
    const failed =
      j.lastFailureAt !== null && (j.lastSuccessAt === null || j.lastFailureAt > j.lastSuccessAt);
    if (j.lastFailureAt || j.lastSuccessAt) lastFailed.add({ kind: j.kind }, failed ? 1 : 0);
  }
  const queued = family('runsight_job_queue_jobs', 'Jobs in the queue (pg-boss), by kind and state', [
    'kind',
    'state',
  ]);
  for (const q of await queryQueueCounts(store)) queued.add({ kind: q.kind, state: q.state }, q.jobs);
}

/** Distinct figures per cluster and for the fleet: maintained rows, or a union over a restricted scope. */
async function distinctRollups(
  store: Store,
  scope: AccessScope | undefined,
): Promise<{ clusters: RollupCells[]; fleet: RollupCells[] }> {
  if (!scopeRestricts(scope)) {
    const [clusters, fleet] = await Promise.all([
      readScopePosture(store, 'cluster', { digests: false }),
      readScopePosture(store, 'fleet', { digests: false }),
    ]);
    return { clusters, fleet };
  }
  const r = await computeRollups(store, ['cluster', 'fleet'], { scope }, { maintained: true });
  return { clusters: r.get('cluster') ?? [], fleet: r.get('fleet') ?? [] };
}

/** The job gauges alone (the worker's metrics listener: no posture, no scope). */
export async function jobsRegistry(store: Store): Promise<Registry> {
  const registry = new (promClient().Registry)();
  const families: Family[] = [];
  await addJobFamilies(store, (name, help, labelNames) => {
    const f = new Family(name, help, labelNames);
    families.push(f);
    return f;
  });
  for (const f of families) f.register(registry);
  return registry;
}

/** The exposition of one scrape: this process's metrics, then the scrape's gauges. */
export async function renderMetrics(store: Store, opts: ScrapeOptions = {}): Promise<string> {
  const scrape = await scrapeRegistry(store, opts);
  return `${await processMetrics().registry.metrics()}\n${await scrape.metrics()}`;
}
