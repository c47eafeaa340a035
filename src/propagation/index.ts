// Propagation: containers → the platform manifest they run → that image's findings, rolled up.
export {
  type ContainerPostureFields,
  containerPostureFields,
  type SeverityCounts,
} from './container-counts.js';
export { listCoverageGaps, listInUseScanTargets, type ScanTarget } from './coverage.js';
export { findImageDigest, ImageNotFoundError } from './find-image.js';
export { type Age, age, type Freshness, getFreshness, humanAge, rowStaleness } from './freshness.js';
export { digestReference, parseImageName, repositoryKey } from './image-name.js';
export { parseNodePlatform, pickPlatformChild } from './platform.js';
export {
  gateTrips,
  getPosture,
  LIMITS,
  POSTURE_BY,
  type PostureBy,
  type PostureGroup,
  type PostureQuery,
  type PostureReport,
  RANK,
} from './posture.js';
export {
  explainResolution,
  type ResolutionChange,
  type ResolveResult,
  resolveContainers,
} from './resolve.js';
export {
  type ContainerIdentity,
  type IdentityGraph,
  type Resolution,
  resolveContainer,
} from './resolve-container.js';
export { authoritativeSource, type PostureConfig } from './settings.js';
export { type ContainerView, showContainer, showWorkload, type WorkloadView } from './show.js';
export { type ScopeUpdate, SNAPSHOT_KINDS, type SnapshotOptions, updateScopePosture } from './snapshots.js';
export {
  afterInventoryMutation,
  applyPostureDelta,
  maintainPosture,
  type PostureState,
  postureState,
  recomputePosture,
  type SyncOptions,
  type SyncResult,
  syncPosture,
  type WrittenInputs,
} from './sync.js';
export {
  CHECK_NAMES,
  type Check,
  type CheckStatus,
  type ValidateInput,
  validatePropagation,
} from './validate.js';
export { type VulnWhere, vulnWhere } from './vuln-where.js';
