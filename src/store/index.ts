export { LATEST_SCHEMA_VERSION, migrate, schemaVersion } from './migrate.js';
export {
  defaultDataDir,
  openStore,
  redactUrl,
  type Store,
  type StoreKind,
  type StoreOptions,
} from './open-store.js';
export {
  getLayerCache,
  type LayerCacheKey,
  type LayerCacheRow,
} from './queries/scan/get-layer-cache.js';
export { putLayerCache } from './queries/scan/put-layer-cache.js';
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
