// The posture cell of an image_vulns row, in SQL: the packing of core/severity.ts (rank × 4 + KEV ×
// 2 + fixable), and a 20-element count per cell. Also the severity rank of a findings row.
import { sql } from 'kysely';
import { CELL_COUNT, CELL_FIXABLE, CELL_KEV, CELL_RANK_STRIDE } from '../../../core/severity.js';
import { SEVERITY_BY_RANK } from '../../../core/types.js';

/** SQL: a CELL_COUNT-element int array of `sum(value)` per cell, over rows with `cellExpr`. */
export function cellSumsSql(cellExpr: string, value: string): string {
  return `array[${Array.from({ length: CELL_COUNT }, (_, k) => `coalesce(sum(${value}) filter (where ${cellExpr} = ${k}), 0)`).join(', ')}]::int[]`;
}

/** SQL: the cell of an image_vulns row aliased `alias`. */
export function cellSql(alias: string): string {
  return `(${alias}.severity_rank * ${CELL_RANK_STRIDE} + (case when ${alias}.kev then ${CELL_KEV} else 0 end) + (case when ${alias}.fixable then ${CELL_FIXABLE} else 0 end))`;
}

/**
 * SQL: a CELL_COUNT-element int array counting *findings* over rows with a vulnerability cell
 * `cellExpr` and, per row, `fixable` findings with a fixed version and `unfixable` without: each
 * finding at its vulnerability's rank and KEV, with its own fixable bit.
 */
export function findingCellSumsSql(cellExpr: string, fixable: string, unfixable: string): string {
  const base = `(${cellExpr} - (${cellExpr} & ${CELL_FIXABLE}))`;
  return `array[${Array.from({ length: CELL_COUNT }, (_, k) =>
    k & CELL_FIXABLE
      ? `coalesce(sum(${fixable}) filter (where ${base} = ${k - CELL_FIXABLE}), 0)`
      : `coalesce(sum(${unfixable}) filter (where ${base} = ${k}), 0)`,
  ).join(', ')}]::int[]`;
}

/** SQL: the rank of a `severity` column on core's scale (0 unknown … 4 critical). */
export const SEVERITY_RANK_SQL = sql<number>`(case severity ${sql.raw(
  SEVERITY_BY_RANK.map((s, rank) => `when '${s}' then ${rank}`).join(' '),
)} else 0 end)`;

/** SQL: the severity of a rank expression. */
export function severityOfRankSql(rankExpr: string): string {
  return `(array[${SEVERITY_BY_RANK.map((s) => `'${s}'`).join(',')}])[${rankExpr} + 1]`;
}

/** A cell array as stored (int[]; numeric strings from some drivers) → CELL_COUNT numbers. */
export function toCells(v: unknown): number[] {
  const a = (v as (number | string)[] | null) ?? [];
  return Array.from({ length: CELL_COUNT }, (_, k) => Number(a[k] ?? 0));
}
