// What the prioritised vulnerability list is built from (src/propagation/priorities.ts): running
// containers per digest, EPSS and ids by vulnerability number, and exposure time per image
// (container-seconds from the exposure ledger, so short-lived containers count; image_exposure).
import { sql } from 'kysely';
import type { AccessScope } from '../../../core/access.js';
import type { Store } from '../../open-store.js';
import { containerWhere, type PostureFilter } from './group-containers.js';
import { decodeVulns } from './image-rollups.js';
import { scopeRestricts, scopeSql } from './scope-sql.js';

/**
 * Running containers per resolved digest over the containers `filter` keeps, with the image's
 * vulnerability list (image_posture.vulns, decoded): from the maintained groups (posture_groups)
 * when the filter is at most a cluster, namespace and access scope, else from containers. Digests
 * with no posture are left out. One statement: each digest's list is read by its key as the row
 * is made (`offset 0` keeps the lookup per row: as a join the planner may hash all of
 * image_posture, ~1 KB a row), where reading the lists after by a digest array passed the array
 * twice and cost a second round trip.
 */
export async function queryRunningVulnLists(
  { db }: Pick<Store, 'db'>,
  filter: PostureFilter = {},
): Promise<{ digest: string; containers: number; vulns: Int32Array }[]> {
  const other = Object.entries(filter).some(
    ([k, v]) => v !== undefined && k !== 'cluster' && k !== 'namespace' && k !== 'scope',
  );
  const running = other
    ? sql`select c.image_digest, count(*) as n from containers c
        where ${containerWhere(filter)} and c.image_digest is not null group by c.image_digest`
    : sql`select g.image_digest, sum(g.containers) as n from posture_groups g
        where g.image_digest is not null and ${scopeSql(filter.scope, 'g')}
          ${filter.cluster !== undefined ? sql`and g.cluster = ${filter.cluster}` : sql``}
          ${filter.namespace !== undefined ? sql`and g.namespace = ${filter.namespace}` : sql``}
        group by g.image_digest`;
  const r = await sql<{ image_digest: string; n: number; vulns: Uint8Array | null }>`
    with r as (${running})
    select r.image_digest, r.n, p.vulns from r
    cross join lateral (select p.vulns from image_posture p where p.image_digest = r.image_digest offset 0) p`.execute(
    db,
  );
  return r.rows.map((x) => ({
    digest: x.image_digest,
    containers: Number(x.n),
    vulns: decodeVulns(x.vulns),
  }));
}

/** EPSS scores by vulnerability number (numbers without a score are absent). */
export async function queryEpssByNumber(
  { db }: Pick<Store, 'db'>,
  nums: number[],
): Promise<Map<number, number>> {
  if (!nums.length) return new Map();
  const r = await sql<{ num: number; score: number }>`
    select n.num, e.score from vulnerability_numbers n join epss e on e.cve_id = n.id
    where n.num = any(${nums}::int[])`.execute(db);
  return new Map(r.rows.map((x) => [Number(x.num), Number(x.score)]));
}

/** Vulnerability ids by number. */
export async function queryVulnerabilityIds(
  { db }: Pick<Store, 'db'>,
  nums: number[],
): Promise<Map<number, string>> {
  if (!nums.length) return new Map();
  const r = await sql<{ num: number; id: string }>`
    select num, id from vulnerability_numbers where num = any(${nums}::int[])`.execute(db);
  return new Map(r.rows.map((x) => [Number(x.num), x.id]));
}

/**
 * Container-seconds per image, from the exposure ledger: each interval counts to its own digest,
 * closed ones to closed_at, open ones to now, from whole seconds (so short-lived containers count). Without an access
 * scope, from image_exposure (migration 34: kept by triggers on exposures, one row per digest);
 * within one, summed at read time over the intervals of the containers inside it.
 */
export async function queryExposureByImage(
  { db }: Pick<Store, 'db'>,
  digests: string[],
  scope?: AccessScope | undefined,
): Promise<Map<string, number>> {
  if (!digests.length) return new Map();
  const r = scopeRestricts(scope)
    ? await sql<{ image_digest: string; secs: string }>`
        select e.image_digest,
          sum(coalesce(floor(date_part('epoch', e.closed_at)), date_part('epoch', now())) - floor(date_part('epoch', e.first_seen))) as secs
        from exposures e join containers c on c.id = e.container_id
        where e.image_digest = any(${digests}::text[]) and ${scopeSql(scope, 'c')}
        group by e.image_digest`.execute(db)
    : await sql<{ image_digest: string; secs: string }>`
        select image_digest, closed_seconds + open_count * date_part('epoch', now()) - open_first_seen_sum as secs
        from image_exposure where image_digest = any(${digests}::text[])`.execute(db);
  return new Map(r.rows.map((x) => [x.image_digest, Number(x.secs)]));
}
