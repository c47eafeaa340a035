// How the dashboard shows the posture figures: severity counts, KEV and fixable, always labelled
// as distinct vulnerabilities or instances (docs/cli.md#counts-vulnerabilities-and-findings).
import type { Figures } from '../../propagation/index.js';
import { type Html, html } from './html.js';

export const FIGURE_COLUMNS = [
  'critical',
  'high',
  'medium',
  'low',
  'unknown',
  'kev',
  'fixable',
  'total',
] as const;

/** The cells of one Figures, in FIGURE_COLUMNS order. */
export function figureCells(f: Figures): Html {
  return html`${FIGURE_COLUMNS.map((k) => html`<td class="num" data-figure="${k}">${f[k]}</td>`)}`;
}

/** A row of cards: one per severity plus KEV and fixable, with a label saying what is counted. */
export function figureCards(label: string, id: string, f: Figures): Html {
  return html`<h2 id="${id}-h">${label}</h2><div class="cards" aria-labelledby="${id}-h" data-figures="${id}">${FIGURE_COLUMNS.map(
    (k) =>
      html`<div class="card"><span class="n" data-figure="${k}">${f[k]}</span><span class="l">${k}</span></div>`,
  )}</div>`;
}
