// The scope report document (`runsight report --format json`, GET /api/v1/reports?format=json):
// posture's figures, groups, priorities, coverage and freshness under the same field names as
// `runsight posture --format json`, plus a trend over the scope's snapshots and the changes since
// the previous scheduled report of the same scope. HTML and CSV are rendered from it.
import type { Figures } from '../../propagation/index.js';
import type { Freshness, PostureBy, PostureReport } from '../../views/index.js';

export interface TrendPoint {
  /** End of the day (UTC) the point stands for. */
  at: string;
  containers: number;
  /** Distinct vulnerabilities by severity, KEV, fixable and total (Figures' fields). */
  distinct: Record<string, number>;
  instances: Record<string, number>;
}

export interface ScopeReportTrend {
  /** Which snapshots were summed: the fleet's, or those of the scope's clusters or namespaces. */
  kind: 'fleet' | 'cluster' | 'namespace';
  keys: string[];
  days: number;
  /** One point per day with at least one snapshot at or before it (each scope's latest, summed). */
  points: TrendPoint[];
  /** Set when the scope has more than 100 namespaces: the trend covers the first 100. */
  truncated: boolean;
  /**
   * True when one scope's snapshots are read: `distinct` is then exact. Summed over several scopes,
   * `distinct` counts a vulnerability once per scope (an upper bound); `instances` always adds up.
   */
  distinctExact: boolean;
}

export interface FigureDelta {
  before: number;
  after: number;
  delta: number;
}

export interface ScopeReportChanges {
  /** The previous scheduled report of this scope: its name and time. */
  previous: { name: string; generatedAt: string };
  containers: FigureDelta;
  /** Distinct vulnerabilities per Figures field. */
  distinctVulnerabilities: Record<keyof Figures, FigureDelta>;
  instances: Record<keyof Figures, FigureDelta>;
  newVulnerabilities: { count: number; ids: string[] };
  resolvedVulnerabilities: { count: number; ids: string[] };
}

export interface ScopeReport {
  kind: 'runsight.scope-report';
  version: 1;
  generatedAt: string;
  /** The scheduled report's name (config `reports[].name`); null for an ad-hoc report. */
  name: string | null;
  /** The scope as `KIND=VALUE` items; empty: the whole fleet (of what the caller may see). */
  scope: string[];
  scopeKey: string;
  by: PostureBy;
  totals: PostureReport['totals'];
  groups: PostureReport['groups'];
  priorities: PostureReport['priorities'];
  coverage: PostureReport['coverage'];
  exposure: PostureReport['exposure'];
  freshness: Freshness;
  trend: ScopeReportTrend;
  /** Null when no scheduled report of this scope ran before. */
  changes: ScopeReportChanges | null;
  limits: string;
}

/** At most this many ids are listed per change list (the count is always complete). */
export const CHANGE_ID_LIMIT = 500;
