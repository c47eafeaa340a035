// Runsight's library entry point. Stages export their public functions here.

export {
  AdvisoryFormatError,
  AdvisorySourceError,
  applyVex,
  createMatcher,
  getVulnerability,
  type Matcher,
  type MatchOptions,
  matchPackages,
  parseVex,
  type RematchOptions,
  type RematchResult,
  rematch,
  scoreCvss,
  type UpdateOptions,
  type UpdateResult,
  updateAdvisories,
  type VexStatement,
} from './advisories/index.js';
export * from './core/index.js';
export {
  getStoreStatus,
  openStore,
  type Store,
  type StoreKind,
  type StoreStatus,
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
