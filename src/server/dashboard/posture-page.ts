// `/posture?by=…`: the posture roll-up as a table, filtered like the API (severity, kev, fixable,
// cluster, namespace; plus `workload`, the dashboard's last drill step) with the filters kept in
// every link, sorted and paged on the server (PAGE_SIZE rows a page): one page read in SQL, `after`
// the previous page's last row (getPosture's `next`); by container — computed, and narrowed to a
// workload here — by page number. Each row links one level down: cluster → namespace → workload →
// container → the container page.
import type { Severity } from '../../core/types.js';
import { postureConfigOf } from '../../propagation/index.js';
import { getPosture, POSTURE_BY, type PostureBy, type PostureGroup } from '../../views/index.js';
import { FIGURE_COLUMNS, figureCells } from './figures.js';
import { freshnessPanel, type Html, href, html, table } from './html.js';
import { type Page, type PageContext, PageInputError } from './page-context.js';
import { reportDownloadHref } from './report-download.js';
import { parseTrendRange, postureTarget, TREND_HEAD, trendSection } from './trend-chart.js';

export const PAGE_SIZE = 50;
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'] as const;
const SORTS = ['instances', 'distinct', 'containers', 'key'] as const;
type Sort = (typeof SORTS)[number];

export interface PostureParams {
  by: PostureBy;
  severity: (typeof SEVERITIES)[number] | undefined;
  kev: boolean;
  fixable: boolean;
  cluster: string | undefined;
  namespace: string | undefined;
  workload: string | undefined;
  sort: Sort;
  page: number;
  /** The `next` of the previous page (every kind but container). */
  after: string | undefined;
}

function oneOf<T extends string>(name: string, value: string | null, allowed: readonly T[]): T | undefined {
  if (value === null || value === '') return undefined;
  if (!allowed.includes(value as T))
    throw new PageInputError(`${name} must be one of ${allowed.join(', ')}; got "${value}"`);
  return value as T;
}

function text(value: string | null): string | undefined {
  if (value === null || value === '') return undefined;
  if (value.length > 500) throw new PageInputError('a filter value is longer than 500 characters');
  return value;
}

export function parsePostureParams(q: URLSearchParams): PostureParams {
  const page = q.get('page') ? Number(q.get('page')) : 1;
  if (!Number.isInteger(page) || page < 1 || page > 100_000)
    throw new PageInputError('page must be a whole number from 1');
  const flag = (name: string) => {
    const v = q.get(name);
    if (v === null || v === '' || v === 'false') return false;
    if (v === 'true' || v === 'on') return true;
    throw new PageInputError(`${name} must be true or false; got "${v}"`);
  };
  return {
    by: oneOf('by', q.get('by'), POSTURE_BY) ?? 'namespace',
    severity: oneOf('severity', q.get('severity')?.toLowerCase() ?? null, SEVERITIES),
    kev: flag('kev'),
    fixable: flag('fixable'),
    cluster: text(q.get('cluster')),
    namespace: text(q.get('namespace')),
    workload: text(q.get('workload')),
    sort: oneOf('sort', q.get('sort'), SORTS) ?? 'instances',
    page,
    after: text(q.get('after')),
  };
}

/** The query of a link: the filters kept, `over` replacing some. */
function link(p: PostureParams, over: Partial<PostureParams>): string {
  const n = { ...p, ...over };
  return href('/posture', {
    by: n.by,
    severity: n.severity,
    kev: n.kev,
    fixable: n.fixable,
    cluster: n.cluster,
    namespace: n.namespace,
    workload: n.workload,
    sort: n.sort === 'instances' ? undefined : n.sort,
    page: n.page > 1 ? n.page : undefined,
    after: n.after,
  });
}

/** The link one level down from a row, or none (environment and owner have no finer filter). */
function down(p: PostureParams, g: PostureGroup): string | undefined {
  const l = g.labels;
  const base = { page: 1, sort: p.sort, after: undefined };
  switch (p.by) {
    case 'cluster':
      return l.cluster ? link(p, { ...base, by: 'namespace', cluster: l.cluster }) : undefined;
    case 'namespace':
      return l.cluster && l.namespace
        ? link(p, { ...base, by: 'workload', cluster: l.cluster, namespace: l.namespace })
        : undefined;
    case 'workload':
      return l.cluster && l.namespace
        ? link(p, { ...base, by: 'container', cluster: l.cluster, namespace: l.namespace, workload: g.key })
        : undefined;
    case 'container':
      return `/containers/${encodeURIComponent(g.key)}`;
    case 'image':
      return g.key.startsWith('sha256:') ? `/images/${encodeURIComponent(g.key)}` : undefined;
    default:
      return undefined;
  }
}

/** The workload key (cluster/namespace/kind/name) of a container row, as scopeKeySql builds it. */
function workloadKey(g: PostureGroup): string {
  const l = g.labels;
  return [
    l.cluster ?? '-',
    l.namespace ?? '-',
    l.workload_kind ?? '-',
    l.workload_name ?? l.pod ?? l.container_name,
  ].join('/');
}

