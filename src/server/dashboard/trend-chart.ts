// The posture trend on the overview and the posture drill-down (docs/api.md "Dashboard"): the
// snapshots of one scope (postureHistory, called with the caller's access scope, so a scoped viewer
// reads only the history of scopes wholly inside it) over a time range, server-rendered twice —
// as data in a `<script type="application/json">` block (never executed: the CSP allows scripts
// from /static only), which /static/trend-chart.js draws with uPlot, and as the same numbers in a
// table inside <details>, readable without script. Series: distinct vulnerabilities by severity
// (critical, high, medium, low) and KEV.
import type { AccessScope } from '../../core/access.js';
import type { ScopeKind } from '../../core/types.js';
import { type PostureHistory, postureHistory } from '../../views/index.js';
import { escapeText, Html, href, html } from './html.js';
import { type PageContext, PageInputError } from './page-context.js';

export const TREND_SERIES = ['critical', 'high', 'medium', 'low', 'kev'] as const;
export type TrendSeries = (typeof TREND_SERIES)[number];
/** The ranges offered (`trend=` in the query string), in days. */
export const TREND_RANGES = { '7d': 7, '30d': 30, '90d': 90 } as const;
export type TrendRange = keyof typeof TREND_RANGES;
/** Charts per page at most (a scoped viewer's overview draws one per scope key it may read). */
export const MAX_TRENDS = 4;
/** Snapshots read per chart at most (hourly snapshots for 90 days are about 2,200). */
const MAX_SNAPSHOTS = 5000;

/** The scripts and stylesheet a page with a chart adds to its head. */
export const TREND_HEAD = new Html(
  '<link rel="stylesheet" href="/static/uPlot.min.css"><script src="/static/uPlot.iife.min.js" defer></script><script src="/static/trend-chart.js" defer></script>',
);

export interface TrendTarget {
  kind: ScopeKind;
  key: string;
  /** How the heading names it: `the fleet`, `cluster prod`. */
  label: string;
}

/** What trend-chart.js draws: times in Unix seconds, oldest first, one array per series. */
export interface TrendData {
  kind: ScopeKind;
  key: string;
  label: string;
  measure: 'distinct vulnerabilities';
  /** The range asked for (Unix seconds): the chart's x axis, whatever snapshots fall in it. */
  from: number | null;
  to: number | null;
  times: number[];
  containers: number[];
  series: Record<TrendSeries, number[]>;
}

/**
 * A JSON data block that cannot end the script element early or open a comment: `<`, `>` and `&`
 * (and U+2028/2029) are written as JSON `\u` escapes, which JSON.parse reads back unchanged.
 */
export function jsonScript(id: string, value: unknown): Html {
  const text = (JSON.stringify(value) ?? 'null').replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return new Html(
    `<script type="application/json" class="trend-data" id="${escapeText(id)}">${text}</script>`,
  );
}

export function parseTrendRange(q: URLSearchParams): TrendRange {
  const v = q.get('trend');
  if (v === null || v === '') return '30d';
  if (!(v in TREND_RANGES))
    throw new PageInputError(`trend must be one of ${Object.keys(TREND_RANGES).join(', ')}; got "${v}"`);
  return v as TrendRange;
}

/** The snapshots (newest first, as postureHistory answers) as chart data, oldest first. */
export function trendData(
  target: TrendTarget,
  history: PostureHistory,
  range: { from: Date; to: Date } | undefined = undefined,
): TrendData {
  const snaps = [...history.snapshots].reverse();
  const series = Object.fromEntries(
    TREND_SERIES.map((s) => [s, snaps.map((h) => Number(h.distinct[s] ?? 0))]),
  ) as Record<TrendSeries, number[]>;
  return {
    kind: target.kind,
    key: target.key,
    label: target.label,
    measure: 'distinct vulnerabilities',
    from: range ? Math.floor(range.from.getTime() / 1000) : null,
    to: range ? Math.ceil(range.to.getTime() / 1000) : null,
    times: snaps.map((h) => Math.round(Date.parse(h.takenAt) / 1000)),
    containers: snaps.map((h) => h.containers),
    series,
  };
}

/**
 * The history targets a caller's overview shows: the fleet without a scope; under a scope the
 * scope kind whose snapshots lie wholly inside it (clusters, namespaces, environments, owners:
 * see store snapshotVisible), one chart per key. `namespaceKeys` gives the namespace keys
 * (`cluster/ns`) the caller sees, asked only when needed.
 */
