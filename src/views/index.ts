// Views: pure reads of maintained posture — the posture report, container and workload detail,
// CVE-first, coverage, freshness, image sources and the validation checklist. None writes; each says
// how old the roll-ups it reads are (freshness.posture).
export {
  compareSources,
  type FindingDifference,
  type SourceSummary,
  summariseSources,
} from './compare-sources.js';
export {
  type ContainerPostureFields,
  containerPostureFields,
  type SeverityCounts,
} from './container-counts.js';
export { listCoverageGaps, listInUseScanTargets, type ScanTarget } from './coverage.js';
export { type Age, age, type Freshness, getFreshness, humanAge, rowStaleness } from './freshness.js';
export { type HistoryQuery, type PostureHistory, postureHistory } from './history.js';
export { type ImageDiffQuery, showImageDiff } from './image-diff.js';
export {
  type ContainerDocument,
  type ContainerList,
  type ContainerListQuery,
  containerJson,
  listContainerDocuments,
  listContainerPage,
} from './list-containers.js';
export {
  gateTrips,
  getPosture,
  LIMITS,
  POSTURE_BY,
  type PostureBy,
  type PostureGroup,
  type PostureQuery,
  type PostureReport,
} from './posture.js';
export { NotFoundError, type ScopedRead } from './scoped-read.js';
export { type ContainerView, showContainer, showWorkload, type WorkloadView } from './show.js';
export { type ImageShow, showImage } from './show-image.js';
export {
  CHECK_NAMES,
  type Check,
  type CheckStatus,
  type ValidateInput,
  validatePropagation,
} from './validate.js';
export { showVulnerability, type VulnerabilityShow } from './vuln-show.js';
export { type VulnWhere, type VulnWhereContainers, vulnWhere } from './vuln-where.js';
