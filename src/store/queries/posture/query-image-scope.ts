// Whether a caller scoped by an access scope may see an image: some container inside the scope
// runs or ran one of its digests (the image itself, or a platform manifest of an index) — by its
// resolved digest, or by an exposure-ledger interval (it ran that digest before a redeploy).
import { type RawBuilder, type SqlBool, sql } from 'kysely';
import type { AccessScope } from '../../../core/access.js';
import type { Store } from '../../open-store.js';
import { scopeSql } from './scope-sql.js';

/** Whether the digest `digest` (a column or value) is run or was run by a container inside `scope`. */
export function imageSeenInScopeSql(
  digest: RawBuilder<unknown>,
  scope: AccessScope | undefined,
): RawBuilder<SqlBool> {
  return sql<SqlBool>`(exists (select 1 from containers c
        where c.image_digest = ${digest} and ${scopeSql(scope, 'c')})
      or exists (select 1 from exposures e join containers c on c.id = e.container_id
        where e.image_digest = ${digest} and ${scopeSql(scope, 'c')}))`;
}

export async function imageRunInScope(
  { db }: Pick<Store, 'db'>,
  digests: string[],
  scope: AccessScope | undefined,
): Promise<boolean> {
  if (!digests.length) return false;
  const r = await sql<{ seen: boolean }>`
    select exists (select 1 from containers c
        where c.image_digest = any(${digests}::text[]) and ${scopeSql(scope, 'c')})
      or exists (select 1 from exposures e join containers c on c.id = e.container_id
        where e.image_digest = any(${digests}::text[]) and ${scopeSql(scope, 'c')}) as seen`.execute(db);
  return Boolean(r.rows[0]?.seen);
}
