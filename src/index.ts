// Runsight's library entry point. Stages export their public functions here.
export * from './core/index.js';
export * from './propagation/index.js';
export * from './registry/index.js';
export * from './remediation/index.js';
export {
  getImageIdentity,
  getStoreStatus,
  listImageChildren,
  listImageNames,
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
export {
  baseEcosystem,
  compareVersions,
  ecosystemRelease,
  InvalidVersionError,
  isKnownEcosystem,
  type Ordering,
  SCHEMES,
  schemeFor,
  UnknownEcosystemError,
  type VersionScheme,
} from './versioning/index.js';
