// Migration 6: what propagation needs beyond the model (docs/adr/0006-propagation.md).
// - containers.resolution_input: the identity fields a resolution was computed from, so a changed
//   container (new digest, image, platform or start time) is found without re-resolving the fleet.
// - image_vulns: the per-image vulnerability set after source choice and VEX — one row per
//   (image, vulnerability). Every roll-up starts here, per image, and is then joined to containers.
// - image_posture.scan_id: which scan the roll-up was computed from (a new current scan makes it stale).
// - containers_namespace / containers_running: posture queries select by namespace and by "running".
import { type Kysely, sql } from 'kysely';

export const version = 6;
export const name = 'propagation';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of DDL.split(/;[ \t]*(?:--[^\n]*)?\n/).filter((s) => s.trim())) {
    await sql.raw(statement).execute(db);
  }
}

const DDL = `
alter table containers add column resolution_input text;
create index containers_namespace on containers (namespace);
create index containers_running_digest on containers (image_digest) where removed_at is null;

create table image_vulns (
  image_digest     text not null,
  vulnerability_id text not null,
  source           text not null,                -- the findings source chosen for this digest
  severity         text not null,                -- highest severity among the image's findings for it
  severity_rank    smallint not null,            -- 4 critical … 0 unknown, for ordering and max()
  kev              boolean not null default false,
  fixable          boolean not null default false,
  epss             double precision,
  cvss_score       double precision,
  packages         int not null,                 -- findings (packages) carrying it in this image
  primary key (image_digest, vulnerability_id)
);
create index image_vulns_vuln on image_vulns (vulnerability_id);
alter table image_posture add column scan_id bigint;
`;
