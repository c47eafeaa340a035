// A JSON document (what the API returns for the same view) shown as nested, escaped HTML: objects
// as definition lists, arrays of objects as tables, other arrays as lists. Used for the parts of
// a view the detail pages do not lay out by hand, so nothing of the document is hidden.
import { type Html, html } from './html.js';

const MAX_ROWS = 200;

export function documentView(value: unknown, depth = 0): Html {
  if (value === null || value === undefined) return html`<span class="empty">—</span>`;
  if (typeof value !== 'object') return html`${String(value)}`;
  if (depth > 6) return html`<code>${JSON.stringify(value)}</code>`;
  if (Array.isArray(value)) {
    if (!value.length) return html`<span class="empty">none</span>`;
    const shown = value.slice(0, MAX_ROWS);
    const more =
      value.length > MAX_ROWS ? html`<p class="hint">${value.length - MAX_ROWS} more not shown.</p>` : '';
    if (shown.every((v) => v && typeof v === 'object' && !Array.isArray(v))) {
      const cols = [...new Set(shown.flatMap((v) => Object.keys(v as object)))];
      return html`<div class="scroll"><table><thead><tr>${cols.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead><tbody>${shown.map(
        (v) =>
          html`<tr>${cols.map((c) => html`<td>${documentView((v as Record<string, unknown>)[c], depth + 1)}</td>`)}</tr>`,
      )}</tbody></table></div>${more}`;
    }
    return html`<ul>${shown.map((v) => html`<li>${documentView(v, depth + 1)}</li>`)}</ul>${more}`;
  }
  return html`<dl>${Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => html`<dt>${k}</dt><dd>${documentView(v, depth + 1)}</dd>`,
  )}</dl>`;
}
