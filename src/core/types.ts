// The vocabulary every stage shares: image identity, packages, advisories, findings, containers.
// Types and the fixed scales they carry (severity ranks, scope kinds) — no behaviour lives in
// core/. See docs/data-model.md for how these are stored.
import type { PackageEvidence } from './package-evidence.js';

/** `sha256:<64 hex>` (or another registered algorithm). Always lowercase. */
export type Digest = string;

/** An OSV ecosystem name, optionally with a release: `Debian:12`, `Alpine:v3.18`, `npm`, `PyPI`, `Red Hat`. */
export type Ecosystem = string;

export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNKNOWN';

/**
 * The one severity scale: a severity's rank is its index here (0 unknown … 4 critical). Every
 * comparison, the stored `severity_rank` column and the posture cells use it.
 */
export const SEVERITY_BY_RANK = [
  'UNKNOWN',
  'LOW',
  'MEDIUM',
  'HIGH',
  'CRITICAL',
] as const satisfies readonly Severity[];
/** Most severe first (tables, counts, the order users read). */
export const SEVERITIES: readonly Severity[] = [...SEVERITY_BY_RANK].reverse();

/** Where posture is rolled up: the fleet, each cluster, namespace, workload, environment, owner, image, container. */
export type ScopeKind =
  | 'fleet'
  | 'cluster'
  | 'namespace'
  | 'workload'
  | 'environment'
  | 'owner'
  | 'image'
  | 'container';
export const SCOPE_KINDS: readonly ScopeKind[] = [
  'fleet',
  'cluster',
  'namespace',
  'workload',
  'environment',
  'owner',
  'image',
  'container',
];

export interface Platform {
  os: string;
  architecture: string;
  variant?: string | undefined;
  osVersion?: string | undefined;
}

/** A parsed image reference (distribution reference grammar). */
export interface ImageRef {
  registry: string; // e.g. docker.io, ghcr.io, 127.0.0.1:5000
  repository: string; // e.g. library/nginx
  tag?: string | undefined;
  digest?: Digest | undefined;
}

/** Where a package was found inside an image. */
export interface PackageLocation {
  /** diffID of the layer that introduced this package version. */
  layer?: Digest | undefined;
  /** Path of the database or manifest it came from, e.g. `var/lib/dpkg/status`. */
  path?: string | undefined;
}

export interface Package extends PackageLocation {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  purl?: string | undefined;
  /** Source (Debian/Ubuntu) or origin (Alpine) package; the key distro advisories use. */
  sourceName?: string | undefined;
  sourceVersion?: string | undefined;
  /** What the identity rests on (core/package-evidence.ts); absent on rows stored before it existed. */
  evidence?: PackageEvidence | undefined;
  /**
   * What this package depends on, as its package manager states it: one entry per requirement,
   * alternatives joined by `|` (dpkg `debconf|debconf-2.0`; the Go main module's modules). `[]`
   * states none; absent means not stated. Not stored with a scan (the SBOM of a fresh scan has it).
   */
  dependsOn?: string[] | undefined;
}

export type FindingStatus = 'affected' | 'not_affected' | 'fixed' | 'unknown';

export interface Cvss {
  version: '2.0' | '3.0' | '3.1' | '4.0';
  vector: string;
  score: number;
}

export interface Finding {
  /** Canonical vulnerability id (a CVE when any advisory names one). */
  id: string;
  aliases: string[];
  package: { ecosystem: Ecosystem; name: string; purl?: string | undefined; layer?: Digest | undefined };
  installedVersion: string;
  fixedVersion?: string | undefined;
  severity: Severity;
  /**
   * Who decided `severity` (docs/advisories.md#severity): `distro:<Distro>`, `osv:<database>`,
   * `cve:<CNA>`, `cve-adp:<ADP>`, or `none`. Undefined for findings from other scanners' reports.
   */
  severitySource?: string | undefined;
  cvss?: Cvss | undefined;
  kev: boolean;
  epss?: { score: number; percentile: number } | undefined;
  status: FindingStatus;
  /** VEX justification or the reason a version could not be compared. */
  statusReason?: string | undefined;
  /** `runsight`, `trivy`, `grype`, `cyclonedx`, `trivy-operator`, `osv-scanner`. */
  source: string;
}

export type ContainerKind = 'init' | 'sidecar' | 'regular' | 'ephemeral';
/** What the runtime's image id names: a repository (manifest/index) digest or a config digest (image ID). */
export type DigestKind = 'repo' | 'config';

export type MatchMethod =
  | 'manifest-digest'
  | 'index-digest+platform'
  | 'config-digest'
  | 'tag-at-start'
  | 'tag-now'
  | 'unresolved';
export type Confidence = 'exact' | 'inferred' | 'weak' | 'none';

/** A running (or recently seen) container, as an inventory provider reports it. */
export interface ContainerObservation {
  /** Stable id within the source, e.g. `cluster/ns/pod/container` or a Docker container id. */
  id: string;
  cluster?: string | undefined;
  namespace?: string | undefined;
  workloadKind?: string | undefined;
  workloadName?: string | undefined;
  pod?: string | undefined;
  container: string;
  containerKind: ContainerKind;
  node?: string | undefined;
  platform?: Platform | undefined;
  /** The image as written in the spec, e.g. `nginx:1.25`. */
  image: string;
  /** The image id as the runtime reported it, verbatim. */
  imageId?: string | undefined;
  digest?: Digest | undefined;
  digestKind?: DigestKind | undefined;
  state: string;
  startedAt?: Date | undefined;
  finishedAt?: Date | undefined;
  restarts?: number | undefined;
  owner?: string | undefined;
  environment?: string | undefined;
  labels: Record<string, string>;
}

/** A provider's output: a whole list, or the changes a watch saw. */
export type InventoryMutation =
  | { type: 'full'; containers: ContainerObservation[] }
  | { type: 'delta'; added: ContainerObservation[]; removed: string[] };

/** The findings source of Runsight's built-in scanner. */
export const SCANNER_SOURCE = 'runsight';
/** The findings source of SBOMs uploaded and matched by Runsight (POST /api/v1/sboms). */
export const SBOM_SOURCE = 'runsight-sbom';
/**
 * The sources whose findings Runsight matched itself from stored packages: an advisory update
 * re-matches them (an imported scanner's findings are that scanner's verdict and stay as imported).
 */
export const MATCHED_SOURCES: readonly string[] = [SCANNER_SOURCE, SBOM_SOURCE];
