// Kysely table types for the model created in migrations/ (docs/data-model.md).
// int8 columns come back as JS numbers (see open-store.ts type parsers); jsonb as parsed JSON.
import type { ColumnType, Generated } from 'kysely';
import type { ContainerColumnSpecs } from './queries/inventory/container-columns.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type TimestampNull = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string | T | undefined, string | T>;
type TextArray = ColumnType<string[], string[] | undefined, string[]>;

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: Generated<Date>;
}

export interface ImagesTable {
  digest: string;
  kind: 'index' | 'manifest';
  media_type: string;
  config_digest: string | null;
  os: string | null;
  architecture: string | null;
  variant: string | null;
  os_version: string | null;
  size: number | null;
  manifest: Json<unknown> | null;
  first_seen: Timestamp;
  last_seen: Timestamp;
}

export interface ImageChildrenTable {
  index_digest: string;
  child_digest: string;
  os: string | null;
  architecture: string | null;
  variant: string | null;
  os_version: string | null;
}

export interface ImageNamesTable {
  registry: string;
  repository: string;
  digest: string;
  first_seen: Timestamp;
  last_seen: Timestamp;
}

export interface TagHistoryTable {
  id: Generated<number>;
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  observed_at: Timestamp;
  source: ColumnType<string, string | undefined, string>;
}

export interface ImageLayersTable {
  image_digest: string;
  position: number;
  layer_digest: string;
  diff_id: string | null;
  media_type: string | null;
  size: number | null;
}

export type ScanStatus = 'running' | 'complete' | 'partial' | 'failed';

export interface ScansTable {
  id: Generated<number>;
  image_digest: string;
  source: string;
  scanner_version: string | null;
  reference: string | null;
  status: ScanStatus;
  errors: Json<unknown[]>;
  os: Json<unknown> | null;
  stats: Json<Record<string, unknown>>;
  started_at: Timestamp;
  finished_at: TimestampNull;
}

export interface CurrentScansTable {
  image_digest: string;
  source: string;
  scan_id: number;
}

export interface PackagesTable {
  id: Generated<number>;
  scan_id: number;
  ecosystem: string;
  name: string;
  version: string;
  purl: string | null;
  source_name: string | null;
  source_version: string | null;
  layer_diff_id: string | null;
  path: string | null;
  evidence: string | null;
}

export interface LayerCacheTable {
  diff_id: string;
  extractor: string;
  extractor_version: number;
  result: Json<unknown>;
  created_at: Timestamp;
}

/** Blobs known to decompress to a layer (ADR 0020): read to the end, digest- and diffID-checked. */
export interface LayerBlobsTable {
  digest: string;
  diff_id: string;
  size: number;
  verified_at: Timestamp;
}

