// Fleet reach per vulnerability (vuln_reach, migration 35; docs/adr/0026 part 2): per vulnerability
// number and per cell, how many running images carry it in that cell and how many containers run
// them. At all times it is Σ over the running digests of posture_groups of their image_vulns rows
// (a digest's rows: those of its posture scan, image_posture.scan_id):
// every writer of either table moves it in the same transaction —
//   - a digest's running containers going n0 → n1 (refreshPostureGroups): each row of its list
//     moves by n1 − n0 containers, and by ±1 image when it starts or stops running;
//   - a running image's list replaced (refreshImagePosture of some digests): the old list is
//     subtracted before the delete and the new one added after the insert;
//   - a full pass (rebuildPostureGroups, a full refreshImagePosture): rebuilt from scratch.
// Counts per cell keep removal exact; a finding filter (which acts per cell) sums the cells it keeps.
// The unscoped prioritised list reads it instead of merging every running image's list.
import { type Kysely, sql } from 'kysely';
import { CELL_COUNT, CELL_FIXABLE, CELL_KEV, CELL_RANK_STRIDE } from '../../../core/severity.js';
import type { Store } from '../../open-store.js';
import type { Database } from '../../schema.js';
import { cellSql } from './cells-sql.js';

const CELLS = Array.from({ length: CELL_COUNT }, (_, c) => c);

/**
 * SQL: per-cell arrays (images int[], containers bigint[]) from rows `e(num, c, imgs, cont)`, one per
 * (num, c): each number's rows gathered into three arrays, then the dense arrays read from them by
 * position — a few aggregates per row instead of one filtered sum per cell and figure.
 */
const CELL_ARRAYS = `select num,
    array[${CELLS.map((c) => `coalesce(imgs[array_position(cs, ${c})], 0)`).join(', ')}]::int[] as images_by_cell,
    array[${CELLS.map((c) => `coalesce(cont[array_position(cs, ${c})], 0)`).join(', ')}]::bigint[] as containers_by_cell
  from (select num, array_agg(c) as cs, array_agg(imgs) as imgs, array_agg(cont) as cont from e group by num) p`;

/** SQL: the upsert of rows `(num, images_by_cell, containers_by_cell)` adding to what is stored. */
const ADD_ON_CONFLICT = `on conflict (num) do update set
  images_by_cell = array[${CELLS.map((c) => `vuln_reach.images_by_cell[${c + 1}] + excluded.images_by_cell[${c + 1}]`).join(', ')}]::int[],
  containers_by_cell = array[${CELLS.map((c) => `vuln_reach.containers_by_cell[${c + 1}] + excluded.containers_by_cell[${c + 1}]`).join(', ')}]::bigint[]`;

/**
 * Rebuilds vuln_reach from posture_groups and image_vulns (a full pass; also migration 35's
 * backfill). `truncate` where the transaction already holds the posture tables exclusively (a
 * full refreshImagePosture truncates image_vulns): no dead rows left behind — with autovacuum
 * slow or off a full recompute would otherwise add ~20 MB of them at 30k vulnerabilities, every
 * time. Else `delete`, so readers keep reading the table until the transaction commits.
 */
export async function rebuildVulnReach(
  db: Kysely<Database>,
  empty: 'delete' | 'truncate' = 'delete',
): Promise<void> {
  await (empty === 'truncate' ? sql`truncate vuln_reach` : sql`delete from vuln_reach`).execute(db);
  await sql`insert into vuln_reach (num, images_by_cell, containers_by_cell)
    with run as (
      select image_digest, sum(containers)::bigint as n from posture_groups
      where image_digest is not null group by image_digest
    ),
    e as (
      select iv.num, ${sql.raw(cellSql('iv'))} as c, count(*) as imgs, sum(run.n) as cont
      from run join image_posture p on p.image_digest = run.image_digest
      join image_vulns iv on iv.scan_id = p.scan_id
      group by 1, 2
    )
    ${sql.raw(CELL_ARRAYS)}`.execute(db);
}

/**
 * Adds (sign 1) or subtracts (sign −1) the lists of these digests at their running containers:
 * around a replacement of their image_vulns rows, in the same transaction.
 */
export async function addVulnReach(db: Kysely<Database>, digests: string[], sign: 1 | -1): Promise<void> {
  if (!digests.length) return;
  await sql`insert into vuln_reach (num, images_by_cell, containers_by_cell)
    with run as (
      select image_digest, sum(containers)::bigint as n from posture_groups
      where image_digest = any(${digests}::text[]) group by image_digest
    ),
    e as (
      select iv.num, ${sql.raw(cellSql('iv'))} as c, count(*) * ${sign}::int as imgs, sum(run.n) * ${sign}::int as cont
      from run join image_posture p on p.image_digest = run.image_digest
      join image_vulns iv on iv.scan_id = p.scan_id
      group by 1, 2
    )
    ${sql.raw(CELL_ARRAYS)}
    ${sql.raw(ADD_ON_CONFLICT)}`.execute(db);
}

/**
 * Moves vuln_reach by a change of running containers per digest (`moves`: digest → n1 − n0), after
 * posture_groups holds n1: containers by the difference, images by ±1 where a digest starts or
 * stops running.
 */
