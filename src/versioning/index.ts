// Public surface of versioning/: one comparator per ecosystem behind one interface.
export {
  baseEcosystem,
  compareVersions,
  ecosystemRelease,
  isKnownEcosystem,
  SCHEMES,
  schemeFor,
} from './ecosystems.js';
export { InvalidVersionError, type Ordering, UnknownEcosystemError, type VersionScheme } from './scheme.js';
