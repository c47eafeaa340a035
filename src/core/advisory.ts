// What every advisory source is turned into before it reaches the store: one shape for OSV
// records, Alpine secdb entries and anything added later, and the VEX statements that qualify
// findings (docs/advisories.md). Shared by the advisories stage, which makes them, and the store,
// which writes them.
import type { Severity } from './types.js';

export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';

/** One severity statement of an advisory: a CVSS vector (scored) or a database's own rating. */
export interface SeverityEntry {
  /** `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, or the rating's origin (`Ubuntu`, `database_specific`…). */
  type: string;
  /** The vector or the rating word as published. */
  score: string;
  cvssVersion?: CvssVersion | undefined;
  /** Base score computed from the vector; undefined when the vector does not parse. */
  baseScore?: number | undefined;
  rating: Severity;
}

export interface RangeEvent {
  introduced?: string | undefined;
  fixed?: string | undefined;
  last_affected?: string | undefined;
  limit?: string | undefined;
}

export interface AffectedRange {
  type: 'ECOSYSTEM' | 'SEMVER' | 'GIT';
  events: RangeEvent[];
}

export interface AffectedEntry {
  /** As published: `Debian:12`, `Alpine:v3.18`, `npm`. */
  ecosystem: string;
  /** Source/origin package for Debian, Ubuntu and Alpine; normalised for PyPI. */
  packageName: string;
  purl?: string | undefined;
  ranges: AffectedRange[];
  versions: string[];
  /** The publishing database's rating for this package (ecosystem_specific / database_specific). */
  severity?: Severity | undefined;
}

export interface NormalizedAdvisory {
  /** advisory_sources.name, e.g. `osv:Debian`, `alpine-secdb:v3.18`. */
  source: string;
  id: string;
  modified?: Date | undefined;
  published?: Date | undefined;
  withdrawn?: Date | undefined;
  summary?: string | undefined;
  aliases: string[];
  upstream: string[];
  severity: SeverityEntry[];
  affected: AffectedEntry[];
  /** The validated source record, stored as is. */
  record: unknown;
}

export type AdvisorySourceKind = 'osv' | 'alpine-secdb' | 'kev' | 'epss' | 'vex' | 'cve';

/**
 * One CVSS score of a CVE record (CVE JSON 5, the CVE List): from the CNA's container or an ADP's
 * (e.g. CISA-ADP). `source` is the severity-source name it carries onto findings:
 * `cve:<CNA short name>` or `cve-adp:<ADP short name>` (docs/advisories.md#severity).
 */
export interface CveScore {
  source: string;
  /** Which container published it: the CNA's comes before any ADP's. */
  container: 'cna' | 'adp';
  /**
   * The CVSS version, or `rating` for a CNA's own rating word published without CVSS (OpenSSL's
   * `other` metric "Low"): then `vector` holds the word as published and `baseScore` is 0.
   */
  cvssVersion: CvssVersion | 'rating';
  vector: string;
  /** The base score as published (0 for a rating word). */
  baseScore: number;
  /** The published baseSeverity, or FIRST's scale over the score when absent (CVSS v2). */
  rating: Severity;
}

/** What a CVE record says about severity: its scores, or that it was rejected. */
export interface CveRecordScores {
  cveId: string;
  state: 'PUBLISHED' | 'REJECTED';
  /** cveMetadata.dateUpdated: a record replaces the stored scores when newer. */
  dateUpdated?: Date | undefined;
  scores: CveScore[];
}

export type VexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';

export interface VexStatement {
  document: string;
  format: 'openvex' | 'cyclonedx';
  /** A purl, an image digest (`sha256:…`) or a `pkg:oci/…@sha256%3A…` purl. */
  product: string;
  subcomponent?: string | undefined;
  vulnerabilityId: string;
  status: VexStatus;
  justification?: string | undefined;
  impact?: string | undefined;
  action?: string | undefined;
  issuedAt?: Date | undefined;
}
