// The detail pages, each one view called with the caller's scope: `/vulnerabilities/{id}` (the
// `vuln where` and `vuln show` documents), `/containers/{id}` (`container show`), `/images/{digest}`
// (`image show`) and `/validate` (the checklist). Something unknown or outside the scope is 404.

import { postureConfigOf } from '../../propagation/index.js';
import { getSetting } from '../../store/index.js';
import {
  getFreshness,
  NotFoundError,
  showContainer,
  showImage,
  showVulnerability,
  type VulnerabilityShow,
  type VulnWhere,
  validatePropagation,
  vulnWhere,
} from '../../views/index.js';
import type { AppDeps } from '../context.js';
import { documentView } from './document-view.js';
import { age, freshnessPanel, type Html, href, html, table } from './html.js';
import { type Page, type PageContext, PageInputError } from './page-context.js';

const enc = encodeURIComponent;
const containerLink = (id: string, text: string): Html =>
  html`<a href="${`/containers/${enc(id)}`}">${text}</a>`;
const imageLink = (digest: string, text = digest): Html =>
  html`<a class="mono" href="${`/images/${enc(digest)}`}">${text}</a>`;

async function freshness(ctx: PageContext): Promise<Html> {
  return freshnessPanel(
    await getFreshness(ctx.deps.store, postureConfigOf(ctx.deps.config), ctx.now, {
      scope: ctx.principal.scope,
    }),
  );
}

/** Containers a vulnerability page lists at once (`?limit=` up to MAX_VULN_PAGE); `?after=` pages on. */
export const VULN_PAGE_SIZE = 100;
const MAX_VULN_PAGE = 1000;

function vulnPaging(q: URLSearchParams): { limit: number; cursor: string | undefined } {
  const raw = q.get('limit');
  const limit = raw === null || raw === '' ? VULN_PAGE_SIZE : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_VULN_PAGE)
    throw new PageInputError(`limit must be a whole number from 1 to ${MAX_VULN_PAGE}`);
  const after = q.get('after');
  if (after !== null && after.length > 1000) throw new PageInputError('after is longer than 1000 characters');
  return { limit, cursor: after || undefined };
}

export async function vulnerabilityPage(ctx: PageContext, id: string): Promise<Page> {
  const { deps, principal } = ctx;
  const paging = vulnPaging(ctx.url.searchParams);
  // One page of the containers (a CVE can run in most of a large fleet), read in SQL: the figures
  // in the heading count all of them, from the workloads (aggregated in SQL). The three reads run
  // at once; an id nobody names is 404 whatever the others answered.
  const [where, show, fresh] = await Promise.allSettled([
    vulnWhere(deps.store, id, postureConfigOf(deps.config), { scope: principal.scope, ...paging }),
    showVulnerability(deps.store, id, { scope: principal.scope }),
    freshness(ctx),
  ]);
  if (where.status === 'rejected') throw where.reason;
  if (!where.value.known) throw new NotFoundError(`no advisory or finding names "${id}"`);
  if (show.status === 'rejected' && !(show.reason instanceof NotFoundError)) throw show.reason;
  if (fresh.status === 'rejected') throw fresh.reason;
  return vulnerabilityBody(
    id,
    paging,
    where.value,
    show.status === 'fulfilled' ? show.value : undefined,
    fresh.value,
  );
}

function vulnerabilityBody(
  id: string,
  paging: { limit: number; cursor: string | undefined },
  where: VulnWhere,
  show: VulnerabilityShow | undefined,
  fresh: Html,
): Page {
  const total = where.workloads.reduce((n, w) => n + w.containers, 0);
  const self = `/vulnerabilities/${enc(id)}`;
  const limit = paging.limit === VULN_PAGE_SIZE ? undefined : paging.limit;
  const pager =
    paging.cursor || where.next
      ? html`<nav class="pager" aria-label="pages">${paging.cursor ? html`<a href="${href(self, { limit })}">first</a>` : ''}<span>${where.containers.length} of ${total} containers</span>${where.next ? html`<a href="${href(self, { limit, after: where.next })}" rel="next">next</a>` : ''}</nav>`
      : '';
  const body = html`<section aria-labelledby="where-h"><h2 id="where-h">Where it runs: ${total} running containers, ${where.workloads.length} workloads, ${where.images.length} images</h2>
${table(
  ['container', 'cluster', 'namespace', 'workload', 'image', 'severity', 'KEV', 'fixable', 'packages'],
  where.containers.map(
    (c) =>
      html`<tr data-container="${c.containerId}"><td>${containerLink(c.containerId, c.containerId)}</td><td>${c.cluster}</td><td>${c.namespace}</td><td>${c.workloadKind}/${c.workloadName}</td><td>${imageLink(c.imageDigest, c.image)}</td><td class="${`sev-${c.severity}`}">${c.severity}</td><td>${c.kev ? 'yes' : ''}</td><td>${c.fixable ? 'yes' : ''}</td><td>${c.packages.map((p) => html`<div class="mono">${p.name} ${p.installedVersion}${p.fixedVersion ? ` → ${p.fixedVersion}` : ''}</div>`)}</td></tr>`,
  ),
  'No running container in your scope carries it.',
)}${pager}</section>
<section aria-labelledby="show-h"><h2 id="show-h">The vulnerability</h2>${show ? documentView({ aliases: where.ids, kev: show.kev, epss: show.epss, cveScores: show.cveScores, advisories: show.advisories, images: show.images }) : html`<p class="empty">No advisory is loaded for it: run <code>runsight db update</code>.</p>`}</section>
${fresh}`;
  return { title: id, body };
}

