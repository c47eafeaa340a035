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
  findKnownImage,
  findLatestTagObservation,
  findManifestsByConfig,
  type KnownImage,
  type TagObservation,
} from './queries/importers/find-image-identity.js';
export { listImageSources, type SourceScan } from './queries/importers/list-image-sources.js';
export {
  recordTagObservations,
  type TagObservationRow,
} from './queries/importers/record-tag-observations.js';
export { saveImportedScans } from './queries/importers/save-imported-scans.js';
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