export async function overviewTargets(
  scope: AccessScope,
  namespaceKeys: () => Promise<string[]>,
): Promise<TrendTarget[] | string> {
  const c = scope.clusters ?? [];
  const n = scope.namespaces ?? [];
  const e = scope.environments ?? [];
  const o = scope.owners ?? [];
  if (!c.length && !n.length && !e.length && !o.length)
    return [{ kind: 'fleet', key: 'fleet', label: 'the fleet' }];
  if (c.length && !n.length && !e.length && !o.length)
    return c.map((k) => ({ kind: 'cluster', key: k, label: `cluster ${k}` }));
  if (n.length && !e.length && !o.length)
    return (await namespaceKeys()).map((k) => ({ kind: 'namespace', key: k, label: `namespace ${k}` }));
  if (e.length && !c.length && !n.length && !o.length)
    return e.map((k) => ({ kind: 'environment', key: k, label: `environment ${k}` }));
  if (o.length && !c.length && !n.length && !e.length)
    return o.map((k) => ({ kind: 'owner', key: k, label: `owner ${k}` }));
  return 'Your scope combines kinds (e.g. a cluster and an owner) that no stored history covers wholly: open a workload’s posture page for its trend.';
}

/** The trend section: one chart (with its table) per target, at most MAX_TRENDS. */
export async function trendSection(
  ctx: PageContext,
  targets: TrendTarget[] | string,
  range: TrendRange,
): Promise<Html> {
  const rangeLinks = html`<p class="trend-range">Range: ${Object.keys(TREND_RANGES).map((r, i) => {
    const q = new URLSearchParams(ctx.url.searchParams);
    q.set('trend', r);
    const link =
      r === range
        ? html`<strong>${r}</strong>`
        : html`<a href="${href(ctx.url.pathname, Object.fromEntries(q))}">${r}</a>`;
    return i ? html` · ${link}` : link;
  })}</p>`;
  if (typeof targets === 'string')
    return html`<section class="trend" aria-labelledby="trend-h"><h2 id="trend-h">Trend</h2><p class="hint">${targets}</p></section>`;
  if (!targets.length) return html``;
  const since = new Date(ctx.now.getTime() - TREND_RANGES[range] * 86400e3);
  const shown = targets.slice(0, MAX_TRENDS);
  const charts: Html[] = [];
  for (const [i, t] of shown.entries()) {
    const history = await postureHistory(ctx.deps.store, {
      kind: t.kind,
      keys: [t.key],
      since,
      limit: MAX_SNAPSHOTS,
      scope: ctx.principal.scope,
    });
    charts.push(trendChart(`trend-${i}`, trendData(t, history, { from: since, to: ctx.now }), range));
  }
  const more =
    targets.length > shown.length
      ? html`<p class="hint">${targets.length - shown.length} more in your scope: open them from <a href="/posture?by=cluster">Posture</a>.</p>`
      : '';
  return html`<section class="trend" aria-labelledby="trend-h"><h2 id="trend-h">Trend: distinct vulnerabilities over the last ${range}</h2>${rangeLinks}${charts}${more}</section>`;
}

function trendChart(id: string, data: TrendData, range: TrendRange): Html {
  if (!data.times.length)
    return html`<h3>${data.label}</h3><p class="empty" data-trend-empty="${id}">No posture snapshots of ${data.label} in the last ${range}: they are taken when posture changes and at least hourly while data lands (runsight serve, or any write command).</p>`;
  const rows = data.times.map(
    (t, i) =>
      html`<tr><td>${new Date(t * 1000).toISOString()}</td><td class="num">${data.containers[i]}</td>${TREND_SERIES.map(
        (s) => html`<td class="num">${data.series[s][i]}</td>`,
      )}</tr>`,
  );
  return html`<h3>${data.label}</h3>
<div class="trend-chart" id="${`${id}-chart`}" aria-hidden="true"></div>
${jsonScript(id, data)}
<details class="trend-table"><summary>The same numbers as a table (${data.times.length} ${data.times.length === 1 ? 'snapshot' : 'snapshots'}, oldest first)</summary>
<div class="scroll"><table data-trend-table="${id}"><thead><tr><th scope="col">snapshot</th><th scope="col">containers</th>${TREND_SERIES.map((s) => html`<th scope="col">${s === 'kev' ? 'KEV' : s}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div></details>`;
}

/**
 * The history a posture drill-down shows: the workload, namespace or cluster it is narrowed to;
 * the fleet at the top for a caller without a scope; nothing at the top under a scope (the
 * overview draws those). The severity, KEV and fixable filters narrow the table, not the trend.
 */
export function postureTarget(
  p: { cluster?: string | undefined; namespace?: string | undefined; workload?: string | undefined },
  scope: AccessScope,
): TrendTarget[] {
  if (p.workload) return [{ kind: 'workload', key: p.workload, label: `workload ${p.workload}` }];
  if (p.cluster && p.namespace) {
    const key = `${p.cluster}/${p.namespace}`;
    return [{ kind: 'namespace', key, label: `namespace ${key}` }];
  }
  if (p.cluster) return [{ kind: 'cluster', key: p.cluster, label: `cluster ${p.cluster}` }];
  if (p.namespace) return [];
  const restricted = [scope.clusters, scope.namespaces, scope.environments, scope.owners].some(
    (v) => v?.length,
  );
  return restricted ? [] : [{ kind: 'fleet', key: 'fleet', label: 'the fleet' }];
}
