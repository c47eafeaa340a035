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

/** What a report covers: its cluster and namespace filters and the caller's access scope. */
export interface Within {
  cluster?: string | undefined;
  namespace?: string | undefined;
  scope?: AccessScope | undefined;
}

/**
 * The rows of `alias` (containers or posture_groups, both carry the columns) inside `within`. With
 * `keyed`, the cluster and namespace also match posture_groups' scope keys (k_cluster, k_namespace:
 * the same value for a non-null column), so its (k_cluster, k_namespace) index serves them.
 */
export function withinSql(within: Within, alias: string, keyed = false): RawBuilder<SqlBool> {
  const col = (c: string) => sql.ref(`${alias}.${c}`);
  const parts: RawBuilder<SqlBool>[] = [scopeSql(within.scope, alias)];
  if (within.cluster !== undefined) {
    parts.push(sql<SqlBool>`${col('cluster')} = ${within.cluster}`);
    if (keyed) parts.push(sql<SqlBool>`${col('k_cluster')} = ${within.cluster}`);
  }
  if (within.namespace !== undefined) {
    parts.push(sql<SqlBool>`${col('namespace')} = ${within.namespace}`);
    if (keyed && within.cluster !== undefined)
      parts.push(sql<SqlBool>`${col('k_namespace')} = ${`${within.cluster}/${within.namespace}`}`);
  }
  return sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
}
