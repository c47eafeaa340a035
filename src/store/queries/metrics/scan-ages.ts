// Scan ages for GET /metrics: the oldest and newest scan in use per findings source — the images
// the running containers inside the caller's scope run (maintained posture_groups), by the source
// their roll-up (image_posture) was computed from. One row per source.
import { sql } from 'kysely';
import type { AccessScope } from '../../../core/access.js';
import type { Store } from '../../open-store.js';
import { scopeSql } from '../posture/scope-sql.js';

export interface ScanAgeRow {
  source: string;
  oldest: Date | null;
  newest: Date | null;
  images: number;
}

export async function queryScanAges(
  { db }: Pick<Store, 'db'>,
  scope?: AccessScope | undefined,
): Promise<ScanAgeRow[]> {
  const r = await sql<{ source: string; oldest: Date | null; newest: Date | null; images: number | string }>`
    select p.source, min(p.scanned_at) as oldest, max(p.scanned_at) as newest, count(*) as images
    from (select distinct g.image_digest from posture_groups g
          where g.image_digest is not null and ${scopeSql(scope, 'g')}) g
    join image_posture p on p.image_digest = g.image_digest
    group by p.source order by p.source`.execute(db);
  return r.rows.map((row) => ({ ...row, images: Number(row.images) }));
}
