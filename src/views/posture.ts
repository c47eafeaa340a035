// The posture report: roll-ups by one scope kind with the labelled figures (distinct
// vulnerabilities, instances, and `summary: {vulnerabilities, findings}` as every command names
// them — docs/cli.md#counts-vulnerabilities-and-findings), the prioritised vulnerability list,
// coverage, exposure and freshness — what `runsight posture` prints and the API serves.
import type { AccessScope } from '../core/access.js';
import { InputError } from '../core/errors.js';
import { severityRank } from '../core/severity.js';
import { SCOPE_KINDS, type ScopeKind, SEVERITY_BY_RANK, type Severity } from '../core/types.js';
import {
  type CountSummary,
  durationToMs,
  type FigureSeverity,
  type Figures,
  type FindingFilter,
  listPriorities,
  type PostureConfig,
  type PriorityRow,
  readRollups,
  zeroFigures,
} from '../propagation/index.js';
import type { PostureFilter, Store } from '../store/index.js';
import {
  queryCoverageGaps,
  queryExposureSummary,
  queryMatchSummary,
  queryTagDrift,
  ROLLUP_ORDERS,
  type RollupAfter,
  type RollupOrder,
} from '../store/index.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { type Freshness, getFreshness, rowStaleness } from './freshness.js';

export type PostureBy = Exclude<ScopeKind, 'fleet'>;
export const POSTURE_BY: readonly PostureBy[] = SCOPE_KINDS.filter((k): k is PostureBy => k !== 'fleet');

export interface PostureQuery {
  by?: PostureBy | undefined;
  /** Minimum severity counted. */
  severity?: Severity | undefined;
  kev?: boolean | undefined;
  fixable?: boolean | undefined;
  cluster?: string | undefined;
  namespace?: string | undefined;
  /** How many prioritised vulnerabilities (default 20); 0 skips computing them (`priorities: []`). */
  top?: number | undefined;
  now?: Date | undefined;
  /** The caller's access scope: every figure, list and total covers only the containers inside it. */
  scope?: AccessScope | undefined;
  /**
   * The order of `groups`: `instances` (the default: the weight of the filtered instances — KEV,
   * critical, high, medium, low; core/posture-weight.ts), `distinct` (the same of the distinct
   * vulnerabilities), `containers` (most first), each then by key; or `key`.
   */
  sort?: RollupOrder | undefined;
  /** Page size of `groups` (a positive integer); left out: every group (and no `next`). */
  limit?: number | undefined;
  /** The `next` of the previous page (same `sort`). */
  after?: string | undefined;
}

export interface PostureGroup {
  key: string;
  labels: Record<string, string | null>;
  containers: number;
  unresolved: number;
  unscanned: number;
  images: number;
  /** Distinct vulnerabilities across the scope's images. */
  distinctVulnerabilities: Figures;
  /** Container × vulnerability: each running container counts its image's vulnerabilities. */
  instances: Figures;
  /** `vulnerabilities` = distinctVulnerabilities; `findings` = Σ over the scope's distinct images of their findings. */
  summary: CountSummary;
  oldestScanAt: string | null;
  stale: string[];
}

export interface PostureReport {
  by: PostureBy;
  filters: {
    severity: Severity | null;
    kev: boolean;
    fixable: boolean;
    cluster: string | null;
    namespace: string | null;
  };
  totals: {
    containers: number;
    distinctVulnerabilities: Figures;
    instances: Figures;
    summary: CountSummary;
  };
  groups: PostureGroup[];
  /** Only when a page was asked for (`limit` or `after`): the `after` of the next page of `groups`, or null. */
  next?: string | null;
  priorities: PriorityRow[];
  coverage: {
    matchMethods: { matchMethod: string; confidence: string; containers: number }[];
    gaps: {
      reason: string;
      imageDigest: string | null;
      image: string;
      repository: string | null;
      containers: number;
      scannedAt: string | null;
    }[];
    tagDrift: { image: string; digests: string[]; containers: number }[];
  };
  exposure: { since: string; containersSeen: number; gone: number; shortLived: number };
  freshness: Freshness;
  limits: string;
}

export const LIMITS =
  'Posture is derived from image findings: runtime-only issues (in-memory injection, drift, malicious processes), configuration risk outside the image (RBAC, network policy, secrets) and vulnerabilities published after the last advisory update are not covered.';

