export { LATEST_SCHEMA_VERSION, migrate, schemaVersion } from './migrate.js';
export {
  defaultDataDir,
  openStore,
  redactUrl,
  type Store,
  type StoreKind,
  type StoreOptions,
} from './open-store.js';
export * from './queries/posture/index.js';
export * from './queries/propagation/index.js';
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
