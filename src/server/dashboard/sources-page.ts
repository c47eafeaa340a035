// `/sources`: where the data comes from and whether it keeps coming — each inventory source (last
// observed, its last run, running containers, age against sla.inventoryAge), each advisory source
// and feed (age, last outcome, error; `db status`), the scans in use (coverage gaps: unresolved,
// never scanned, stale against sla.scanAge) and the jobs (job_runs: last start, success, failure
// and error per kind; failing ones first).
//
// Scope. Inventory sources, feeds and jobs are installation-wide metadata. A caller without a scope
// sees all of it. A scoped caller sees only the sources that run at least one container of its
// scope, each with the count of its scope's containers (never the source's total), without the
// last run's counts or errors (they name containers outside the scope); advisory data is global
// (as on every vulnerability page); jobs show their times but not their error text. Coverage is
// always the caller's scope.
import { feedStatus } from '../../advisories/feeds/feed-status.js';
import { isUnrestricted } from '../../core/access.js';
import { postureConfigOf } from '../../propagation/index.js';
import {
  type InventorySourceRow,
  type JobRunRow,
  listFeedStates,
  listInventorySources,
  listJobRuns,
} from '../../store/index.js';
import { getFreshness, listContainerDocuments, listCoverageGaps } from '../../views/index.js';
import { age, ageText, type Html, html, table } from './html.js';
import type { Page, PageContext } from './page-context.js';

/** A scoped caller's containers are counted per source a page at a time, up to this many. */
const COUNT_PAGE = 1000;
const COUNT_CAP = 100_000;

function when(d: Date | string | null | undefined, now: Date): Html {
  if (!d) return html`<span class="empty">never</span>`;
  const t = typeof d === 'string' ? new Date(d) : d;
  return html`<time datetime="${t.toISOString()}">${ageText((now.getTime() - t.getTime()) / 1000)} ago</time>`;
}

/** The caller's containers of one source (live ones), counted page by page up to COUNT_CAP. */
async function scopedCount(ctx: PageContext, source: string): Promise<{ n: number; capped: boolean }> {
  let n = 0;
  let after: string | undefined;
  do {
    const page = await listContainerDocuments(ctx.deps.store, {
      source,
      scope: ctx.principal.scope,
      limit: COUNT_PAGE,
      after,
    });
    n += page.items.length;
    after = page.next ?? undefined;
  } while (after && n < COUNT_CAP);
  return { n, capped: !!after };
}

function failing(j: JobRunRow): boolean {
  return !!j.lastFailureAt && (!j.lastSuccessAt || j.lastFailureAt > j.lastSuccessAt);
}

