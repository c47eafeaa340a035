// Builds the scope report document: the posture view over the report's scope, its trend from the
// posture history, and the changes since the last scheduled run of the same scope. A pure read:
// nothing is written here (scheduled runs record themselves in scheduled.ts).
import type { AccessScope } from '../../core/access.js';
import { formatScope, isUnrestricted } from '../../core/access.js';
import type { PostureConfig } from '../../propagation/index.js';
import { lastReportRunOfScope, queryScopeVulnerabilityIds, type Store } from '../../store/index.js';
import { getPosture, type PostureBy, type PostureReport, postureHistory } from '../../views/index.js';
import { changesSince, type RunSummary } from './changes.js';
import type { ScopeReport, ScopeReportTrend } from './document.js';
import { scopeKey } from './scope.js';
import { dailyTrend } from './trend.js';

export interface ScopeReportOptions {
  /** The scope the report covers (already narrowed to what the caller may see). */
  scope: AccessScope;
  by?: PostureBy | undefined;
  /** The scheduled report's name; null/undefined for an ad-hoc report. */
  name?: string | null | undefined;
  /** Days of trend (default 30). */
  trendDays?: number | undefined;
  /** Length of the prioritised list (default 20). */
  top?: number | undefined;
  now?: Date | undefined;
}

/** The report and the vulnerability ids in scope (what a scheduled run records). */
export interface BuiltScopeReport {
  report: ScopeReport;
  vulnerabilityIds: string[];
}

export async function buildScopeReport(
  store: Store,
  opts: ScopeReportOptions,
  config: PostureConfig = {},
): Promise<BuiltScopeReport> {
  const now = opts.now ?? new Date();
  const by = opts.by ?? 'namespace';
  const scope = opts.scope;
  const key = scopeKey(scope);
  const [posture, previous, ids] = await Promise.all([
    getPosture(store, { by, scope, top: opts.top ?? 20, now }, config),
    lastReportRunOfScope(store, key, now),
    queryScopeVulnerabilityIds(store, scope),
  ]);
  const trend = await scopeTrend(store, scope, by, posture, now, opts.trendDays ?? 30, config);
  const report: ScopeReport = {
    kind: 'runsight.scope-report',
    version: 1,
    generatedAt: now.toISOString(),
    name: opts.name ?? null,
    scope: formatScope(scope),
    scopeKey: key,
    by,
    totals: posture.totals,
    groups: posture.groups,
    priorities: posture.priorities,
    coverage: posture.coverage,
    exposure: posture.exposure,
    freshness: posture.freshness,
    trend,
    changes: previous
      ? changesSince(
          {
            name: previous.name,
            summary: previous.summary as unknown as RunSummary,
            vulnerabilityIds: previous.vulnerabilityIds,
          },
          posture.totals,
          ids,
        )
      : null,
    limits: posture.limits,
  };
  return { report, vulnerabilityIds: ids };
}

/** What a scheduled run stores as its summary. */
export function runSummary(report: ScopeReport): RunSummary {
  return { generatedAt: report.generatedAt, totals: report.totals };
}

/**
 * The trend: the fleet's snapshots for an unrestricted scope; the clusters' when the scope names
 * only clusters; else the namespaces holding the scope's containers (their snapshots count only
 * when the namespace lies wholly inside the scope, as the history view rules).
 */
async function scopeTrend(
  store: Store,
  scope: AccessScope,
  by: PostureBy,
  posture: PostureReport,
  now: Date,
  days: number,
  config: PostureConfig,
): Promise<ScopeReportTrend> {
  let kind: ScopeReportTrend['kind'];
  let keys: string[];
  if (isUnrestricted(scope)) {
    kind = 'fleet';
    keys = ['fleet'];
  } else if (
    scope.clusters?.length &&
    !scope.namespaces?.length &&
    !scope.environments?.length &&
    !scope.owners?.length
  ) {
    kind = 'cluster';
    keys = [...scope.clusters].sort();
  } else {
    kind = 'namespace';
    const groups =
      by === 'namespace'
        ? posture.groups
        : (await getPosture(store, { by: 'namespace', scope, top: 1, now }, config)).groups;
    keys = groups.map((g) => g.key).sort();
  }
  const truncated = keys.length > 100;
  keys = keys.slice(0, 100);
  const distinctExact = keys.length === 1;
  if (!keys.length) return { kind, keys, days, points: [], truncated, distinctExact };
  // No `since`: a scope whose figures did not move in the window still has its latest snapshot from before.
  const history = await postureHistory(store, { kind, keys, until: now, limit: 5000, scope });
  return { kind, keys, days, points: dailyTrend(history, now, days), truncated, distinctExact };
}
