// Scope keys whose posture may have moved since `since`: containers that appeared, disappeared or
// were re-resolved after it, and containers running images whose roll-up was recomputed. One scan
// of the containers table answers every scope kind.
import { sql } from 'kysely';
import type { ScopeKind } from '../../../core/types.js';
import type { Store } from '../../open-store.js';
import { scopeKeySql } from './group-containers.js';

export async function queryTouchedScopes(
  { db }: Pick<Store, 'db'>,
  kinds: readonly ScopeKind[],
  since: Date,
  digests: string[],
): Promise<Map<ScopeKind, Set<string>>> {
  const cols = kinds.map((k, i) => sql.raw(`${scopeKeySql(k)} as k${i}`));
  const r = await sql<Record<string, string>>`
    select distinct ${sql.join(cols)} from containers c
    where c.first_seen > ${since} or c.removed_at > ${since} or c.resolved_at > ${since}
       or c.image_digest = any(${digests}::text[])`.execute(db);
  const out = new Map<ScopeKind, Set<string>>(kinds.map((k) => [k, new Set<string>()]));
  for (const row of r.rows) {
    for (const [i, k] of kinds.entries()) out.get(k)!.add(String(row[`k${i}`]));
  }
  return out;
}