export async function sourcesPage(ctx: PageContext): Promise<Page> {
  const { deps, principal, now } = ctx;
  const all = isUnrestricted(principal.scope);
  const config = postureConfigOf(deps.config);
  const [sources, freshness, feeds, jobs] = await Promise.all([
    listInventorySources(deps.store),
    getFreshness(deps.store, config, now, { scope: principal.scope }),
    listFeedStates(deps.store),
    listJobRuns(deps.store),
  ]);
  const ageOf = new Map(freshness.inventory.map((s) => [s.id, s]));
  const shown: { s: InventorySourceRow; containers: string }[] = [];
  for (const s of sources) {
    if (all) {
      shown.push({ s, containers: String(s.liveContainers) });
      continue;
    }
    const c = await scopedCount(ctx, s.name);
    if (c.n) shown.push({ s, containers: `${c.n}${c.capped ? '+' : ''}` });
  }
  const inventoryRows = shown.map(({ s, containers }) => {
    const f = ageOf.get(s.id);
    const run = s.lastRun;
    return html`<tr data-source="${s.name}"><th scope="row">${s.name}</th><td>${s.kind}</td><td class="num" data-containers>${containers}</td><td>${when(s.lastObservedAt, now)}</td><td>${
      run
        ? html`${run.mode} ${run.status} ${when(run.finishedAt ?? run.startedAt, now)}${
            all && run.errors.length ? html` <span class="stale">${run.errors.length} errors</span>` : ''
          }`
        : html`<span class="empty">none</span>`
    }</td><td>${f ? age(f.ageSeconds, f.stale) : '—'}</td></tr>`;
  });
  const feedRows = feedStatus(feeds, deps.config.cadence?.advisories, now).map(
    (f) =>
      html`<tr data-feed="${f.name}"><th scope="row">${f.name}</th><td>${ageText(f.ageSeconds)}</td><td class="${f.lastOutcome === 'failed' ? 'stale' : ''}">${f.lastOutcome ?? 'never run'}</td><td>${f.lastError ?? ''}</td><td>${f.nextRunAt ?? ''}</td><td class="num">${f.records ?? ''}</td></tr>`,
  );
  const advisoryRows = freshness.advisories.map(
    (a) =>
      html`<tr data-advisory="${a.name}"><th scope="row">${a.name}</th><td>${a.kind}</td><td>${age(a.ageSeconds, a.stale)}</td></tr>`,
  );
  const gaps = await listCoverageGaps(deps.store, config, now, { scope: principal.scope });
  const coverage = (['unresolved', 'never-scanned', 'stale'] as const).map((reason) => {
    const of = gaps.filter((g) => g.reason === reason);
    return html`<tr data-gap="${reason}"><th scope="row">${reason}</th><td class="num">${of.length}</td><td class="num">${of.reduce((n, g) => n + g.containers, 0)}</td></tr>`;
  });
  const sortedJobs = [...jobs].sort(
    (a, b) => Number(failing(b)) - Number(failing(a)) || a.kind.localeCompare(b.kind),
  );
  const jobRows = sortedJobs.map(
    (j) =>
      html`<tr data-job="${j.kind}"><th scope="row">${j.kind}${failing(j) ? html` <strong class="stale">failing</strong>` : ''}</th><td>${when(j.lastStartedAt, now)}</td><td>${when(j.lastSuccessAt, now)}</td><td>${when(j.lastFailureAt, now)}</td><td>${all ? (j.lastError ?? '') : j.lastError ? 'an error (shown to callers without a scope)' : ''}</td></tr>`,
  );
  const body = html`<p class="hint">${
    all
      ? 'Everything: you have no scope.'
      : 'Your scope: only the inventory sources that run your containers, counted over your containers; advisory data is global; job errors are shown to callers without a scope.'
  }</p>
<section aria-labelledby="inv-h"><h2 id="inv-h">Inventory sources${freshness.sla.inventoryAge ? ` (SLA ${freshness.sla.inventoryAge})` : ''}</h2>
${table(['source', 'kind', all ? 'running containers' : 'your running containers', 'last observed', 'last run', 'age'], inventoryRows, 'No inventory source has reported: run "runsight inventory collect" (Kubernetes, Docker) or "runsight inventory import FILE" (CMDB).')}</section>
<section aria-labelledby="adv-h"><h2 id="adv-h">Advisory sources${freshness.sla.advisoryAge ? ` (SLA ${freshness.sla.advisoryAge})` : ''}</h2>
${table(['source', 'kind', 'age'], advisoryRows, 'No advisories loaded: run "runsight db update".')}
<h3>Feeds</h3>
${table(['feed', 'last success', 'last outcome', 'error', 'next run', 'records'], feedRows, 'No feed has run: advisories were loaded from files, or "runsight db update" has not run against the feeds.')}</section>
<section aria-labelledby="cov-h"><h2 id="cov-h">Scans of the images in use${freshness.sla.scanAge ? ` (SLA ${freshness.sla.scanAge})` : ''}</h2>
${table(['gap', 'images', 'containers'], coverage, '')}
<p>Oldest scan in use: ${age(freshness.scans.oldestInUse.ageSeconds, freshness.scans.oldestInUse.stale)}; newest: ${age(freshness.scans.newestInUse.ageSeconds, false)}.${gaps.length ? html` Close gaps with <code>runsight scan-in-use</code>.` : ''}</p></section>
<section aria-labelledby="jobs-h"><h2 id="jobs-h">Jobs</h2>
${table(['job', 'last started', 'last success', 'last failure', 'last error'], jobRows, 'No job has run: "runsight serve" and "runsight worker" run them on the configured cadences.')}</section>`;
  return { title: 'Sources and jobs', body };
}