export async function containerPage(ctx: PageContext, id: string): Promise<Page> {
  const { deps, principal } = ctx;
  const v = await showContainer(deps.store, id, postureConfigOf(deps.config), ctx.now, {
    scope: principal.scope,
  });
  const workload = href('/posture', { by: 'container', cluster: v.cluster, namespace: v.namespace });
  const body = html`<dl class="facts">
<dt>cluster / namespace</dt><dd><a href="${href('/posture', { by: 'workload', cluster: v.cluster, namespace: v.namespace })}">${v.cluster ?? '-'} / ${v.namespace ?? '-'}</a></dd>
<dt>workload</dt><dd><a href="${workload}">${v.workloadKind ?? '-'}/${v.workloadName ?? '-'}</a> (pod ${v.pod ?? '-'}, container ${v.container})</dd>
<dt>image</dt><dd class="mono">${v.image}</dd>
<dt>resolved digest</dt><dd>${v.imageDigest ? imageLink(v.imageDigest) : html`<span class="stale">unresolved</span>`} — ${v.matchMethod}, confidence ${v.confidence} (${v.resolution})</dd>
<dt>state</dt><dd>${v.state}; source ${v.source.name} (${v.source.kind}); seen ${v.firstSeen} … ${v.lastSeen}</dd>
<dt>owner / environment</dt><dd>${v.owner ?? '-'} / ${v.environment ?? '-'}</dd>
<dt>scan</dt><dd>${v.scan.at ?? 'not scanned: run "runsight scan-in-use"'} ${v.scan.at ? age(v.scan.ageSeconds, v.scan.stale) : ''}${v.findingsSource ? ` · source ${v.findingsSource}` : ''}</dd>
<dt>distinct vulnerabilities</dt><dd data-counts>critical ${v.counts.critical} · high ${v.counts.high} · medium ${v.counts.medium} · low ${v.counts.low} · unknown ${v.counts.unknown} · KEV ${v.kev} · fixable ${v.fixable}</dd>
<dt>base image</dt><dd>${v.baseImage ? html`${imageLink(v.baseImage.digest)} ${v.baseImage.names.join(', ')}` : '-'}</dd></dl>
<h2>Findings and fixes</h2>
${table(
  ['vulnerability', 'severity', 'KEV', 'package', 'installed', 'fixed', 'advice'],
  v.findings.map(
    (f) =>
      html`<tr><td><a href="${`/vulnerabilities/${enc(f.vulnerabilityId)}`}">${f.vulnerabilityId}</a></td><td class="${`sev-${f.severity}`}">${f.severity}</td><td>${f.kev ? 'yes' : ''}</td><td>${f.packageName}</td><td class="mono">${f.installedVersion}</td><td class="mono">${f.fixedVersion ?? ''}</td><td>${f.advice}</td></tr>`,
  ),
  v.imageDigest
    ? 'No findings for its image.'
    : 'Its image is not resolved to a digest, so it has no findings yet.',
)}
<h2>Exposure</h2>${documentView(v.exposures)}
${freshnessPanel(v.freshness)}`;
  return { title: `Container ${v.id}`, body };
}

async function authoritative(deps: AppDeps): Promise<string | undefined> {
  return (
    deps.config.posture?.authoritativeSource ??
    (await getSetting<string>(deps.store, 'posture.authoritativeSource'))
  );
}

