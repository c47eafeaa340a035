// Migration 35: fleet reach per vulnerability (docs/adr/0026 part 2). vuln_reach holds, per
// vulnerability number and per posture cell (core/severity.ts), how many running images carry the
// vulnerability in that cell and how many containers run them: Σ over the running digests of
// posture_groups of their image_vulns rows, kept true by the writers of both tables
// (src/store/queries/posture/vuln-reach.ts). The unscoped prioritised list reads its ~30k rows
// instead of reading and merging every running image's vulnerability list (~5M entries at 1M
// containers). cell, containers and images are its figures over every cell (generated: the
// unfiltered list reads them). Half-filled pages: a maintenance pass rewrites a changed digest's
// ~250 rows, which then stay on their page (HOT, no index write). Filled here from the current groups and lists, as a full pass would.
import { type Kysely, sql } from 'kysely';

export const version = 35;
export const name = 'vuln-reach';

const CELL_COUNT = 20;
const CELLS = Array.from({ length: CELL_COUNT }, (_, c) => c);

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  // Over every cell, as stored columns (the unfiltered list reads them, not 100 array elements a
  // row): the merged cell (highest rank, KEV or fixable in any cell that runs), containers, images.
  const runs = (c: number) => `images_by_cell[${c + 1}] > 0`;
  const rank = `greatest(${CELLS.map((c) => `case when ${runs(c)} then ${c >> 2} else -1 end`).join(', ')})`;
  const any = (bit: number) =>
    `(${CELLS.filter((c) => c & bit)
      .map(runs)
      .join(' or ')})`;
  await sql`create table vuln_reach (
    num int primary key,
    images_by_cell int[] not null,
    containers_by_cell bigint[] not null,
    cell int generated always as (${sql.raw(`${rank} * 4 + (case when ${any(2)} then 2 else 0 end) + (case when ${any(1)} then 1 else 0 end)`)}) stored,
    containers bigint generated always as (${sql.raw(CELLS.map((c) => `containers_by_cell[${c + 1}]`).join(' + '))}) stored,
    images int generated always as (${sql.raw(CELLS.map((c) => `images_by_cell[${c + 1}]`).join(' + '))}) stored
  ) with (fillfactor = 50)`.execute(db);
  // The cell of an image_vulns row: severity rank × 4 + KEV × 2 + fixable.
  const cell = `(iv.severity_rank * 4 + (case when iv.kev then 2 else 0 end) + (case when iv.fixable then 1 else 0 end))`;
  await sql`insert into vuln_reach (num, images_by_cell, containers_by_cell)
    with run as (
      select image_digest, sum(containers)::bigint as n from posture_groups
      where image_digest is not null group by image_digest
    ),
    e as (
      select n.num, ${sql.raw(cell)} as c, count(*) as imgs, sum(run.n) as cont
      from image_vulns iv join run on run.image_digest = iv.image_digest
        join vulnerability_numbers n on n.id = iv.vulnerability_id
      group by 1, 2
    )
    select num,
      array[${sql.raw(CELLS.map((c) => `coalesce(sum(imgs) filter (where c = ${c}), 0)`).join(', '))}]::int[],
      array[${sql.raw(CELLS.map((c) => `coalesce(sum(cont) filter (where c = ${c}), 0)`).join(', '))}]::bigint[]
    from e group by num`.execute(db);
}
