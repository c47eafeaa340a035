// Scope keys whose posture may have moved since `since`: containers that appeared, disappeared or
// were re-resolved after it, and containers running images whose roll-up was recomputed.
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../schema.js';
import { type ScopeKind, scopeKeySql } from './query-rollup.js';

export async function queryTouchedScopes(
  db: Kysely<Database>,
  kind: ScopeKind,
  since: Date,
  digests: string[],
): Promise<string[]> {
  const r = await sql<{ key: string }>`
    select distinct ${sql.raw(scopeKeySql(kind))} as key from containers c
    where c.first_seen > ${since} or c.removed_at > ${since} or c.resolved_at > ${since}
       or c.image_digest = any(${digests}::text[])`.execute(db);
  return r.rows.map((x) => x.key);
}
