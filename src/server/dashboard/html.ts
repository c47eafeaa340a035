// The dashboard's HTML building blocks (docs/api.md "Dashboard"): the tagged template that escapes
// every interpolated value unless it is already built HTML (src/reports/html-escape.ts), the page
// layout (navigation, who is signed in, the logout form with its CSRF token, the freshness of the
// page's inputs) and small helpers for tables, figures and ages. Nothing here reads the store.
import type { Principal } from '../../core/access.js';
// The escaping rule and the tagged template are the reports' (one rule for every HTML Runsight writes).
import { escapeHtml as escapeText, Markup as Html, markup as html } from '../../reports/html-escape.js';
import type { Freshness } from '../../views/index.js';

export { escapeText, Html, html };

/** A query string from the non-empty values, for links that keep the filters. */
export function href(
  path: string,
  query: Record<string, string | number | boolean | undefined | null> = {},
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '' && v !== false) q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** `3d 4h`, `12m`: an age in seconds, or `never`. */
export function ageText(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return 'never';
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86400)}d ${Math.floor((seconds % 86400) / 3600)}h`;
}

/** An age with a `stale` mark when over its SLA. */
export function age(seconds: number | null | undefined, stale: boolean): Html {
  return html`<span class="${stale ? 'age stale' : 'age'}">${ageText(seconds)}${stale ? html` <strong>(stale)</strong>` : ''}</span>`;
}

/** The "how old are the inputs" panel every page shows. */
export function freshnessPanel(f: Freshness): Html {
  const rows: Html[] = [
    html`<tr><th scope="row">posture roll-ups</th><td>${age(f.posture.ageSeconds, false)}</td><td>${f.posture.settingsPending ? 'settings change pending: run "runsight store sync"' : ''}</td></tr>`,
    ...f.advisories.map(
      (a) =>
        html`<tr><th scope="row">advisories: ${a.name}</th><td>${age(a.ageSeconds, a.stale)}</td><td>${a.kind}</td></tr>`,
    ),
    ...f.inventory.map(
      (s) =>
        html`<tr><th scope="row">inventory: ${s.name}</th><td>${age(s.ageSeconds, s.stale)}</td><td>${s.kind}</td></tr>`,
    ),
    html`<tr><th scope="row">oldest scan in use</th><td>${age(f.scans.oldestInUse.ageSeconds, f.scans.oldestInUse.stale)}</td><td></td></tr>`,
    html`<tr><th scope="row">newest scan in use</th><td>${age(f.scans.newestInUse.ageSeconds, false)}</td><td></td></tr>`,
  ];
  return html`<section class="freshness" aria-labelledby="fresh-h"><h2 id="fresh-h">Freshness of the inputs${f.stale ? html` <span class="stale">— some are stale</span>` : ''}</h2>
<table><thead><tr><th scope="col">input</th><th scope="col">age</th><th scope="col">note</th></tr></thead><tbody>${rows}</tbody></table>
${f.advisories.length === 0 ? html`<p class="hint">No advisories loaded: run <code>runsight db update</code>.</p>` : ''}${f.inventory.length === 0 ? html`<p class="hint">No inventory source has reported: run <code>runsight inventory collect</code> or <code>runsight inventory import</code>.</p>` : ''}</section>`;
}

export interface LayoutInput {
  title: string;
  principal: Principal;
  /** The CSRF token of the session (for the logout form); absent for a bearer-token request. */
  csrf?: string | undefined;
  body: Html;
  /** Extra `<link>`/`<script src>` elements from /static (TREND_HEAD); never inline script. */
  head?: Html | undefined;
}

const NAV: [string, string][] = [
  ['/', 'Overview'],
  ['/posture?by=cluster', 'Posture'],
  ['/sources', 'Sources and jobs'],
  ['/validate', 'Validate'],
];

export function layout({ title, principal, csrf, body, head }: LayoutInput): string {
  const scope = Object.entries(principal.scope)
    .filter(([, v]) => Array.isArray(v) && v.length)
    .map(([k, v]) => `${k}=${(v as string[]).join(',')}`)
    .join(' ');
  return `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Runsight</title><link rel="stylesheet" href="/static/dashboard.css">${head ?? ''}</head>
<body><a class="skip" href="#main">Skip to content</a>
<header><nav aria-label="main"><span class="brand">Runsight</span>${NAV.map(([h, t]) => html`<a href="${h}">${t}</a>`)}</nav>
<div class="who">${principal.subject} · ${principal.role}${scope ? html` · scope ${scope}` : ' · all scopes'}${
    csrf
      ? html`<form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="${csrf}"><button type="submit">Log out</button></form>`
      : ''
  }</div></header>
<main id="main"><h1>${title}</h1>${body}</main></body></html>`}`;
}

/** A table with a header row; `rows` already built. An empty list shows `empty` instead. */
export function table(head: string[], rows: Html[], empty: Html | string): Html {
  if (!rows.length) return html`<p class="empty">${empty}</p>`;
  return html`<div class="scroll"><table><thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`;
}