export async function shiftVulnReach(db: Kysely<Database>, moves: Map<string, number>): Promise<void> {
  const changed = [...moves].filter(([, d]) => d !== 0);
  if (!changed.length) return;
  await sql`insert into vuln_reach (num, images_by_cell, containers_by_cell)
    with m as (
      select * from unnest(${changed.map(([d]) => d)}::text[], ${changed.map(([, n]) => n)}::bigint[]) as t(image_digest, d)
    ),
    r as materialized (
      select m.image_digest, m.d, coalesce(sum(g.containers), 0) as n1
      from m left join posture_groups g on g.image_digest = m.image_digest group by m.image_digest, m.d
    ),
    e as (
      select iv.num, ${sql.raw(cellSql('iv'))} as c,
        sum((case when r.n1 > 0 then 1 else 0 end) - (case when r.n1 - r.d > 0 then 1 else 0 end)) as imgs,
        sum(r.d) as cont
      from r join image_posture p on p.image_digest = r.image_digest
      join image_vulns iv on iv.scan_id = p.scan_id
      group by 1, 2
    )
    ${sql.raw(CELL_ARRAYS)}
    ${sql.raw(ADD_ON_CONFLICT)}`.execute(db);
}

/** A vulnerability's fleet reach over the cells a finding filter keeps. */
export interface VulnReach {
  num: number;
  /** The merged cell: highest rank, KEV or fixable in any kept cell that runs. */
  cell: number;
  containers: number;
  images: number;
  epss: number | null;
}

/**
 * The vulnerabilities that open the prioritised list — ordered by KEV, EPSS, rank, fix available,
 * containers, over the kept cells — the first `limit` and whatever ties the last (exposure and id
 * order those in src/propagation/priorities.ts), with their reach and EPSS score. One sort of
 * ~30k rows; with every cell kept it reads the stored figures (generated columns), else sums the
 * kept cells of each row.
 */
export async function readVulnReach(
  { db }: Pick<Store, 'db'>,
  kept: number[],
  limit: number,
): Promise<VulnReach[]> {
  if (!kept.length || limit <= 0) return [];
  const runs = (c: number) => `images_by_cell[${c + 1}] > 0`;
  const anyOf = (cs: number[]) => (cs.length ? `(${cs.map(runs).join(' or ')})` : 'false');
  const rank = `greatest(${kept.map((c) => `case when ${runs(c)} then ${Math.floor(c / CELL_RANK_STRIDE)} else -1 end`).join(', ')})`;
  const reach =
    kept.length === CELL_COUNT
      ? sql`select num, cell, containers, images from vuln_reach where images > 0`
      : sql`select * from (
          select num,
            ${sql.raw(rank)} * ${sql.raw(String(CELL_RANK_STRIDE))}
              + (case when ${sql.raw(anyOf(kept.filter((c) => c & CELL_KEV)))} then ${sql.raw(String(CELL_KEV))} else 0 end)
              + (case when ${sql.raw(anyOf(kept.filter((c) => c & CELL_FIXABLE)))} then ${sql.raw(String(CELL_FIXABLE))} else 0 end) as cell,
            ${sql.raw(kept.map((c) => `containers_by_cell[${c + 1}]`).join(' + '))} as containers,
            ${sql.raw(kept.map((c) => `images_by_cell[${c + 1}]`).join(' + '))} as images
          from vuln_reach
        ) x where images > 0`;
  // KEV orders first: when at least `limit` KEV-listed vulnerabilities run, only they are sorted.
  const kev = `(r.cell & ${CELL_KEV})`;
  const r = await sql<{
    num: number;
    cell: number;
    containers: string;
    images: number;
    score: number | null;
  }>`
    with r as (${reach})
    select r.num, r.cell, r.containers, r.images, e.score
    from r join vulnerability_numbers n on n.num = r.num left join epss e on e.cve_id = n.id
    where ${sql.raw(kev)} <> 0 or (select count(*) from r where ${sql.raw(kev)} <> 0) < ${limit}
    order by ${sql.raw(kev)} desc, coalesce(e.score, -1) desc, r.cell / ${sql.raw(String(CELL_RANK_STRIDE))} desc,
      (r.cell & ${sql.raw(String(CELL_FIXABLE))}) desc, r.containers desc
    fetch first ${limit} rows with ties`.execute(db);
  return r.rows.map((x) => ({
    num: Number(x.num),
    cell: Number(x.cell),
    containers: Number(x.containers),
    images: Number(x.images),
    epss: x.score === null ? null : Number(x.score),
  }));
}

/**
 * The running digests carrying each of these vulnerability numbers in a kept cell. Per number
 * (a lateral subquery kept apart by `offset 0`): its images through the vulnerability index, each
 * checked against the running groups. As a plain join the planner could start from the running
 * side and read every image's vulnerabilities — at the 1M bench fleet, with statistics taken
 * before the roll-ups filled the tables, 5M rows and 2.3–3.3 s for 20 numbers (100 ms this way).
 */
export async function queryRunningImagesOf(
  { db }: Pick<Store, 'db'>,
  nums: number[],
  kept: number[],
): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (!nums.length || !kept.length) return out;
  const r = await sql<{ num: number; image_digest: string }>`
    select n.num, iv.image_digest
    from vulnerability_numbers n
    cross join lateral (
      select p.image_digest from image_vulns iv
      cross join lateral (select p.image_digest from image_posture p where p.scan_id = iv.scan_id offset 0) p
      where iv.num = n.num and ${sql.raw(cellSql('iv'))} = any(${kept}::int[])
        and exists (select 1 from posture_groups g where g.image_digest = p.image_digest)
      offset 0) iv
    where n.num = any(${nums}::int[])`.execute(db);
  for (const x of r.rows) {
    const num = Number(x.num);
    const list = out.get(num);
    if (list) list.push(x.image_digest);
    else out.set(num, [x.image_digest]);
  }
  return out;
}
