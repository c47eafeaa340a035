export { LATEST_SCHEMA_VERSION, migrate, schemaVersion } from './migrate.js';
export {
  defaultDataDir,
  openStore,
  redactUrl,
  type Store,
  type StoreKind,
  type StoreOptions,
} from './open-store.js';
export * from './queries/advisories/cve-scores.js';
export * from './queries/advisories/feeds.js';
export * from './queries/advisories/find-affected.js';
export * from './queries/advisories/get-advisory-status.js';
export * from './queries/advisories/get-advisory-versions.js';
export * from './queries/advisories/get-vulnerability.js';
export * from './queries/advisories/rematch-in-store.js';
export * from './queries/advisories/rematch-scans.js';
export * from './queries/advisories/replace-enrichment.js';
export * from './queries/advisories/upsert-advisory-source.js';
export * from './queries/advisories/vex-statements.js';
export * from './queries/advisories/write-advisories.js';
export * from './queries/agents/index.js';
export * from './queries/auth/index.js';
export {
  getImageIdentity,
  listImageChildren,
  listImageNames,
  listManifestsByConfig,
  type StoredImage,
} from './queries/identity/get-image-identity.js';
export { listTagDrift, type TagDrift, type TagDriftFilter } from './queries/identity/list-tag-drift.js';
export {
  lookupTagAt,
  lookupTagLatest,
  type TagKey,
  type TagObservation,
} from './queries/identity/lookup-tag-at.js';
export { type ImageNameRow, recordImageNames } from './queries/identity/record-image-names.js';
export {
  type RecordedResolution,
  type RecordOptions,
  type ResolutionRecord,
  recordResolution,
  recordResolutionIn,
} from './queries/identity/record-resolution.js';
export * from './queries/image-report/read-image-report.js';
export { describeDigest, type KnownDigestFacts } from './queries/importers/describe-digest.js';
export {
  createImportStaging,
  dropStagedItems,
  readStagedFindings,
  readStagedFindingsByPackage,
  readStagedItems,
  readStagedPackages,
  readStagedRefs,
  type StagedFinding,
  type StagedItem,
  stageFindings,
  stageItems,
  stagePackages,
  stageRefs,
  updateStagedFindings,
} from './queries/importers/import-staging.js';
export { listImageSources, type SourceScan } from './queries/importers/list-image-sources.js';
export { listReportedManifests, type ReportedManifest } from './queries/importers/list-reported-manifests.js';
export {
  recordTagObservations,
  type TagObservationRow,
} from './queries/importers/record-tag-observations.js';
export { saveImportedScans } from './queries/importers/save-imported-scans.js';
export { type StreamedScanRecord, saveStreamedScansIn } from './queries/importers/save-streamed-scans.js';
export { containerRow, platformText } from './queries/inventory/container-columns.js';
export {
  CONTAINER_SORTS,
  type ContainerFilter,
  type ContainerOrderKey,
  type ContainerRow,
  type ContainerSort,
  type ContainerSortKey,
  containerSortKey,
  isContainerSortKey,
  listContainers,
  listOrderKey,
} from './queries/inventory/list-containers.js';
export { type InventorySourceRow, listInventorySources } from './queries/inventory/list-inventory-sources.js';
export {
  finishInventoryRun,
  recordFailedInventoryRun,
  startInventoryRun,
} from './queries/inventory/record-inventory-run.js';
export {
  type AppliedMutation,
  type ApplyOptions,
  ensureInventorySource,
  type InventoryRunError,
  type InventorySourceKind,
  type InventorySourceSpec,
  type InventoryStreamEnd,
  type StreamApplyOptions,
  writeInventoryMutation,
  writeInventoryStream,
} from './queries/inventory/write-inventory-mutation.js';
export * from './queries/jobs/index.js';
export * from './queries/metrics/index.js';
export * from './queries/notifications/index.js';
export * from './queries/posture/index.js';
export * from './queries/propagation/index.js';
export * from './queries/reports/index.js';
export * from './queries/retention/index.js';
export {
  getLayerCache,
  type LayerCacheKey,
  type LayerCacheRow,
} from './queries/scan/get-layer-cache.js';
export { getLayerBlobs, type LayerBlob, putLayerBlobs } from './queries/scan/layer-blobs.js';
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
