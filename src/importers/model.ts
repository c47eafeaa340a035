// What every importer produces from a scanner report, before any image digest is known: one
// ParsedImageReport per image the report covers (a Trivy Kubernetes report or a list of
// trivy-operator resources covers several). Identity hints are resolved to a digest later
// (resolve-image.ts); parsers never touch the store.
import type { Finding, Package, Platform } from '../core/types.js';

export type ImportFormat = 'trivy' | 'grype' | 'cyclonedx' | 'trivy-operator' | 'osv-scanner';
export const IMPORT_FORMATS: readonly ImportFormat[] = [
  'trivy',
  'grype',
  'cyclonedx',
  'trivy-operator',
  'osv-scanner',
];

/** Whatever a report says about which image it describes, strongest first when resolving. */
export interface ImageHints {
  /** The platform manifest digest the scanner read (Grype `manifestDigest`). */
  manifestDigest?: string | undefined;
  /** `repo@sha256:…` references (Trivy `RepoDigests`, Grype `repoDigests`, a digest in a reference). */
  repoDigests: string[];
  /** The image ID: the config digest (Trivy `Metadata.ImageID`, Grype `imageID`). */
  configDigest?: string | undefined;
  /** Tag references the report names (RepoTags, ArtifactName, userInput, operator artifact). */
  references: string[];
  /** The platform the report was produced for, to pick a child of a known index. */
  platform?: Platform | undefined;
}

/** A Kubernetes workload a report links to the image (Trivy k8s report, trivy-operator labels). */
export interface WorkloadLink {
  cluster?: string | undefined;
  namespace?: string | undefined;
  kind?: string | undefined;
  name?: string | undefined;
  container?: string | undefined;
}

export interface SkippedItem {
  id: string;
  reason: string;
  /** invalid: the entry could not be read (the scan is stored as partial); duplicate: folded into an
   * earlier finding; ignored: not an image vulnerability (git commit, misconfiguration, licence);
   * already-imported: the whole report was imported before for this digest (nothing added);
   * cleaned: kept, with a text field cleaned (control characters, invalid Unicode, length). */
  kind: 'invalid' | 'duplicate' | 'ignored' | 'already-imported' | 'cleaned';
}

export interface ParsedImageReport {
  format: ImportFormat;
  /** A label for messages: the file and, for multi-image files, which item. */
  origin: string;
  /** How the report names the image, for the summary (`reference`). */
  label?: string | undefined;
  hints: ImageHints;
  scannerVersion?: string | undefined;
  scannedAt?: Date | undefined;
  os?: { family: string; release?: string | undefined; ecosystem?: string | undefined } | undefined;
  /** The report's full package list when it carries one (Trivy `Packages`, CycloneDX components). */
  packages: Package[];
  /** Distinct findings (duplicates already folded, see dedupe.ts). */
  findings: Finding[];
  skipped: SkippedItem[];
  workloads: WorkloadLink[];
}

/** Items read before deduplication: the finding plus the id the report used, for messages. */
export interface ReportedFinding {
  finding: Finding;
  reportedId: string;
}
