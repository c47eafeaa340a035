// A roll-up's figures as *cells*: counts per (severity rank, KEV, fixable) — 20 of them (the packing
// is core/severity.ts) — so any finding filter (--severity, --kev, --fixable) is a sum of cells and
// one stored roll-up per scope serves every filter (docs/adr/0008-scope-posture.md).
// Also the one rule for the two figures every command shows (docs/cli.md#counts-vulnerabilities-and-findings):
// `vulnerabilities` (distinct ids) and `findings` (vulnerability × package rows) — the roll-ups
// keep them as cells, and `countFindings` applies the same rule to a list of finding rows.
import { CELL_COUNT, cellFixable, cellKev, cellOf, cellRank, severityRank } from '../core/severity.js';
import { type FindingStatus, SEVERITY_BY_RANK, type Severity } from '../core/types.js';

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

/** The two figures of an image (or a scope), with the same names in every command's output. */
export interface CountSummary {
  /** Distinct vulnerability ids, each at the highest severity among the packages it hits. */
  vulnerabilities: Figures;
  /** Vulnerability × package rows, each at its vulnerability's severity; fixable when its own package has a fix. */
  findings: Figures;
}

/** The statuses posture counts: `unknown` (a version that could not be compared) is shown, never hidden. */
export const COUNTED_STATUSES: readonly FindingStatus[] = ['affected', 'unknown'];

/** Both figures from cell arrays (vulnerability cells, finding cells), a finding filter applied. */
export function summaryFromCells(
  cells: readonly number[] | null,
  findingCells: readonly number[] | null,
  f: FindingFilter = {},
): CountSummary {
  return { vulnerabilities: figuresFromCells(cells, f), findings: figuresFromCells(findingCells, f) };
}

/**
 * Both figures of one image's finding rows (a scan, or one source of `image show`), by the rule
 * the per-image roll-ups apply in SQL: only counted statuses; a vulnerability at the highest
 * severity among its rows, KEV or fixable if any row is; each row at its vulnerability's severity
 * and KEV, fixable when it has a fixed version.
 */
export function countFindings(
  rows: readonly {
    id: string;
    severity: Severity;
    kev: boolean;
    fixedVersion?: string | null | undefined;
    status: FindingStatus;
  }[],
): CountSummary {
  const counted = rows.filter((r) => COUNTED_STATUSES.includes(r.status));
  const byId = new Map<string, { rank: number; kev: boolean; fixable: boolean }>();
  for (const r of counted) {
    const v = byId.get(r.id) ?? { rank: 0, kev: false, fixable: false };
    v.rank = Math.max(v.rank, severityRank(r.severity));
    v.kev ||= r.kev;
    v.fixable ||= Boolean(r.fixedVersion);
    byId.set(r.id, v);
  }
  const cells = zeroCells();
  for (const v of byId.values()) cells[cellOf(v.rank, v.kev, v.fixable)]!++;
  const findingCells = zeroCells();
  for (const r of counted) {
    const v = byId.get(r.id)!;
    findingCells[cellOf(v.rank, v.kev, Boolean(r.fixedVersion))]!++;
  }
  return summaryFromCells(cells, findingCells);
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
