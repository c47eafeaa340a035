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
  type AppliedMutation,
  type ApplyOptions,
  applyInventoryMutation,
  ensureInventorySource,
  type InventoryRunError,
  type InventorySourceKind,
  type InventorySourceSpec,
  platformText,
} from './queries/inventory/apply-inventory-mutation.js';
export {
  type ContainerFilter,
  type ContainerRow,
  listContainers,
} from './queries/inventory/list-containers.js';
export { type InventorySourceRow, listInventorySources } from './queries/inventory/list-inventory-sources.js';
export {
  finishInventoryRun,
  recordFailedInventoryRun,
  startInventoryRun,
} from './queries/inventory/record-inventory-run.js';
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
