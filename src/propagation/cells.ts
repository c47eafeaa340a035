// A roll-up's figures as *cells*: counts per (severity rank, KEV, fixable) — 20 of them (the packing
// is core/severity.ts) — so any finding filter (--severity, --kev, --fixable) is a sum of cells and
// one stored roll-up per scope serves every filter (docs/adr/0008-scope-posture.md).
import { CELL_COUNT, cellFixable, cellKev, cellRank } from '../core/severity.js';
import { SEVERITY_BY_RANK } from '../core/types.js';

export interface FindingFilter {
  /** Only vulnerabilities at or above this rank (4 critical … 0 unknown). */
  minSeverityRank?: number | undefined;
  kev?: boolean | undefined;
  fixable?: boolean | undefined;
}

export interface Figures {
  critical: number;
  high: number;
  medium: number;
  low: number;
  unknown: number;
  kev: number;
  fixable: number;
  total: number;
}

/** The severity fields of Figures, most severe first. */
export type FigureSeverity = 'critical' | 'high' | 'medium' | 'low' | 'unknown';
const FIGURE_BY_RANK = SEVERITY_BY_RANK.map((s) => s.toLowerCase() as FigureSeverity);
export const FIGURE_SEVERITIES: readonly FigureSeverity[] = [...FIGURE_BY_RANK].reverse();

export function zeroFigures(): Figures {
  return { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, kev: 0, fixable: 0, total: 0 };
}

export function zeroCells(): number[] {
  return new Array(CELL_COUNT).fill(0);
}

/** Whether a finding filter keeps the vulnerabilities of a cell. */
export function passes(cell: number, f: FindingFilter): boolean {
  if (f.minSeverityRank !== undefined && cellRank(cell) < f.minSeverityRank) return false;
  return !((f.kev && !cellKev(cell)) || (f.fixable && !cellFixable(cell)));
}

/** The figures a finding filter keeps from a cell array. */
export function figuresFromCells(cells: readonly number[] | null, f: FindingFilter = {}): Figures {
  const out = zeroFigures();
  if (!cells) return out;
  for (let c = 0; c < CELL_COUNT; c++) {
    const n = cells[c] ?? 0;
    if (!n || !passes(c, f)) continue;
    out[FIGURE_BY_RANK[cellRank(c)]!] += n;
    if (cellKev(c)) out.kev += n;
    if (cellFixable(c)) out.fixable += n;
    out.total += n;
  }
  return out;
}

/** Lexicographic by severity, most severe first: whether `a` is better (fewer) than `b`. */
export function fewerBySeverity(
  a: Partial<Record<FigureSeverity, number>>,
  b: Partial<Record<FigureSeverity, number>>,
): boolean {
  for (const s of FIGURE_SEVERITIES) {
    if ((a[s] ?? 0) !== (b[s] ?? 0)) return (a[s] ?? 0) < (b[s] ?? 0);
  }
  return false;
}
