// Migration 7: the current posture of every scope, maintained by the sync (docs/adr/0008-scope-posture.md).
// - image_posture.cells: the image's vulnerabilities counted per cell (severity rank × KEV × fixable,
//   20 cells), so instance figures of a scope are Σ containers × cells without reading image_vulns.
// - image_posture.vulns: the image's vulnerability list, encoded as big-endian int4 per entry
//   (vulnerability number × 32 + cell), numbers from vulnerability_numbers. Distinct figures of a
//   scope running several images are unions of these lists, computed in one pass for every scope.
// - scope_posture: one row per (scope kind, key) with both figures as cells, the scope's digests and
//   the labels views filter on. Posture views read it; snapshots are written when it changes.
// - image_vulns loses its (image, vulnerability) primary key for a plain index on the image: the
//   refresh's GROUP BY already makes rows unique, and an index on the digest alone deduplicates
//   (250 rows share a key) — a fraction of the size and of the insert cost.
// - containers_running_digest becomes a covering index: `vuln where` lists thousands of running
//   containers per CVE, scattered over the table; with the listed columns in the index it reads
//   them without visiting the heap.
import { type Kysely, sql } from 'kysely';

export const version = 7;
export const name = 'scope-posture';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of DDL.split(/;[ \t]*(?:--[^\n]*)?\n/).filter((s) => s.trim())) {
    await sql.raw(statement).execute(db);
  }
}

const DDL = `
alter table image_posture add column cells int[];
alter table image_posture add column vulns bytea;
create table vulnerability_numbers (
  id  text primary key,
  num int generated always as identity
);
alter table image_vulns drop constraint image_vulns_pkey;
create index image_vulns_image on image_vulns (image_digest);
create table scope_posture (
  scope_kind     text not null,                 -- fleet | cluster | namespace | workload | environment | owner | image
  scope_key      text not null,
  cluster        text,                          -- for --cluster/--namespace filters on the summary
  namespace      text,
  labels         jsonb not null default '{}',
  containers     int not null,
  unresolved     int not null,
  unscanned      int not null,
  images         int not null,
  oldest_scan    timestamptz,
  last_seen      timestamptz,
  source_ids     int[] not null default '{}',
  digests        text[] not null default '{}',  -- distinct image digests running in the scope
  distinct_cells int[] not null,                -- distinct vulnerabilities per cell
  instance_cells bigint[] not null,             -- container × vulnerability per cell
  computed_at    timestamptz not null,
  snapshot_at    timestamptz,                   -- when its last posture_snapshots row was written
  primary key (scope_kind, scope_key)
);
drop index if exists containers_running_digest;
create index containers_running_digest on containers (image_digest)
  include (id, cluster, namespace, workload_kind, workload_name, pod, container_name, image, match_method, confidence)
  where removed_at is null;
create index scope_posture_cluster on scope_posture (scope_kind, cluster, namespace);
`;
