// The access scope (src/core/access.ts) as a SQL condition over any row that carries a container's
// cluster, namespace, environment and owner columns (containers, posture_groups): one
// `col = any($1::text[])` per restricted kind, ANDed — the statement never grows with the scope's
// values, and a NULL column is outside any restriction of its kind (as `inScope` says).
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { AccessScope } from '../../../core/access.js';

const COLUMNS = [
  ['clusters', 'cluster'],
  ['namespaces', 'namespace'],
  ['environments', 'environment'],
  ['owners', 'owner'],
] as const;

/** The rows of `alias` inside `scope` (`true` when it restricts nothing). */
export function scopeSql(scope: AccessScope | undefined, alias: string): RawBuilder<SqlBool> {
  const parts: RawBuilder<SqlBool>[] = [];
  for (const [field, column] of COLUMNS) {
    const values = scope?.[field];
    if (values?.length)
      parts.push(sql<SqlBool>`${sql.ref(`${alias}.${column}`)} = any(${[...values]}::text[])`);
  }
  return parts.length ? sql<SqlBool>`(${sql.join(parts, sql` and `)})` : sql<SqlBool>`true`;
}

/** Whether the scope restricts anything (else reads may use fleet-wide maintained figures). */
export function scopeRestricts(scope: AccessScope | undefined): boolean {
  return COLUMNS.some(([field]) => (scope?.[field]?.length ?? 0) > 0);
}
