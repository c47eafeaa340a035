// Scope keys whose posture may have moved since `since`: containers that appeared, disappeared or
// were re-resolved after it, the containers a pass re-resolved (`ids`), and containers running
// images whose roll-up was recomputed (`digests`). Index lookups (first_seen, removed_at,
// resolved_at, id, image_digest) answer every scope kind in one statement.
import { sql } from 'kysely';
import type { ScopeKind } from '../../../core/types.js';
import type { Store } from '../../open-store.js';
import { scopeKeySql } from './group-containers.js';

export async function queryTouchedScopes(
  { db }: Pick<Store, 'db'>,
  kinds: readonly ScopeKind[],
  since: Date,
  digests: string[],
  ids: string[] = [],
): Promise<Map<ScopeKind, Set<string>>> {
  const cols = kinds.map((k, i) => sql.raw(`${scopeKeySql(k)} as k${i}`));
  // An empty list is left out rather than matched: the planner serves an arm that can never match
  // with a scan of whichever partial index looks smallest, rows and all.
  const touched = [
    sql`c.first_seen > ${since}`,
    sql`c.removed_at > ${since}`,
    sql`c.resolved_at > ${since}`,
    ...(digests.length ? [sql`c.image_digest = any(${digests}::text[])`] : []),
    ...(ids.length ? [sql`c.id = any(${ids}::text[])`] : []),
  ];
  const r = await sql<Record<string, string>>`
    select distinct ${sql.join(cols)} from containers c
    where ${sql.join(touched, sql` or `)}`.execute(db);
  const out = new Map<ScopeKind, Set<string>>(kinds.map((k) => [k, new Set<string>()]));
  for (const row of r.rows) {
    for (const [i, k] of kinds.entries()) out.get(k)!.add(String(row[`k${i}`]));
  }
  return out;
}
