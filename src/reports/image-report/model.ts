// What the per-image documents are made of: the contract types (the CLI's `report --image` and the
// API's `/images/{digest}/report` call renderImageReport with them) and ImageReportData, what
// read.ts gathers once and every format (sarif.ts, cyclonedx.ts, openvex.ts) renders.
import type { AccessScope } from '../../core/access.js';
import type { VexStatement } from '../../core/advisory.js';
import type { FindingStatus, Package, Severity } from '../../core/types.js';
import type { ImageReportFacts } from '../../store/index.js';

export type ImageReportFormat = 'sarif' | 'cyclonedx' | 'openvex';
export const IMAGE_REPORT_FORMATS: readonly ImageReportFormat[] = ['sarif', 'cyclonedx', 'openvex'];

/** A rendered document: what to send or write. */
export interface RenderedReport {
  /** e.g. application/sarif+json, application/vnd.cyclonedx+json; version=1.6, application/json */
  contentType: string;
  /** File name suggestion, e.g. `sha256-ab12….sarif`. */
  filename: string;
  body: string;
}

export interface ImageReportOptions {
  /** The caller's access scope: an image no container in scope runs or ran is NotFound. */
  scope?: AccessScope | undefined;
  /** config posture.authoritativeSource. */
  authoritativeSource?: string | undefined;
  /** The clock (tests). */
  now?: Date | undefined;
}

/** One finding of the authoritative source's scan, with the VEX statement that decides it. */
export interface ReportFinding {
  id: string;
  aliases: string[];
  ecosystem: string;
  packageName: string;
  /** The finding's purl, else its package's in the scan's SBOM; undefined when neither has one. */
  purl: string | undefined;
  installedVersion: string;
  fixedVersion: string | null;
  severity: Severity;
  cvss: { version: string; vector: string | null; score: number } | null;
  /** As the source stored it. */
  storedStatus: FindingStatus;
  statusReason: string | null;
  /** After VEX (advisories' applyVex over the statements Runsight holds): what posture counts. */
  status: FindingStatus;
  /** The newest statement that applies and says what `status` rests on (or under_investigation). */
  vex: VexStatement | null;
  layer: string | null;
}

/** One platform manifest the document covers (the image itself, or each child of an index). */
export interface ReportTarget {
  digest: string;
  /** `linux/amd64`, when the identity graph knows it. */
  platform: string | null;
  architecture: string | null;
  variant: string | null;
  /** `pkg:oci/<name>@sha256%3A…?repository_url=…&arch=…` */
  purl: string;
  /** The authoritative source's scan (null: no scan or import of this manifest). */
  scan: {
    source: string;
    scanId: number;
    scannerVersion: string | null;
    startedAt: Date;
    status: string;
  } | null;
  packages: Package[];
  findings: ReportFinding[];
}

export interface ImageReportData {
  reference: string;
  digest: string;
  kind: 'index' | 'manifest';
  /** registry/repository the image is known under (the reference's, else the first recorded name). */
  name: { registry: string; repository: string; tag?: string | undefined } | null;
  purl: string;
  targets: ReportTarget[];
  facts: Map<string, ImageReportFacts>;
  generatedAt: Date;
  toolVersion: string;
}

/** Statuses posture counts (docs/cli.md#counts-vulnerabilities-and-findings). */
export function counted(status: FindingStatus): boolean {
  return status === 'affected' || status === 'unknown';
}
