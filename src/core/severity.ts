// Ranks on the one severity scale (types.ts: SEVERITY_BY_RANK), and the posture *cell* of a
// vulnerability: its rank, whether it is KEV-listed and whether a fix exists, packed into 0–19 so
// that any finding filter (--severity, --kev, --fixable) is a sum of cells. The store computes the
// same packing in SQL from these constants (docs/adr/0008-scope-posture.md).
import { SEVERITY_BY_RANK, type Severity } from './types.js';

const RANKS = new Map<Severity, number>(SEVERITY_BY_RANK.map((s, i) => [s, i]));

/** 0 unknown … 4 critical. */
export function severityRank(s: Severity): number {
  return RANKS.get(s) ?? 0;
}

/** The severity of a rank (out-of-range ranks are UNKNOWN). */
export function severityOfRank(rank: number): Severity {
  return SEVERITY_BY_RANK[rank] ?? 'UNKNOWN';
}

/** The higher of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

/** Cell = rank × CELL_RANK_STRIDE + (KEV ? CELL_KEV : 0) + (fixable ? CELL_FIXABLE : 0). */
export const CELL_RANK_STRIDE = 4;
export const CELL_KEV = 2;
export const CELL_FIXABLE = 1;
export const CELL_COUNT = SEVERITY_BY_RANK.length * CELL_RANK_STRIDE;

export function cellOf(rank: number, kev: boolean, fixable: boolean): number {
  return rank * CELL_RANK_STRIDE + (kev ? CELL_KEV : 0) + (fixable ? CELL_FIXABLE : 0);
}

export function cellRank(cell: number): number {
  return Math.floor(cell / CELL_RANK_STRIDE);
}

export function cellKev(cell: number): boolean {
  return (cell & CELL_KEV) !== 0;
}

export function cellFixable(cell: number): boolean {
  return (cell & CELL_FIXABLE) !== 0;
}

/** Two vulnerabilities' cells merged: the higher rank, KEV or fixable if either is. */
export function mergeCells(a: number, b: number): number {
  return cellOf(
    Math.max(cellRank(a), cellRank(b)),
    cellKev(a) || cellKev(b),
    cellFixable(a) || cellFixable(b),
  );
}
