// Public API of the importers stage: read Trivy, Grype, CycloneDX, trivy-operator and osv-scanner
// reports, map them to image digests and land them as findings (docs/importers.md).
export { parseCycloneDxReport } from './cyclonedx/parse.js';
export { detectReportFormat } from './detect.js';
export { ReportFormatError } from './errors.js';
export { parseGrypeReport } from './grype/parse.js';
export {
  type ImageImportSummary,
  type ImportOptions,
  type ImportResult,
  importReports,
} from './import-reports.js';
export {
  importSbom,
  NotAnSbomError,
  SBOM_SOURCE,
  type SbomImportOptions,
  type SbomImportResult,
} from './import-sbom.js';
export {
  IMPORT_FORMATS,
  type ImageHints,
  type ImportFormat,
  type ParsedImageReport,
  type SkippedItem,
  type WorkloadLink,
} from './model.js';
export { parseOsvScannerReport } from './osv-scanner/parse.js';
export { parseReport } from './parse-report.js';
export { parseReportText, readReportFile } from './read-report.js';
export {
  type ImportMatchMethod,
  type ReportImageResolution,
  type ReportImageTarget,
  resolveReportImage,
} from './resolve-image.js';
export { parseTrivyReport } from './trivy/parse.js';
export {
  ClusterListError,
  kubernetesReportLister,
  listVulnerabilityReports,
  type ReportLister,
} from './trivy-operator/cluster.js';
export { parseTrivyOperatorReports } from './trivy-operator/parse.js';