export interface FindingsTable {
  id: Generated<number>;
  scan_id: number;
  image_digest: string;
  source: string;
  vulnerability_id: string;
  aliases: TextArray;
  package_ecosystem: string;
  package_name: string;
  package_purl: string | null;
  installed_version: string;
  fixed_version: string | null;
  layer_diff_id: string | null;
  severity: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNKNOWN';
  cvss_version: string | null;
  cvss_vector: string | null;
  cvss_score: number | null;
  status: 'affected' | 'not_affected' | 'fixed' | 'unknown';
  status_reason: string | null;
  advisory_ids: TextArray;
  /** Migration 9: who decided the severity (docs/advisories.md#severity); null before, and for imports. */
  severity_source: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface FindingChangesTable {
  id: Generated<number>;
  image_digest: string;
  vulnerability_id: string;
  package_name: string;
  /** `severity_changed`: migration 9. */
  change: 'newly_affected' | 'newly_fixed' | 'status_changed' | 'severity_changed';
  cause: string;
  at: Timestamp;
}

export interface AdvisorySourcesTable {
  name: string;
  kind: string;
  location: string | null;
  last_modified: TimestampNull;
  updated_at: Timestamp;
  record_count: ColumnType<number, number | undefined, number>;
}

export interface AdvisoriesTable {
  source: string;
  id: string;
  modified: TimestampNull;
  published: TimestampNull;
  withdrawn: TimestampNull;
  summary: string | null;
  aliases: TextArray;
  upstream: TextArray;
  severity: Json<unknown[]>;
  record: Json<unknown>;
}

export interface AdvisoryAffectedTable {
  id: Generated<number>;
  source: string;
  advisory_id: string;
  ecosystem: string;
  package_name: string;
  purl: string | null;
  ranges: Json<unknown[]>;
  versions: TextArray;
  severity: string | null;
}

export interface KevTable {
  cve_id: string;
  vendor: string | null;
  product: string | null;
  name: string | null;
  date_added: ColumnType<Date | null, string | null | undefined, string | null>;
  due_date: ColumnType<Date | null, string | null | undefined, string | null>;
  known_ransomware: string | null;
}

export interface EpssTable {
  cve_id: string;
  score: number;
  percentile: number;
  score_date: ColumnType<Date | null, string | null | undefined, string | null>;
}

/** Migration 9: CVSS scores from CVE records, per (CVE, source, CVSS version). */
export interface CveScoresTable {
  cve_id: string;
  source: string;
  cvss_version: string;
  vector: string;
  base_score: number;
  rating: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';
  date_updated: TimestampNull;
}

export interface VexStatementsTable {
  id: Generated<number>;
  document: string;
  format: string;
  product: string;
  subcomponent: string | null;
  vulnerability_id: string;
  status: string;
  justification: string | null;
  impact: string | null;
  action: string | null;
  issued_at: TimestampNull;
}

export interface InventorySourcesTable {
  id: Generated<number>;
  name: string;
  kind: string;
  config: Json<Record<string, unknown>>;
  created_at: Timestamp;
  /** When the source's last unscoped full list was landed (migration 15): see inventory/last-seen.ts. */
  last_full_at: TimestampNull;
}

export interface InventoryRunsTable {
  id: Generated<number>;
  source_id: number;
  mode: 'full' | 'delta';
  status: 'running' | 'ok' | 'partial' | 'failed';
  started_at: Timestamp;
  finished_at: TimestampNull;
  counts: Json<Record<string, number>>;
  errors: Json<unknown[]>;
}

/** A column type per kind of observed container column (queries/inventory/container-columns.ts). */
interface ContainerColumnTypes {
  text: string;
  'text?': string | null;
  'int?': number | null;
  'time?': TimestampNull;
  labels: Json<Record<string, string>>;
}
type ObservedContainerColumns = {
  [C in keyof ContainerColumnSpecs]: ContainerColumnTypes[ContainerColumnSpecs[C]['kind']];
};

export interface ContainersTable extends ObservedContainerColumns {
  id: string;
  source_id: number;
  first_seen: Timestamp;
  last_seen: Timestamp;
  removed_at: TimestampNull;
  image_digest: string | null;
  match_method: ColumnType<string, string | undefined, string>;
  confidence: ColumnType<string, string | undefined, string>;
  resolved_at: TimestampNull;
  /** Migration 6: the identity fields the current resolution was computed from. */
  resolution_input: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ExposuresTable {
  id: Generated<number>;
  container_id: string;
  image_digest: string | null;
  first_seen: Timestamp;
  last_seen: Timestamp;
  closed_at: TimestampNull;
}

/** Migration 34: exposure per image (whole epoch seconds), kept by triggers on exposures. */
export interface ImageExposureTable {
  image_digest: string;
  closed_seconds: number;
  open_count: number;
  open_first_seen_sum: number;
}

export interface ImagePostureTable {
  image_digest: string;
  source: string;
  counts: Json<Record<string, number>>;
  kev: number;
  fixable: number;
  distinct_vulns: number;
  scanned_at: TimestampNull;
  computed_at: Timestamp;
  /** Migration 6: the scan this roll-up was computed from. */
  scan_id: ColumnType<number | null, number | null | undefined, number | null>;
  /** Migration 7: vulnerabilities per cell (severity rank × 4 + KEV × 2 + fixable). */
  cells: ColumnType<number[] | null, number[] | null | undefined, number[] | null>;
  /** Migration 7: big-endian int4 per vulnerability: its number × 32 + its cell. */
  vulns: ColumnType<Uint8Array | null, Uint8Array | null | undefined, Uint8Array | null>;
  /** Migration 10: findings (vulnerability × package) per cell; null before the first sync after it. */
  finding_cells: ColumnType<number[] | null, number[] | null | undefined, number[] | null>;
}

/** Migration 7: a dense number per vulnerability id, for image_posture.vulns. */
export interface VulnerabilityNumbersTable {
  id: string;
  num: Generated<number>;
}

/** Migration 7: the current posture of a scope, maintained by the sync. */
export interface ScopePostureTable {
  scope_kind: string;
  scope_key: string;
  cluster: string | null;
  namespace: string | null;
  labels: Json<Record<string, string | null>>;
  containers: number;
  unresolved: number;
  unscanned: number;
  images: number;
  oldest_scan: TimestampNull;
  last_seen: TimestampNull;
  source_ids: number[];
  digests: string[];
  distinct_cells: number[];
  instance_cells: ColumnType<number[], number[], number[]>;
  /** Migration 10: Σ over the scope's distinct scanned images of their finding cells. */
  finding_cells: ColumnType<number[] | null, number[] | null | undefined, number[] | null>;
  computed_at: Timestamp;
  snapshot_at: TimestampNull;
  /** Migration 28: the default order's key, the weight of the unfiltered instances (core/posture-weight.ts). */
  sort_weight: ColumnType<number, number | undefined, number>;
}

/** Migration 6: one row per (image, vulnerability) after source choice and VEX. */
export interface ImageVulnsTable {
  /** Migration 39: the image, by the scan posture reads (image_posture.scan_id). */
  scan_id: number;
  vulnerability_id: string;
  severity_rank: number;
  kev: boolean;
  fixable: boolean;
  epss: number | null;
  cvss_score: number | null;
  packages: number;
  /** Migration 10: of those findings, how many have a fixed version. */
  fixable_packages: ColumnType<number | null, number | null | undefined, number | null>;
  /** Migration 38: the vulnerability's number (vulnerability_numbers.num). */
  num: number;
}

export interface PostureSnapshotsTable {
  id: Generated<number>;
  taken_at: Timestamp;
  scope_kind: string;
  scope_key: string;
  containers: number;
  distinct_counts: Json<Record<string, number>>;
  instance_counts: Json<Record<string, number>>;
  digests: TextArray;
}

export interface SettingsTable {
  key: string;
  value: Json<unknown>;
  updated_at: Timestamp;
}

/** Migration 13: API tokens (only a scrypt hash of the secret) and the audit log. */
export interface ApiTokensTable {
  id: string;
  name: string;
  role: 'viewer' | 'operator' | 'admin';
  scopes: TextArray;
  hash: string;
  created_at: Timestamp;
  expires_at: TimestampNull;
  revoked_at: TimestampNull;
  last_used_at: TimestampNull;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  subject: string;
  role: string | null;
  action: string;
  target: string | null;
  outcome: string;
  detail: Json<unknown> | null;
}

/** Migration 16: the state of each advisory feed (advisories/feeds/). */
export interface FeedsTable {
  name: string;
  url: string;
  etag: string | null;
  last_modified: string | null;
  last_attempt_at: TimestampNull;
  last_success_at: TimestampNull;
  last_outcome: 'updated' | 'unchanged' | 'failed' | null;
  last_error: string | null;
  bytes: number | null;
  records: number | null;
}

/** An in-cluster agent's last heartbeat (migration 19, docs/agent.md). */
export interface AgentsTable {
  cluster: string;
  source: string;
  version: string;
  subject: string | null;
  pods_watched: number | null;
  first_contact_at: Timestamp;
  last_contact_at: Timestamp;
}

/** A batch id landed for an inventory source, with the answer given (migration 19). */
export interface AgentBatchesTable {
  source: string;
  batch_id: string;
  applied_at: Timestamp;
  response: Json<Record<string, unknown>> | null;
}

/** Migration 18: notification rules' baseline, open facts and delivery log (docs/notifications.md). */
export interface NotificationRulesTable {
  rule: string;
  fingerprint: string;
  baseline_at: Timestamp;
  evaluated_at: Timestamp;
  validated_posture_at: string | null;
  validated_at: TimestampNull;
}

export interface NotificationStateTable {
  rule: string;
  kind: 'vulnerability' | 'stale' | 'check';
  key: string;
  severity: string | null;
  kev: ColumnType<boolean, boolean | undefined, boolean>;
  detail: Json<Record<string, unknown>> | null;
  opened_at: Timestamp;
  updated_at: Timestamp;
}

export type NotificationStatus = 'pending' | 'delivered' | 'failed';

export interface NotificationLogTable {
  id: Generated<number>;
  rule: string;
  event: string;
  key: string;
  destination: 'webhook' | 'slack';
  host: string;
  payload: Json<Record<string, unknown>>;
  status: ColumnType<NotificationStatus, NotificationStatus | undefined, NotificationStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  created_at: Generated<Date>;
  delivered_at: TimestampNull;
}

/** Migration 21: dashboard sessions (hashes of the session id and CSRF token, never the values). */
export interface DashboardSessionsTable {
  id_hash: string;
  csrf_hash: string;
  subject: string;
  role: 'viewer' | 'operator' | 'admin';
  scopes: TextArray;
  via: 'token' | 'oidc';
  token_id: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  last_seen_at: Timestamp;
  /** Migration 25: the issuer's session id of an SSO sign-in. */
  sid: string | null;
  /** Migration 27: the issuer's refresh token, encrypted (AES-256-GCM); null when none or kept in memory. */
  refresh_token: string | null;
  /** Migration 27: when the session's claims are next refreshed with the issuer (null: never). */
  refresh_due_at: TimestampNull;
  /** Migration 27: when the issuer last confirmed the session (sign-in or refresh). */
  checked_at: TimestampNull;
  /** Migration 27: a refresh in progress until then (one refresh at a time across processes). */
  refresh_lease_until: TimestampNull;
}

/** Migration 25: logout tokens accepted (OIDC back-channel logout), kept to refuse a replay. */
export interface DashboardLogoutTokensTable {
  jti: string;
  expires_at: Timestamp;
}

/** Migration 20: one row per scheduled report run (src/store/queries/reports/report-runs.ts). */
export interface ReportRunsTable {
  id: Generated<number>;
  name: string;
  scope_key: string;
  ran_at: Timestamp;
  format: string;
  outcome: 'ok' | 'failed';
  error: string | null;
  summary: Json<Record<string, unknown>>;
  vulnerability_ids: string[];
}

export interface Database {
  schema_migrations: SchemaMigrationsTable;
  feeds: FeedsTable;
  images: ImagesTable;
  image_children: ImageChildrenTable;
  image_names: ImageNamesTable;
  tag_history: TagHistoryTable;
  image_layers: ImageLayersTable;
  scans: ScansTable;
  current_scans: CurrentScansTable;
  packages: PackagesTable;
  layer_cache: LayerCacheTable;
  layer_blobs: LayerBlobsTable;
  findings: FindingsTable;
  finding_changes: FindingChangesTable;
  advisory_sources: AdvisorySourcesTable;
  advisories: AdvisoriesTable;
  advisory_affected: AdvisoryAffectedTable;
  kev: KevTable;
  epss: EpssTable;
  cve_scores: CveScoresTable;
  vex_statements: VexStatementsTable;
  inventory_sources: InventorySourcesTable;
  inventory_runs: InventoryRunsTable;
  containers: ContainersTable;
  exposures: ExposuresTable;
  image_exposure: ImageExposureTable;
  image_posture: ImagePostureTable;
  image_vulns: ImageVulnsTable;
  posture_snapshots: PostureSnapshotsTable;
  scope_posture: ScopePostureTable;
  vulnerability_numbers: VulnerabilityNumbersTable;
  settings: SettingsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  notification_rules: NotificationRulesTable;
  notification_state: NotificationStateTable;
  notification_log: NotificationLogTable;
  agents: AgentsTable;
  agent_batches: AgentBatchesTable;
  report_runs: ReportRunsTable;
  dashboard_sessions: DashboardSessionsTable;
  dashboard_logout_tokens: DashboardLogoutTokensTable;
}

/** Tables `db status` counts, in display order. */
export const COUNTED_TABLES = [
  'images',
  'tag_history',
  'scans',
  'packages',
  'findings',
  'advisories',
  'kev',
  'epss',
  'cve_scores',
  'vex_statements',
  'inventory_sources',
  'containers',
  'exposures',
  'posture_snapshots',
] as const satisfies readonly (keyof Database)[];