export async function getPosture(
  store: Store,
  q: PostureQuery = {},
  config: PostureConfig = {},
): Promise<PostureReport> {
  const now = q.now ?? new Date();
  const by = q.by ?? 'namespace';
  const scope = q.scope;
  const cf: PostureFilter = { cluster: q.cluster, namespace: q.namespace, ...(scope ? { scope } : {}) };
  const ff: FindingFilter = {
    minSeverityRank: q.severity ? severityRank(q.severity) : undefined,
    kev: q.kev,
    fixable: q.fixable,
  };
  const sort = q.sort ?? 'instances';
  const paged = q.limit !== undefined || q.after !== undefined;
  if (!ROLLUP_ORDERS.includes(sort))
    throw new InputError(
      `sort must be one of ${ROLLUP_ORDERS.join(', ')}, got "${String(sort).slice(0, 40)}"`,
    );
  if (q.limit !== undefined && (!Number.isInteger(q.limit) || q.limit < 1))
    throw new InputError(`limit must be a positive integer, got ${q.limit}`);
  const after = q.after === undefined ? undefined : decodeAfter(q.after, sort);
  const scanMs = durationToMs(config.sla?.scanAge);
  const [rows, fleet, priorities, matchMethods, tagDrift, freshness, gaps, exposure] = await Promise.all([
    // One more than the page: whether a next page exists.
    readRollups(store, by, cf, ff, { sort, after, limit: q.limit === undefined ? undefined : q.limit + 1 }),
    readRollups(store, 'fleet', cf, ff),
    // top 0: no list, and none of its work (a fleet-wide read of every running image's vulnerabilities).
    q.top === 0 ? Promise.resolve([]) : listPriorities(store, cf, ff, q.top ?? 20),
    queryMatchSummary(store, cf),
    queryTagDrift(store, cf),
    getFreshness(store, config, now, cf),
    // Coverage gaps and exposure read the maintained groups too: concurrent with the rest.
    queryCoverageGaps(store, scanMs === undefined ? null : new Date(now.getTime() - scanMs), cf),
    queryExposureSummary(store, new Date(now.getTime() - 86400e3), cf),
  ]);
  const f = fleet[0];
  const more = q.limit !== undefined && rows.length > q.limit;
  const zero = zeroFigures();
  return {
    by,
    filters: {
      severity: q.severity ?? null,
      kev: Boolean(q.kev),
      fixable: Boolean(q.fixable),
      cluster: q.cluster ?? null,
      namespace: q.namespace ?? null,
    },
    totals: {
      containers: f?.containers ?? 0,
      distinctVulnerabilities: f?.distinct ?? zero,
      instances: f?.instances ?? zero,
      summary: { vulnerabilities: f?.distinct ?? zero, findings: f?.findings ?? zeroFigures() },
    },
    groups: (more ? rows.slice(0, q.limit) : rows).map((r) => ({
      key: r.key,
      labels: r.labels,
      containers: r.containers,
      unresolved: r.unresolved,
      unscanned: r.unscanned,
      images: r.images,
      distinctVulnerabilities: r.distinct,
      instances: r.instances,
      summary: { vulnerabilities: r.distinct, findings: r.findings },
      oldestScanAt: r.oldestScan?.toISOString() ?? null,
      stale: rowStaleness(r, freshness, config),
    })),
    ...(paged
      ? {
          next: more
            ? encodeCursor({ sort, value: rows[q.limit! - 1]!.orderValue, key: rows[q.limit! - 1]!.key })
            : null,
        }
      : {}),
    priorities,
    coverage: {
      matchMethods,
      gaps: gaps.map((g) => ({ ...g, scannedAt: g.scannedAt?.toISOString() ?? null })),
      tagDrift,
    },
    exposure: { ...exposure, since: exposure.since.toISOString() },
    freshness,
    limits: LIMITS,
  };
}

function decodeAfter(text: string, sort: RollupOrder): RollupAfter {
  return decodeCursor(
    text,
    (parsed) => {
      const p = parsed as { sort?: unknown; value?: unknown; key?: unknown } | null;
      return p &&
        typeof p === 'object' &&
        p.sort === sort &&
        typeof p.value === 'number' &&
        Number.isFinite(p.value) &&
        typeof p.key === 'string'
        ? { value: p.value, key: p.key }
        : undefined;
    },
    `after "${text.slice(0, 40)}" is not a cursor this report returned for sort=${sort}: pass the "next" of the previous page unchanged, with the same sort`,
  );
}

/** Whether a `--fail-on` gate trips: any counted vulnerability at or above `severity`. */
export function gateTrips(report: PostureReport, severity: Severity): boolean {
  const t = report.totals.distinctVulnerabilities;
  const min = severityRank(severity);
  return SEVERITY_BY_RANK.some((s, rank) => rank >= min && t[s.toLowerCase() as FigureSeverity] > 0);
}
