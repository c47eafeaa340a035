// The posture cell of an image_vulns row, in SQL: the packing of core/severity.ts (rank × 4 + KEV ×
// 2 + fixable), and a 20-element count per cell. Also the severity rank of a findings row.
import { sql } from 'kysely';
import { CELL_COUNT, CELL_FIXABLE, CELL_KEV, CELL_RANK_STRIDE } from '../../../core/severity.js';
import { SEVERITY_BY_RANK } from '../../../core/types.js';

/** SQL: a CELL_COUNT-element int array counting rows per cell, over rows with `cellExpr`. */
export function cellCountsSql(cellExpr: string): string {
  return `array[${Array.from({ length: CELL_COUNT }, (_, k) => `count(*) filter (where ${cellExpr} = ${k})`).join(', ')}]::int[]`;
}

/** SQL: the cell of an image_vulns row aliased `alias`. */
export function cellSql(alias: string): string {
  return `(${alias}.severity_rank * ${CELL_RANK_STRIDE} + (case when ${alias}.kev then ${CELL_KEV} else 0 end) + (case when ${alias}.fixable then ${CELL_FIXABLE} else 0 end))`;
}

/**
 * SQL: a CELL_COUNT-element int array counting the *findings* of image_vulns rows aliased `alias`:
 * each row's `packages` at the vulnerability's rank and KEV, split by their own fixable bit
 * (`fixable_packages` have a fixed version, the rest do not).
 */
export function findingCellSumsSql(alias: string): string {
  const base = `(${alias}.severity_rank * ${CELL_RANK_STRIDE} + (case when ${alias}.kev then ${CELL_KEV} else 0 end))`;
  const fixable = `coalesce(${alias}.fixable_packages, 0)`;
  return `array[${Array.from({ length: CELL_COUNT }, (_, k) =>
    k & CELL_FIXABLE
      ? `coalesce(sum(${fixable}) filter (where ${base} = ${k - CELL_FIXABLE}), 0)`
      : `coalesce(sum(${alias}.packages - ${fixable}) filter (where ${base} = ${k}), 0)`,
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
