// Cells: a roll-up's figures as counts per (severity rank, KEV, fixable) — 20 of them — so any
// finding filter (--severity, --kev, --fixable) is a sum of cells and one stored roll-up per scope
// serves every filter (docs/adr/0008-scope-posture.md).

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

/** Cells per scope: index = severity rank × 4 + KEV × 2 + fixable (0–19). */
export const CELL_COUNT = 20;

/** SQL: a 20-element int array counting rows per cell, over rows with `cellExpr`. */
export function cellCountsSql(cellExpr: string): string {
  return `array[${Array.from({ length: CELL_COUNT }, (_, k) => `count(*) filter (where ${cellExpr} = ${k})`).join(', ')}]::int[]`;
}

/** SQL: the cell of an image_vulns row aliased `alias`. */
export function cellSql(alias: string): string {
  return `(${alias}.severity_rank * 4 + (case when ${alias}.kev then 2 else 0 end) + (case when ${alias}.fixable then 1 else 0 end))`;
}

const RANK_NAMES = ['unknown', 'low', 'medium', 'high', 'critical'] as const;

export function zeroFigures(): Figures {
  return { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, kev: 0, fixable: 0, total: 0 };
}

/** Whether a finding filter keeps the vulnerabilities of a cell. */
export function passes(cell: number, f: FindingFilter): boolean {
  if (f.minSeverityRank !== undefined && cell >> 2 < f.minSeverityRank) return false;
  return !((f.kev && !(cell & 2)) || (f.fixable && !(cell & 1)));
}

/** The figures a finding filter keeps from a cell array. */
export function figuresFromCells(cells: readonly (number | string)[] | null, f: FindingFilter = {}): Figures {
  const out = zeroFigures();
  if (!cells) return out;
  for (let c = 0; c < CELL_COUNT; c++) {
    const n = Number(cells[c] ?? 0);
    if (!n) continue;
    const rank = c >> 2;
    const kev = (c & 2) !== 0;
    const fixable = (c & 1) !== 0;
    if (!passes(c, f)) continue;
    out[RANK_NAMES[rank]!] += n;
    if (kev) out.kev += n;
    if (fixable) out.fixable += n;
    out.total += n;
  }
  return out;
}

export function toCells(v: unknown): number[] {
  const a = (v as (number | string)[] | null) ?? [];
  return Array.from({ length: CELL_COUNT }, (_, k) => Number(a[k] ?? 0));
}
