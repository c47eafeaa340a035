// Public surface of versioning/: one comparator per ecosystem behind one interface, and the one
// mapping from an OS release or a package URL to an OSV ecosystem name.
export {
  baseEcosystem,
  compareVersions,
  ecosystemRelease,
  isKnownEcosystem,
  SCHEMES,
  schemeFor,
} from './ecosystems.js';
export { osvEcosystem } from './os-ecosystem.js';
export {
  encodePurlComponent,
  formatPurl,
  OS_PACKAGE_TYPES,
  PURL_TYPE_ECOSYSTEMS,
  type Purl,
  type PurlMappingOptions,
  type PurlPackage,
  type PurlParts,
  packageFromPurl,
  parsePurl,
} from './purl.js';
export { InvalidVersionError, type Ordering, UnknownEcosystemError, type VersionScheme } from './scheme.js';
