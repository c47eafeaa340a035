// Migration 12: maintained summaries, so a one-container change and the posture report stop
// scanning the containers table (docs/propagation.md, "Maintained groups").
// - posture_groups: the running containers grouped by every column a roll-up or a report section
//   needs (scope columns, the image as written, the resolved digest, the match method, the source)
//   with their count and oldest last-seen — tens of thousands of rows for a million containers.
//   Each group carries its scope keys (k_*), so a scope's groups are found by key. A sync
//   recomputes the groups of the workloads it touched, from their containers only
//   (containers_workload_key); scope roll-ups, coverage gaps, tag drift, the match summary,
//   scans in use and the running side of the exposure summary read the groups.
// - containers_first_seen / containers_removed_at / containers_resolved_at: the touched-scope
//   lookup ("appeared, disappeared or re-resolved since the last pass") becomes index scans.
// - scope_posture_snapshot_at: the hourly re-snapshot finds the scopes due without a table scan.
// The sync state key moved with this migration (src/propagation/sync.ts): the first sync after it
// is a full pass, which fills posture_groups.
import { type Kysely, sql } from 'kysely';

export const version = 12;
export const name = 'posture-summaries';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of DDL.split(/;[ \t]*(?:--[^\n]*)?\n/).filter((s) => s.trim())) {
    await sql.raw(statement).execute(db);
  }
}

const DDL = `
create table posture_groups (
  k_cluster     text not null,                 -- scope keys (src/store/queries/posture/group-containers.ts)
  k_namespace   text not null,
  k_workload    text not null,
  k_environment text not null,
  k_owner       text not null,
  k_image       text not null,
  cluster       text,
  namespace     text,
  workload_kind text,
  workload_name text,                          -- coalesce(workload_name, pod, container_name)
  environment   text,
  owner         text,
  image         text not null,                 -- the image as the containers wrote it
  image_digest  text,
  source_id     int not null,
  match_method  text not null,
  confidence    text not null,
  containers    int not null,
  last_seen     timestamptz                    -- oldest last-seen in the group
);
create index posture_groups_workload on posture_groups (k_workload);
create index posture_groups_cluster on posture_groups (k_cluster, k_namespace);
create index posture_groups_digest on posture_groups (image_digest);
create index containers_workload_key on containers ((coalesce(cluster, '-') || '/' || coalesce(namespace, '-') || '/' || coalesce(workload_kind, '-') || '/' || coalesce(workload_name, pod, container_name))) where removed_at is null;
create index containers_first_seen on containers (first_seen);
create index containers_removed_at on containers (removed_at) where removed_at is not null;
create index containers_resolved_at on containers (resolved_at);
create index scope_posture_snapshot_at on scope_posture (snapshot_at);
`;
