export { LATEST_SCHEMA_VERSION, migrate, schemaVersion } from './migrate.js';
export {
  defaultDataDir,
  openStore,
  redactUrl,
  type Store,
  type StoreKind,
  type StoreOptions,
} from './open-store.js';
export { findAffected, getEnrichment } from './queries/advisories/find-affected.js';
export { type AdvisoryStatus, getAdvisoryStatus } from './queries/advisories/get-advisory-status.js';
export { getVulnerability } from './queries/advisories/get-vulnerability.js';
export {
  findScansForPackages,
  listCurrentScans,
  loadScanPackages,
  replaceScanFindings,
} from './queries/advisories/rematch-scans.js';
export { listVexStatements, replaceVexDocument } from './queries/advisories/vex-statements.js';
export { type PackageKey, writeAdvisories } from './queries/advisories/write-advisories.js';
export {
  insertFindings,
  type SavedScan,
  type ScanError,
  type ScanRecord,
  saveScan,
  saveScanIn,
} from './queries/scans/save-scan.js';
export { getStoreStatus, type StoreStatus } from './queries/status/get-store-status.js';
export type { Database } from './schema.js';
