// The scope report as ONE self-contained HTML file: inline CSS, inline SVG charts (trend line,
// severity bars), no script, no external URL — it opens from a mail attachment or a file share and
// reads the same offline. Every string from the store goes through `markup` (escaped).
import { escapeHtml, type Markup, markup } from '../html-escape.js';
import type { ScopeReport, TrendPoint } from './document.js';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'] as const;
const COLORS: Record<(typeof SEVERITIES)[number], string> = {
  critical: '#8b0000',
  high: '#d9480f',
  medium: '#e6a700',
  low: '#2f7fbf',
  unknown: '#7a7a7a',
};

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1b1b;margin:0;background:#fafafa}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555}.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:22px}.card span{color:#555;font-size:12px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:tabular-nums}
.up{color:#b00020}.down{color:#1b7f3b}.stale{color:#b00020}.none{color:#777;font-style:italic}
svg{background:#fff;border:1px solid #ddd;border-radius:6px}
.legend span{display:inline-block;margin-right:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
code{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
`;

function num(n: number): string {
  return n.toLocaleString('en-US');
}

function signed(n: number): Markup {
  if (n === 0) return markup`±0`;
  return markup`<span class="${n > 0 ? 'up' : 'down'}">${n > 0 ? '+' : '−'}${num(Math.abs(n))}</span>`;
}

/** Horizontal bars of distinct vulnerabilities and instances per severity. */
function severityBars(report: ScopeReport): Markup {
  const d = report.totals.distinctVulnerabilities;
  const i = report.totals.instances;
  const max = Math.max(1, ...SEVERITIES.map((s) => d[s]));
  const maxI = Math.max(1, ...SEVERITIES.map((s) => i[s]));
  const rowH = 26;
  const w = 720;
  const bars = SEVERITIES.map((s, k) => {
    const y = 24 + k * rowH;
    const wd = Math.round((d[s] / max) * 260);
    const wi = Math.round((i[s] / maxI) * 260);
    return markup`<text x="8" y="${y + 14}">${s}</text><rect x="90" y="${y}" width="${wd}" height="18" fill="${COLORS[s]}"/><text x="${96 + wd}" y="${y + 14}">${num(d[s])}</text><rect x="420" y="${y}" width="${wi}" height="18" fill="${COLORS[s]}" opacity="0.6"/><text x="${426 + wi}" y="${y + 14}">${num(i[s])}</text>`;
  });
  return markup`<svg role="img" aria-label="vulnerabilities by severity" width="${w}" height="${24 + SEVERITIES.length * rowH + 8}" viewBox="0 0 ${w} ${24 + SEVERITIES.length * rowH + 8}" font-size="12"><text x="90" y="14" font-weight="bold">distinct vulnerabilities</text><text x="420" y="14" font-weight="bold">instances (container × vulnerability)</text>${bars}</svg>`;
}

/** A line per severity (distinct vulnerabilities) over the trend's days. */
function trendChart(points: readonly TrendPoint[], field: 'distinct' | 'instances'): Markup {
  if (points.length === 0) return markup`<p class="none">No posture snapshots of this scope yet.</p>`;
  const w = 720;
  const h = 220;
  const left = 48;
  const bottom = 28;
  const top = 12;
  const max = Math.max(1, ...points.flatMap((p) => SEVERITIES.map((s) => p[field][s] ?? 0)));
  const x = (k: number) =>
    left + (points.length === 1 ? (w - left - 12) / 2 : (k * (w - left - 12)) / (points.length - 1));
  const y = (v: number) => top + (h - top - bottom) * (1 - v / max);
  const lines = SEVERITIES.map((s) => {
    const pts = points.map((p, k) => `${x(k).toFixed(1)},${y(p[field][s] ?? 0).toFixed(1)}`).join(' ');
    return markup`<polyline fill="none" stroke="${COLORS[s]}" stroke-width="2" points="${pts}"/>${points.length === 1 ? markup`<circle cx="${x(0)}" cy="${y(points[0]![field][s] ?? 0)}" r="3" fill="${COLORS[s]}"/>` : ''}`;
  });
  const first = points[0]!.at.slice(0, 10);
  const last = points.at(-1)!.at.slice(0, 10);
  return markup`<svg role="img" aria-label="${field === 'distinct' ? 'distinct vulnerabilities' : 'instances'} per day" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-size="11"><line x1="${left}" y1="${y(0)}" x2="${w - 12}" y2="${y(0)}" stroke="#999"/><line x1="${left}" y1="${top}" x2="${left}" y2="${y(0)}" stroke="#999"/><text x="4" y="${top + 8}">${num(max)}</text><text x="4" y="${y(0)}">0</text><text x="${left}" y="${h - 8}">${first}</text><text x="${w - 90}" y="${h - 8}">${last}</text>${lines}</svg><p class="legend">${SEVERITIES.map((s) => markup`<span><i style="background:${COLORS[s]}"></i>${s}</span>`)}</p>`;
}

function figuresCells(f: Record<string, number>): Markup {
  return markup`${SEVERITIES.map((s) => markup`<td class="num">${num(f[s] ?? 0)}</td>`)}<td class="num">${num(f.kev ?? 0)}</td><td class="num">${num(f.fixable ?? 0)}</td>`;
}

function changesSection(report: ScopeReport): Markup {
  const c = report.changes;
  if (!c) return markup``;
  const rows = ([...SEVERITIES, 'kev', 'fixable', 'total'] as const).map(
    (k) =>
      markup`<tr><th scope="row">${k}</th><td class="num">${num(c.distinctVulnerabilities[k].before)}</td><td class="num">${num(c.distinctVulnerabilities[k].after)}</td><td class="num">${signed(c.distinctVulnerabilities[k].delta)}</td><td class="num">${signed(c.instances[k].delta)}</td></tr>`,
  );
  const list = (ids: { count: number; ids: string[] }) =>
    ids.count
      ? markup`${ids.ids.map((id, k) => markup`${k ? ', ' : ''}<code>${id}</code>`)}${ids.count > ids.ids.length ? ` and ${num(ids.count - ids.ids.length)} more` : ''}`
      : markup`<span class="none">none</span>`;
  return markup`<h2>Since the previous report</h2><p class="meta">Compared with “${c.previous.name}” of ${c.previous.generatedAt}: running containers ${num(c.containers.before)} → ${num(c.containers.after)} (${signed(c.containers.delta)}).</p>
<table><thead><tr><th></th><th>vulnerabilities before</th><th>after</th><th>change</th><th>instances change</th></tr></thead><tbody>${rows}</tbody></table>
<p><b>New (${num(c.newVulnerabilities.count)}):</b> ${list(c.newVulnerabilities)}</p><p><b>Resolved (${num(c.resolvedVulnerabilities.count)}):</b> ${list(c.resolvedVulnerabilities)}</p>`;
}

export function renderScopeReportHtml(report: ScopeReport): string {
  const t = report.totals;
  const title = `Runsight posture report${report.name ? ` · ${report.name}` : ''}`;
  const scope = report.scope.length ? report.scope.join(', ') : 'whole fleet';
  const groupRows = report.groups.map(
    (g) =>
      markup`<tr><th scope="row">${g.key}</th><td class="num">${num(g.containers)}</td><td class="num">${num(g.unresolved + g.unscanned)}</td>${figuresCells(g.distinctVulnerabilities as unknown as Record<string, number>)}<td class="num">${num(g.instances.total)}</td><td>${g.stale.length ? markup`<span class="stale">${g.stale.join('; ')}</span>` : ''}</td></tr>`,
  );
  const priorities = report.priorities.map(
    (p) =>
      markup`<tr><td><code>${p.vulnerabilityId}</code></td><td>${p.severity.toLowerCase()}</td><td>${p.kev ? 'KEV' : ''}</td><td class="num">${p.epss === null ? '' : p.epss.toFixed(3)}</td><td>${p.fixable ? 'yes' : ''}</td><td class="num">${num(p.containers)}</td><td class="num">${num(p.images)}</td></tr>`,
  );
  const gaps = report.coverage.gaps.map(
    (g) =>
      markup`<tr><td>${g.reason}</td><td><code>${g.image}</code></td><td class="num">${num(g.containers)}</td><td>${g.scannedAt ?? 'never'}</td></tr>`,
  );
  const f = report.freshness;
  const fresh = [
    markup`<li>posture computed: ${f.posture.computedAt ?? 'never'}</li>`,
    ...f.advisories.map(
      (a) =>
        markup`<li${a.stale ? markup` class="stale"` : ''}>advisories ${a.name}: ${a.at ?? 'never'}</li>`,
    ),
    ...f.inventory.map(
      (s) => markup`<li${s.stale ? markup` class="stale"` : ''}>inventory ${s.name}: ${s.at ?? 'never'}</li>`,
    ),
    markup`<li${f.scans.oldestInUse.stale ? markup` class="stale"` : ''}>oldest scan in use: ${f.scans.oldestInUse.at ?? 'none'}</li>`,
  ];
  const head = markup`<tr><th>${report.by}</th><th>containers</th><th>gaps</th>${SEVERITIES.map((s) => markup`<th>${s}</th>`)}<th>KEV</th><th>fixable</th><th>instances</th><th>stale</th></tr>`;
  const body = markup`<main>
<h1>${title}</h1>
<p class="meta">Scope: <b>${scope}</b> · by ${report.by} · generated ${report.generatedAt}</p>
<div class="cards"><div class="card"><b>${num(t.containers)}</b><span>running containers</span></div><div class="card"><b>${num(t.distinctVulnerabilities.total)}</b><span>distinct vulnerabilities</span></div><div class="card"><b>${num(t.distinctVulnerabilities.critical)}</b><span>critical</span></div><div class="card"><b>${num(t.distinctVulnerabilities.kev)}</b><span>in CISA KEV</span></div><div class="card"><b>${num(t.distinctVulnerabilities.fixable)}</b><span>fixable</span></div><div class="card"><b>${num(t.instances.total)}</b><span>instances</span></div></div>
<h2>By severity</h2>${severityBars(report)}
<h2>Trend (${report.trend.days} days): ${report.trend.distinctExact ? 'distinct vulnerabilities' : `instances over ${report.trend.keys.length} ${report.trend.kind === 'cluster' ? 'clusters' : 'namespaces'}`} per day</h2>${trendChart(report.trend.points, report.trend.distinctExact ? 'distinct' : 'instances')}${report.trend.truncated ? markup`<p class="meta">The trend covers the first 100 namespaces of the scope.</p>` : ''}
${changesSection(report)}
<h2>By ${report.by}</h2>${report.groups.length ? markup`<table><thead>${head}</thead><tbody>${groupRows}</tbody></table>` : markup`<p class="none">No running containers in this scope.</p>`}
<h2>Top priorities</h2>${report.priorities.length ? markup`<table><thead><tr><th>vulnerability</th><th>severity</th><th>KEV</th><th>EPSS</th><th>fixable</th><th>containers</th><th>images</th></tr></thead><tbody>${priorities}</tbody></table>` : markup`<p class="none">None.</p>`}
<h2>Coverage gaps</h2>${gaps.length ? markup`<table><thead><tr><th>reason</th><th>image</th><th>containers</th><th>scanned</th></tr></thead><tbody>${gaps}</tbody></table>` : markup`<p class="none">None: every running image is resolved and scanned.</p>`}
<h2>Freshness</h2><ul>${fresh}</ul>
<p class="meta">${report.limits}</p>
</main>`;
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="generator" content="Runsight"><title>${escapeHtml(title)}</title><style>${CSS}</style></head><body>${body.text}</body></html>\n`;
}
