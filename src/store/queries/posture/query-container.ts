// One container with its resolution, its image's roll-up, and its exposure intervals.
import { sql } from 'kysely';
import type { AccessScope } from '../../../core/access.js';
import type { Store } from '../../open-store.js';
import { containerLastSeen, exposureLastSeen } from '../inventory/last-seen.js';
import { toCells } from './cells-sql.js';
import { scopeSql } from './scope-sql.js';

/** The container `id` (undefined when unknown or outside `scope`). */
export async function queryContainer({ db }: Pick<Store, 'db'>, id: string, scope?: AccessScope | undefined) {
  const c = await db
    .selectFrom('containers as c')
    .innerJoin('inventory_sources as s', 's.id', 'c.source_id')
    .leftJoin('image_posture as p', 'p.image_digest', 'c.image_digest')
    .selectAll('c')
    .select([
      's.name as source_name',
      's.kind as source_kind',
      containerLastSeen('c').as('last_seen_effective'),
      'p.counts',
      'p.kev as kev_count',
      'p.fixable as fixable_count',
      'p.distinct_vulns',
      'p.cells',
      'p.finding_cells',
      'p.scanned_at',
      'p.source as findings_source',
    ])
    .where('c.id', '=', id)
    .where(scopeSql(scope, 'c'))
    .executeTakeFirst();
  if (!c) return undefined;
  const exposures = await db
    .selectFrom('exposures')
    .select(['image_digest', 'first_seen', exposureLastSeen('exposures').as('last_seen'), 'closed_at'])
    .where('container_id', '=', id)
    .orderBy('first_seen')
    .execute();
  return {
    ...c,
    cells: c.cells ? toCells(c.cells) : null,
    finding_cells: c.finding_cells ? toCells(c.finding_cells) : null,
    exposures,
  };
}

/** Container ids (inside `scope`) matching a prefix or pod/container name (for `container show` convenience). */
export async function findContainerIds(
  { db }: Pick<Store, 'db'>,
  text: string,
  scope?: AccessScope | undefined,
): Promise<string[]> {
  const r = await sql<{ id: string }>`select id from containers c
    where (id = ${text} or id like ${`${text.replace(/[%_\\]/g, '\\$&')}%`} or (pod || '/' || container_name) = ${text})
      and ${scopeSql(scope, 'c')}
    order by removed_at desc nulls first, id limit 20`.execute(db);
  return r.rows.map((x) => x.id);
}

/** Per-image cells (vulnerabilities and findings) from image_posture for some digests. */
export async function queryImageCells(
  { db }: Pick<Store, 'db'>,
  digests: string[],
): Promise<Map<string, { source: string; cells: number[]; findingCells: number[] }>> {
  if (!digests.length) return new Map();
  const rows = await db
    .selectFrom('image_posture')
    .select(['image_digest', 'source', 'cells', 'finding_cells'])
    .where('image_digest', '=', sql<string>`any(${digests}::text[])`)
    .execute();
  return new Map(
    rows.map((r) => [
      r.image_digest,
      { source: r.source, cells: toCells(r.cells), findingCells: toCells(r.finding_cells) },
    ]),
  );
}

/** Per-image severity counts from image_posture for some digests. */
export async function queryImageCounts(
  { db }: Pick<Store, 'db'>,
  digests: string[],
): Promise<Map<string, Record<string, number>>> {
  if (!digests.length) return new Map();
  const rows = await db
    .selectFrom('image_posture')
    .select(['image_digest', 'counts'])
    .where('image_digest', '=', sql<string>`any(${digests}::text[])`)
    .execute();
  return new Map(rows.map((r) => [r.image_digest, r.counts as Record<string, number>]));
}
