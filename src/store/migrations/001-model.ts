// Migration 1: the whole data model (docs/data-model.md explains each table and why).
// Later migrations only add; none rewrites this one. Plain PostgreSQL DDL, valid on PGlite too.
import { type Kysely, sql } from 'kysely';

export const version = 1;
export const name = 'model';

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
export async function up(db: Kysely<any>): Promise<void> {
  // One statement per query: PGlite's extended protocol takes a single command at a time.
  for (const statement of DDL.split(/;[ \t]*(?:--[^\n]*)?\n/).filter((s) => s.trim())) {
    await sql.raw(statement).execute(db);
  }
}

const DDL = `
-- ───────────── image identity ─────────────
create table images (
  digest          text primary key,             -- manifest or index digest (content address)
  kind            text not null check (kind in ('index','manifest')),
  media_type      text not null,
  config_digest   text,                         -- manifests only
  os              text,
  architecture    text,
  variant         text,
  os_version      text,
  size            bigint,
  manifest        jsonb,                        -- the verified manifest/index document
  first_seen      timestamptz not null default now(),
  last_seen       timestamptz not null default now()
);
create index images_config_digest on images (config_digest);

create table image_children (                   -- index → platform manifests
  index_digest    text not null references images(digest) on delete cascade,
  child_digest    text not null,
  os              text,
  architecture    text,
  variant         text,
  os_version      text,
  primary key (index_digest, child_digest)
);
create index image_children_child on image_children (child_digest);

create table image_names (                      -- where a digest was seen: repository aliases
  registry        text not null,
  repository      text not null,
  digest          text not null,
  first_seen      timestamptz not null default now(),
  last_seen       timestamptz not null default now(),
  primary key (registry, repository, digest)
);
create index image_names_digest on image_names (digest);

create table tag_history (                      -- every tag → digest resolution ever made
  id              bigserial primary key,
  registry        text not null,
  repository      text not null,
  tag             text not null,
  digest          text not null,
  observed_at     timestamptz not null default now(),
  source          text not null default 'registry'  -- registry | inventory | import
);
create index tag_history_lookup on tag_history (registry, repository, tag, observed_at);

create table image_layers (                     -- manifest → ordered layers
  image_digest    text not null references images(digest) on delete cascade,
  position        int not null,
  layer_digest    text not null,                -- blob digest (compressed)
  diff_id         text,                         -- uncompressed digest, from the config rootfs
  media_type      text,
  size            bigint,
  primary key (image_digest, position)
);
create index image_layers_diff_id on image_layers (diff_id);

-- ───────────── scans, SBOM, findings ─────────────
create table scans (
  id              bigserial primary key,
  image_digest    text not null,                -- platform manifest digest
  source          text not null,                -- runsight | trivy | grype | cyclonedx | trivy-operator | osv-scanner
  scanner_version text,
  reference       text,                         -- what the user asked to scan / what the report named
  status          text not null check (status in ('running','complete','partial','failed')),
  errors          jsonb not null default '[]',
  os              jsonb,                        -- {family, release, ecosystem}
  stats           jsonb not null default '{}',
  started_at      timestamptz not null default now(),
  finished_at     timestamptz
);
create index scans_image on scans (image_digest, source);

create table current_scans (                    -- the scan posture reads, per digest and source:
  image_digest    text not null,                -- swapped in one transaction when a new scan lands
  source          text not null,
  scan_id         bigint not null references scans(id) on delete cascade,
  primary key (image_digest, source)
);

create table packages (                         -- the SBOM of a scan
  id              bigserial primary key,
  scan_id         bigint not null references scans(id) on delete cascade,
  ecosystem       text not null,
  name            text not null,
  version         text not null,
  purl            text,
  source_name     text,
  source_version  text,
  layer_diff_id   text,
  path            text
);
create index packages_scan on packages (scan_id);
create index packages_reverse on packages (ecosystem, name);           -- package → scans → digests
create index packages_reverse_source on packages (ecosystem, source_name);

create table layer_cache (                      -- per-layer extraction results
  diff_id         text not null,
  extractor       text not null,
  extractor_version int not null,
  result          jsonb not null,
  created_at      timestamptz not null default now(),
  primary key (diff_id, extractor, extractor_version)
);

create table findings (
  id              bigserial primary key,
  scan_id         bigint not null references scans(id) on delete cascade,
  image_digest    text not null,
  source          text not null,
  vulnerability_id text not null,
  aliases         text[] not null default '{}',
  package_ecosystem text not null,
  package_name    text not null,
  package_purl    text,
  installed_version text not null,
  fixed_version   text,
  layer_diff_id   text,
  severity        text not null check (severity in ('CRITICAL','HIGH','MEDIUM','LOW','UNKNOWN')),
  cvss_version    text,
  cvss_vector     text,
  cvss_score      double precision,
  status          text not null check (status in ('affected','not_affected','fixed','unknown')),
  status_reason   text,
  advisory_ids    text[] not null default '{}'
);
create index findings_scan on findings (scan_id);
create index findings_image on findings (image_digest);
create index findings_vuln on findings (vulnerability_id);

create table finding_changes (                  -- what an advisory update or rescan changed, per image
  id              bigserial primary key,
  image_digest    text not null,
  vulnerability_id text not null,
  package_name    text not null,
  change          text not null check (change in ('newly_affected','newly_fixed','status_changed')),
  cause           text not null,                -- rematch | rescan | vex | import
  at              timestamptz not null default now()
);
create index finding_changes_image on finding_changes (image_digest, at);

-- ───────────── advisories and enrichment ─────────────
create table advisory_sources (
  name            text primary key,             -- e.g. osv:Debian, alpine-secdb:v3.18, kev, epss
  kind            text not null,                -- osv | alpine-secdb | kev | epss | vex
  location        text,
  last_modified   timestamptz,                  -- max(modified) seen: incremental updates start here
  updated_at      timestamptz not null default now(),
  record_count    int not null default 0
);

create table advisories (
  source          text not null references advisory_sources(name) on delete cascade,
  id              text not null,
  modified        timestamptz,
  published       timestamptz,
  withdrawn       timestamptz,
  summary         text,
  aliases         text[] not null default '{}',
  upstream        text[] not null default '{}',
  severity        jsonb not null default '[]',  -- [{type, score, rating}]
  record          jsonb not null,               -- the validated source record
  primary key (source, id)
);
create index advisories_id on advisories (id);
create index advisories_aliases on advisories using gin (aliases);

create table advisory_affected (                -- the match index: (ecosystem, package) → ranges
  id              bigserial primary key,
  source          text not null,
  advisory_id     text not null,
  ecosystem       text not null,                -- as published: Debian:12, Alpine:v3.18, npm
  package_name    text not null,                -- source/origin package for Debian, Ubuntu, Alpine
  purl            text,
  ranges          jsonb not null default '[]',
  versions        text[] not null default '{}',
  severity        text,                         -- ecosystem_specific / database_specific rating
  foreign key (source, advisory_id) references advisories(source, id) on delete cascade
);
create index advisory_affected_match on advisory_affected (ecosystem, package_name);
create index advisory_affected_advisory on advisory_affected (source, advisory_id);

create table kev (
  cve_id          text primary key,
  vendor          text,
  product         text,
  name            text,
  date_added      date,
  due_date        date,
  known_ransomware text
);

create table epss (
  cve_id          text primary key,
  score           double precision not null,
  percentile      double precision not null,
  score_date      date
);

create table vex_statements (
  id              bigserial primary key,
  document        text not null,                -- file/URL it came from
  format          text not null,                -- openvex | cyclonedx
  product         text not null,                -- purl or image digest
  subcomponent    text,
  vulnerability_id text not null,
  status          text not null,                -- not_affected | fixed | affected | under_investigation
  justification   text,
  impact          text,
  action          text,
  issued_at       timestamptz
);
create index vex_vuln on vex_statements (vulnerability_id);

-- ───────────── inventory ─────────────
create table inventory_sources (
  id              bigserial primary key,
  name            text not null unique,
  kind            text not null,                -- kubernetes | docker | cmdb
  config          jsonb not null default '{}',
  created_at      timestamptz not null default now()
);

create table inventory_runs (
  id              bigserial primary key,
  source_id       bigint not null references inventory_sources(id) on delete cascade,
  mode            text not null,                -- full | delta
  status          text not null,                -- running | ok | partial | failed
  started_at      timestamptz not null default now(),
  finished_at     timestamptz,
  counts          jsonb not null default '{}',  -- {seen, added, updated, removed}
  errors          jsonb not null default '[]'
);
create index inventory_runs_source on inventory_runs (source_id, started_at);

create table containers (
  id              text primary key,             -- source-scoped stable id
  source_id       bigint not null references inventory_sources(id) on delete cascade,
  cluster         text,
  namespace       text,
  workload_kind   text,
  workload_name   text,
  pod             text,
  container_name  text not null,
  container_kind  text not null,
  node            text,
  platform        text,                         -- os/arch[/variant]
  image           text not null,
  image_id        text,
  digest          text,
  digest_kind     text,
  state           text not null,
  started_at      timestamptz,
  finished_at     timestamptz,
  restarts        int,
  owner           text,
  environment     text,
  labels          jsonb not null default '{}',
  first_seen      timestamptz not null default now(),
  last_seen       timestamptz not null default now(),
  removed_at      timestamptz,                  -- set when it disappears; null while it runs
  -- propagation: which platform manifest it runs, and how we know
  image_digest    text,
  match_method    text not null default 'unresolved',
  confidence      text not null default 'none',
  resolved_at     timestamptz
);
create index containers_image_digest on containers (image_digest);
create index containers_scope on containers (cluster, namespace, workload_kind, workload_name);
create index containers_source on containers (source_id);

create table exposures (                        -- container × digest intervals, short-lived ones count
  id              bigserial primary key,
  container_id    text not null,
  image_digest    text,
  first_seen      timestamptz not null,
  last_seen       timestamptz not null,
  closed_at       timestamptz
);
create index exposures_container on exposures (container_id);
create index exposures_digest on exposures (image_digest);

-- ───────────── posture ─────────────
create table image_posture (                    -- per-image roll-up, joined to containers for views
  image_digest    text primary key,
  source          text not null,
  counts          jsonb not null,               -- {critical, high, medium, low, unknown}
  kev             int not null default 0,
  fixable         int not null default 0,
  distinct_vulns  int not null default 0,
  scanned_at      timestamptz,
  computed_at     timestamptz not null default now()
);

create table posture_snapshots (
  id              bigserial primary key,
  taken_at        timestamptz not null default now(),
  scope_kind      text not null,                -- fleet | cluster | namespace | workload | environment | owner | image
  scope_key       text not null,
  containers      int not null,
  distinct_counts jsonb not null,               -- distinct vulnerabilities by severity
  instance_counts jsonb not null,               -- container × finding by severity
  digests         text[] not null default '{}'
);
create index posture_snapshots_scope on posture_snapshots (scope_kind, scope_key, taken_at);

create table settings (
  key             text primary key,
  value           jsonb not null,
  updated_at      timestamptz not null default now()
);
`;
