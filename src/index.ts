// Runsight's library entry point: each stage's public API, in data-flow order. A stage decides
// what is public in its own index.ts; a name two stages export is a compile error here.
// biome-ignore-all assist/source/organizeImports: the exports follow the data flow, not the alphabet.
export * from './core/index.js';
export * from './versioning/index.js';
export * from './identity/index.js';
export {
  DEFAULT_LIMITS,
  detectOs,
  EXTRACTORS,
  type Extractor,
  type ImageScanResult,
  type OsInfo,
  type PackageMatcher,
  parseSbom,
  readSbomFile,
  SCANNER_VERSION,
  type ScanImageOptions,
  type ScanLimits,
  scanImage,
  scanSbom,
  toCycloneDx,
  toSpdx,
} from './scan/index.js';
export * from './importers/index.js';
export * from './advisories/index.js';
export * from './inventory/index.js';
export * from './propagation/index.js';
export * from './remediation/index.js';
export * from './views/index.js';
export {
  type ContainerFilter,
  type ContainerRow,
  getImageIdentity,
  getStoreStatus,
  type InventorySourceRow,
  listContainers,
  listImageChildren,
  listImageNames,
  listInventorySources,
  listManifestsByConfig,
  listTagDrift,
  lookupTagAt,
  lookupTagLatest,
  openStore,
  type RecordedResolution,
  type ResolutionRecord,
  recordResolution,
  type Store,
  type StoredImage,
  type StoreKind,
  type StoreStatus,
  type TagDrift,
  type TagKey,
  type TagObservation,
} from './store/index.js';