function filterForm(p: PostureParams): Html {
  return html`<form method="get" action="/posture" class="filters" aria-label="filters">
<label>group by<select name="by">${POSTURE_BY.map((b) => html`<option${b === p.by ? html` selected` : ''}>${b}</option>`)}</select></label>
<label>min severity<select name="severity"><option value="">any</option>${SEVERITIES.map((s) => html`<option${s === p.severity ? html` selected` : ''}>${s}</option>`)}</select></label>
<label>cluster<input name="cluster" value="${p.cluster ?? ''}"></label>
<label>namespace<input name="namespace" value="${p.namespace ?? ''}"></label>
${p.workload ? html`<input type="hidden" name="workload" value="${p.workload}">` : ''}
<label><span><input type="checkbox" name="kev" value="true"${p.kev ? html` checked` : ''}> KEV only</span></label>
<label><span><input type="checkbox" name="fixable" value="true"${p.fixable ? html` checked` : ''}> fixable only</span></label>
<button type="submit">Apply</button></form>`;
}

function crumbs(p: PostureParams): Html {
  const parts: Html[] = [
    html`<a href="${link(p, { by: 'cluster', cluster: undefined, namespace: undefined, workload: undefined, page: 1, after: undefined })}">all clusters</a>`,
  ];
  if (p.cluster)
    parts.push(
      html` › <a href="${link(p, { by: 'namespace', namespace: undefined, workload: undefined, page: 1, after: undefined })}">${p.cluster}</a>`,
    );
  if (p.cluster && p.namespace)
    parts.push(
      html` › <a href="${link(p, { by: 'workload', workload: undefined, page: 1, after: undefined })}">${p.namespace}</a>`,
    );
  if (p.workload) parts.push(html` › ${p.workload}`);
  return html`<nav class="crumbs" aria-label="breadcrumb">${parts}</nav>`;
}

export async function posturePage(ctx: PageContext): Promise<Page> {
  const p = parsePostureParams(ctx.url.searchParams);
  const trendRange = parseTrendRange(ctx.url.searchParams);
  const byNumber = p.by === 'container';
  const report = await getPosture(
    ctx.deps.store,
    {
      by: p.by,
      severity: p.severity?.toUpperCase() as Severity | undefined,
      kev: p.kev,
      fixable: p.fixable,
      cluster: p.cluster,
      namespace: p.namespace,
      top: 0, // the page shows no priorities
      scope: ctx.principal.scope,
      now: ctx.now,
      sort: p.sort,
      // Containers are narrowed to a workload here, after the read: that kind is paged by number.
      ...(byNumber ? {} : { limit: PAGE_SIZE, after: p.after }),
    },
    postureConfigOf(ctx.deps.config),
  );
  const groups = report.groups.filter(
    (g) => !(p.by === 'container' && p.workload) || workloadKey(g) === p.workload,
  );
  const pages = byNumber ? Math.max(1, Math.ceil(groups.length / PAGE_SIZE)) : 1;
  const shown = byNumber ? groups.slice((p.page - 1) * PAGE_SIZE, p.page * PAGE_SIZE) : groups;
  const sortLink = (s: Sort, label: string) =>
    s === p.sort
      ? html`<strong>${label}</strong>`
      : html`<a href="${link(p, { sort: s, page: 1, after: undefined })}">${label}</a>`;
  const rows = shown.map((g) => {
    const to = down(p, g);
    const name = p.by === 'container' ? `${g.labels.container_name ?? ''} (${g.key})` : g.key;
    return html`<tr><th scope="row">${to ? html`<a href="${to}">${name}</a>` : name}${g.stale.length ? html` <span class="stale">stale: ${g.stale.join(', ')}</span>` : ''}</th><td class="num">${g.containers}</td><td class="num">${g.unresolved + g.unscanned}</td>${figureCells(g.distinctVulnerabilities)}${figureCells(g.instances)}</tr>`;
  });
  const head = [
    '',
    'containers',
    'gaps',
    ...FIGURE_COLUMNS.map((k) => `distinct ${k}`),
    ...FIGURE_COLUMNS.map((k) => `instances ${k}`),
  ];
  head[0] = p.by;
  const trend = await trendSection(ctx, postureTarget(p, ctx.principal.scope), trendRange);
  const body = html`${crumbs(p)}${filterForm(p)}
<p>Sort: ${sortLink('instances', 'instances')} · ${sortLink('distinct', 'distinct vulnerabilities')} · ${sortLink('containers', 'containers')} · ${sortLink('key', 'name')}</p>
<p data-total="containers">${report.totals.containers} running containers match; ${byNumber ? html`${groups.length} ${p.by} rows.` : html`${shown.length} ${p.by} rows on this page${p.after ? ' (not the first)' : ''}.`}</p>
<p class="download">Download report: <a href="${reportDownloadHref('html', p)}" download>HTML</a> · <a href="${reportDownloadHref('csv', p)}" download>CSV</a></p>
${table(head, rows, report.totals.containers === 0 ? 'No running container matches: clear a filter, or run "runsight inventory collect" / "runsight inventory import" first.' : 'No row matches these filters.')}
${pages > 1 ? html`<nav class="pager" aria-label="pages">${p.page > 1 ? html`<a href="${link(p, { page: p.page - 1 })}" rel="prev">previous</a>` : ''}<span>page ${p.page} of ${pages}</span>${p.page < pages ? html`<a href="${link(p, { page: p.page + 1 })}" rel="next">next</a>` : ''}</nav>` : ''}
${!byNumber && (p.after || report.next) ? html`<nav class="pager" aria-label="pages">${p.after ? html`<a href="${link(p, { page: 1, after: undefined })}" rel="first">first page</a>` : ''}${report.next ? html`<a href="${link(p, { page: 1, after: report.next })}" rel="next">next</a>` : ''}</nav>` : ''}
${trend}
${freshnessPanel(report.freshness)}`;
  return { title: `Posture by ${p.by}`, body, head: TREND_HEAD };
}
