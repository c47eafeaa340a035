// Coverage gaps: what runs but carries no posture. Containers that did not resolve to a digest;
// digests in use with no scan from any source; digests whose scan is older than the scan SLA.
// Each gap names a reference a scanner can pull (`registry/repo@digest`, else the image as written).
// Every section here reads the maintained running-container groups (posture_groups, migration 12;
// as current as the last posture maintenance, like every view), never the containers table, and
// counts only the groups inside `within`: the report's cluster and namespace and the caller's access
// scope (left out: the whole fleet).
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';
import { withWorkMem } from '../../work-mem.js';
import { type Within, withinSql } from './scope-sql.js';

export interface CoverageGapRow {
  reason: 'unresolved' | 'never-scanned' | 'stale';
  imageDigest: string | null;
  /** The image as the containers wrote it (one example). */
  image: string;
  /** A repository where this digest was seen (image_names), when known. */
  repository: string | null;
  containers: number;
  scannedAt: Date | null;
}

export async function queryCoverageGaps(
  { db }: Pick<Store, 'db'>,
  staleBefore: Date | null,
  within: Within = {},
): Promise<CoverageGapRow[]> {
  const r = await withWorkMem(db, (tx) =>
    sql<Record<string, unknown>>`
    with used as (
      select g.image_digest, min(g.image) as image, sum(g.containers) as n
      from posture_groups g where ${withinSql(within, 'g', true)} group by g.image_digest, case when g.image_digest is null then g.image end
    )
    select case when u.image_digest is null then 'unresolved'
                when p.image_digest is null then 'never-scanned' else 'stale' end as reason,
      u.image_digest, u.image, u.n,
      p.scanned_at,
      (select n.registry || '/' || n.repository from image_names n where n.digest = u.image_digest order by n.last_seen desc limit 1) as repository
    from used u left join image_posture p on p.image_digest = u.image_digest
    where u.image_digest is null or p.image_digest is null
       or (${staleBefore}::timestamptz is not null and p.scanned_at < ${staleBefore}::timestamptz)
    order by 1, u.n desc, u.image`.execute(tx),
  );
  return r.rows.map((row) => ({
    reason: row.reason as CoverageGapRow['reason'],
    imageDigest: (row.image_digest as string | null) ?? null,
    image: String(row.image),
    repository: (row.repository as string | null) ?? null,
    containers: Number(row.n),
    scannedAt: (row.scanned_at as Date | null) ?? null,
  }));
}

/** Containers per match method and confidence (how much of the fleet resolves exactly). */
export async function queryMatchSummary(
  { db }: Pick<Store, 'db'>,
  within: Within = {},
): Promise<{ matchMethod: string; confidence: string; containers: number }[]> {
  const r = await sql<{ match_method: string; confidence: string; n: number }>`
    select g.match_method, g.confidence, sum(g.containers) as n from posture_groups g
    where ${withinSql(within, 'g', true)}
    group by g.match_method, g.confidence order by g.match_method, g.confidence`.execute(db);
  return r.rows.map((r) => ({
    matchMethod: r.match_method,
    confidence: r.confidence,
    containers: Number(r.n),
  }));
}

/**
 * Tag drift across running containers (inside `within`): one image reference running as several
 * images. Platform manifests of one index count as one image (an arm64 and an amd64 node of the
 * same tag are not drift).
 */
export async function queryTagDrift(
  { db }: Pick<Store, 'db'>,
  within: Within = {},
): Promise<{ image: string; digests: string[]; containers: number }[]> {
  // Grouped by (image, digest) first: the index family is looked up once per digest of a reference
  // running as several digests, not per container nor per group.
  const r = await withWorkMem(db, (tx) =>
    sql<{ image: string; digests: string[]; n: number }>`
    -- Only a reference running as more than one digest can drift: one pass finds those (a hash
    -- aggregate, no sort of every group), then their groups alone are summed and their families read.
    with several as (
      select g.image from posture_groups g
      where g.image_digest is not null and position('@' in g.image) = 0 and ${withinSql(within, 'g', true)}
      group by g.image having min(g.image_digest) <> max(g.image_digest)
    ),
    running as (
      select g.image, g.image_digest, sum(g.containers) as n from posture_groups g
      where g.image_digest is not null and ${withinSql(within, 'g', true)} and g.image in (select s.image from several s)
      group by g.image, g.image_digest
    ),
    fam as (
      select r.image, r.image_digest, r.n,
        coalesce((select min(ic.index_digest) from image_children ic where ic.child_digest = r.image_digest), r.image_digest) as family
      from running r
    )
    select image, array_agg(image_digest order by image_digest) as digests, sum(n) as n
    from fam group by image having count(distinct family) > 1
    order by image`.execute(tx),
  );
  return r.rows.map((x) => ({ image: x.image, digests: x.digests, containers: Number(x.n) }));
}
