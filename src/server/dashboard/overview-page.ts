// `/`: the overview — running containers, distinct vulnerabilities and instances by severity, KEV
// and fixable, the freshness of every input, coverage gaps and the top priorities, all from
// getPosture called with the caller's scope — and the posture trend (trend-chart.ts): the fleet's
// history without a scope, else that of each scope key the caller may read. The prioritised list
// is its own page, `/overview/priorities`, that the overview loads after its first paint
// (web/fragments.js): on a big fleet it takes seconds (it merges every running image's list), the
// rest of the overview reads maintained rows.

import { listPriorities, postureConfigOf } from '../../propagation/index.js';
import { getPosture } from '../../views/index.js';
import { figureCards } from './figures.js';
import { ageText, freshnessPanel, href, html, table } from './html.js';
import type { Page, PageContext } from './page-context.js';
import { overviewTargets, parseTrendRange, TREND_HEAD, trendSection } from './trend-chart.js';

const TOP = 10;

export async function overviewPage(ctx: PageContext): Promise<Page> {
  const { deps, principal } = ctx;
  const range = parseTrendRange(ctx.url.searchParams);
  // The report and the trend are independent reads: concurrent (a pooled connection each on PostgreSQL).
  const [report, trend] = await Promise.all([
    getPosture(
      deps.store,
      { by: 'cluster', top: 0, scope: principal.scope, now: ctx.now },
      postureConfigOf(deps.config),
    ),
    overviewTargets(principal.scope, async () => {
      const byNs = await getPosture(
        deps.store,
        { by: 'namespace', top: 0, scope: principal.scope, now: ctx.now },
        postureConfigOf(deps.config),
      );
      return byNs.groups.map((g) => g.key);
    }).then((targets) => trendSection(ctx, targets, range)),
  ]);
  const t = report.totals;
  const empty = t.containers === 0;
  const body = html`
<section aria-labelledby="run-h"><h2 id="run-h">Running containers</h2>
<div class="cards"><div class="card"><span class="n" data-total="containers">${t.containers}</span><span class="l">running containers in your scope</span></div>
<div class="card"><span class="n">${report.groups.length}</span><span class="l"><a href="/posture?by=cluster">clusters</a></span></div></div>
${empty ? html`<p class="empty">No running containers yet: run <code>runsight inventory collect</code> (Kubernetes, Docker) or <code>runsight inventory import FILE</code> (CMDB), then <code>runsight scan-in-use</code>. To try it out: <code>runsight demo</code>.</p>` : ''}</section>
${figureCards('Distinct vulnerabilities (each counted once)', 'distinct', t.distinctVulnerabilities)}
${figureCards('Instances (container × vulnerability)', 'instances', t.instances)}
${trend}
<section aria-labelledby="prio-h" data-fragment="/overview/priorities"><h2 id="prio-h">Top priorities</h2>
<p class="hint" data-loading>Computing the prioritised list… <a href="/overview/priorities">open it on its own page</a>.</p></section>
<section aria-labelledby="gap-h"><h2 id="gap-h">Coverage gaps</h2>
${table(
  ['reason', 'image', 'containers', 'scanned'],
  report.coverage.gaps.map(
    (g) =>
      html`<tr><td>${g.reason}</td><td class="mono">${g.imageDigest ? html`<a href="${`/images/${encodeURIComponent(g.imageDigest)}`}">${g.image}</a>` : g.image}</td><td class="num">${g.containers}</td><td>${g.scannedAt ?? 'never'}</td></tr>`,
  ),
  'No coverage gaps: every running container resolves to a scanned image.',
)}
${report.coverage.gaps.length ? html`<p class="hint">Close gaps with <code>runsight scan-in-use</code>; unresolved images need a digest from the runtime or the registry.</p>` : ''}</section>
${freshnessPanel(report.freshness)}
<p class="hint">${report.limits}</p>
<p><a href="${href('/posture', { by: 'namespace' })}">Posture by namespace</a> · <a href="/posture?by=workload">by workload</a> · <a href="/posture?by=image">by image</a></p>`;
  return {
    title: 'Overview',
    body,
    head: html`${TREND_HEAD}<script src="/static/fragments.js" defer></script>`,
  };
}

/** `/overview/priorities`: the overview's prioritised list (KEV, EPSS, severity, fix, reach, exposure) in the caller's scope. */
export async function prioritiesPage(ctx: PageContext): Promise<Page> {
  const priorities = await listPriorities(ctx.deps.store, { scope: ctx.principal.scope }, {}, TOP);
  const body = html`<section aria-labelledby="prio-h" id="priorities"><h2 id="prio-h">Top priorities</h2>
${table(
  ['vulnerability', 'severity', 'KEV', 'EPSS', 'fixable', 'containers', 'images', 'exposed for'],
  priorities.map(
    (p) =>
      html`<tr><td><a href="${`/vulnerabilities/${encodeURIComponent(p.vulnerabilityId)}`}">${p.vulnerabilityId}</a></td><td class="${`sev-${p.severity}`}">${p.severity}</td><td>${p.kev ? 'yes' : ''}</td><td class="num">${p.epss === null ? '' : p.epss.toFixed(3)}</td><td>${p.fixable ? 'yes' : ''}</td><td class="num">${p.containers}</td><td class="num">${p.images}</td><td>${ageText(p.exposureSeconds)}</td></tr>`,
  ),
  'No vulnerability reaches a running container in your scope. If nothing is scanned yet, run "runsight scan-in-use".',
)}</section>`;
  return { title: 'Top priorities', body };
}
