// The default order of posture roll-ups, worst first: one weight per scope from its counts — KEV ×
// 10¹², critical × 10⁹, high × 10⁶, medium × 10³, low — then the scope key (code-unit order, as the
// store's `collate "C"`). The store keeps the unfiltered instance weight (scope_posture.sort_weight,
// migration 28) and computes a filtered one in SQL from the same constants, in the same order of
// double-precision operations, so a page read in SQL is ordered exactly as this function orders a
// computed list (docs/adr/0024-posture-sort-key-and-paging.md).
import { CELL_COUNT, cellKev, cellRank } from './severity.js';

/** Weight of one count of each rank (0 unknown … 4 critical); unknown adds nothing but its KEV. */
export const WEIGHT_BY_RANK: readonly number[] = [0, 1, 1e3, 1e6, 1e9];
export const WEIGHT_KEV = 1e12;

export interface WeightCounts {
  kev: number;
  critical: number;
  high: number;
  medium: number;
  low: number;
}

/** The weight of a scope's counts (the operations in this order: the SQL repeats them). */
export function postureWeight(f: WeightCounts): number {
  return (
    f.kev * WEIGHT_KEV +
    f.critical * WEIGHT_BY_RANK[4]! +
    f.high * WEIGHT_BY_RANK[3]! +
    f.medium * WEIGHT_BY_RANK[2]! +
    f.low * WEIGHT_BY_RANK[1]!
  );
}

/** The weight of a cell array, counting only the cells `counted` keeps (all of them when omitted). */
export function cellsWeight(
  cells: readonly number[] | null | undefined,
  counted: (cell: number) => boolean = () => true,
): number {
  const byRank = [0, 0, 0, 0, 0];
  let kev = 0;
  for (let c = 0; c < CELL_COUNT; c++) {
    const n = Number(cells?.[c] ?? 0);
    if (!n || !counted(c)) continue;
    byRank[cellRank(c)]! += n;
    if (cellKev(c)) kev += n;
  }
  return postureWeight({
    kev,
    critical: byRank[4]!,
    high: byRank[3]!,
    medium: byRank[2]!,
    low: byRank[1]!,
  });
}

/** Code-unit order of two keys (what `collate "C"` gives for keys without astral characters). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