export async function imagePage(ctx: PageContext, digest: string): Promise<Page> {
  const { deps, principal } = ctx;
  // The image and the inputs' freshness are read at once (one waits for neither).
  const [s, fresh] = await Promise.all([
    authoritative(deps).then((source) => showImage(deps.store, digest, source, { scope: principal.scope })),
    freshness(ctx),
  ]);
  const body = html`<dl class="facts"><dt>digest</dt><dd class="mono">${s.digest}</dd><dt>reference</dt><dd class="mono">${s.reference}</dd>
<dt>authoritative source</dt><dd>${s.authoritativeSource ?? '-'}${s.configuredSourceMissing ? html` <span class="stale">(configured source ${s.configuredSourceMissing} has no scan of it)</span>` : ''}</dd>
<dt>what posture counts</dt><dd>${s.summary ? documentView(s.summary) : 'no roll-up: not scanned, or an index (see platforms); run "runsight scan-in-use"'}</dd></dl>
<h2>Findings sources</h2>${documentView(s.sources)}
<h2>Differences between sources</h2>${documentView(s.differences)}
${
  s.platforms.length
    ? html`<h2>Platforms</h2>${table(
        ['platform', 'digest'],
        s.platforms.map((p) => html`<tr><td>${p.platform}</td><td>${imageLink(p.digest)}</td></tr>`),
        '',
      )}`
    : ''
}
${fresh}`;
  return { title: `Image ${s.digest.slice(0, 19)}…`, body };
}

/** The `runsight validate` command line for the same choice (shown so a run can be repeated). */
function validateCommand(input: {
  image?: string | undefined;
  vulnerability?: string | undefined;
  fixedImage?: string | undefined;
}): string {
  const arg = (s: string) => (/^[\w@:./+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return [
    'runsight validate',
    input.image ? `--image ${arg(input.image)}` : '',
    input.vulnerability ? `--vulnerability ${arg(input.vulnerability)}` : '',
    input.fixedImage ? `--fixed-image ${arg(input.fixedImage)}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * `/validate?image=…&vulnerability=…&fixedImage=…`: the six-point checklist of `runsight validate`
 * and GET /api/v1/validate (the same view, the same query keys, the caller's scope) for the choice
 * in the query string, so the URL can be shared. A GET: validating only reads.
 */
export async function validatePage(ctx: PageContext): Promise<Page> {
  const { deps, principal } = ctx;
  const q = ctx.url.searchParams;
  const value = (k: string) => q.get(k)?.trim().slice(0, 1000) || undefined;
  const input = {
    image: value('image'),
    vulnerability: value('vulnerability'),
    fixedImage: value('fixedImage'),
  };
  const chosen =
    input.image !== undefined || input.vulnerability !== undefined || input.fixedImage !== undefined;
  const [{ checks }, fresh] = await Promise.all([
    validatePropagation(deps.store, input, postureConfigOf(deps.config), ctx.now, { scope: principal.scope }),
    freshness(ctx),
  ]);
  const passed = checks.filter((c) => c.status === 'pass').length;
  const failed = checks.filter((c) => c.status === 'fail').length;
  const body = html`<form method="get" action="/validate" class="filters" aria-label="validate inputs">
<label>image<input name="image" value="${input.image ?? ''}" placeholder="registry/repo:tag or repo@sha256:…" autocomplete="off"></label><label>vulnerability<input name="vulnerability" value="${input.vulnerability ?? ''}" placeholder="CVE-2025-26519" autocomplete="off"></label><label>fixed image<input name="fixedImage" value="${input.fixedImage ?? ''}" placeholder="the rebuilt image" autocomplete="off"></label><button type="submit">Check</button></form>
${
  chosen
    ? html`<p data-summary>${passed} passed · ${failed} failed · ${checks.length - passed - failed} skipped — the same as <code>${validateCommand(input)}</code></p>`
    : html`<p class="empty" data-empty>Choose the image you know carries a vulnerability, the vulnerability's id and the image rebuilt without it, then <strong>Check</strong>: each of the six checks says pass, fail or skip with its evidence (the same as <code>runsight validate --image REF --vulnerability ID --fixed-image REF</code>). Nothing to choose from yet? Run <code>runsight db update</code>, <code>runsight scan</code> of both images and <code>runsight inventory collect</code> first.</p>`
}
${table(
  ['check', 'status', 'evidence'],
  checks.map(
    (c) =>
      html`<tr data-check="${c.name}" data-status="${c.status}"><th scope="row">${c.name}</th><td class="${c.status}">${c.status}</td><td data-evidence>${c.evidence}</td></tr>`,
  ),
  'No checks ran: load advisories ("runsight db update"), inventory and scans first.',
)}
${fresh}`;
  return { title: 'Validate propagation', body };
}
