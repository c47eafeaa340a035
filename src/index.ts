// Runsight's library entry point. Stages export their public functions here.
export * from './core/index.js';
export {
  chooseAuthoritativeSource,
  compareSources,
  detectFormat,
  IMPORT_FORMATS,
  type ImageImportSummary,
  type ImageShow,
  type ImportFormat,
  type ImportMatchMethod,
  type ImportResult,
  importReports,
  kubernetesReportLister,
  listVulnerabilityReports,
  type ParsedImageReport,
  parseReport,
  ReportFormatError,
  readReportFile,
  resolveImage,
  showImage,
} from './importers/index.js';
export {
  getStoreStatus,
  openStore,
  type Store,
  type StoreKind,
  type StoreStatus,
} from './store/index.js';
