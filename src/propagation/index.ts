// Propagation: containers → the platform manifest they run → that image's findings, rolled up and
// kept current after every write (maintainPosture). Pure reads of the result live in src/views/.
export {
  COUNTED_STATUSES,
  type CountSummary,
  countFindings,
  FIGURE_SEVERITIES,
  type FigureSeverity,
  type Figures,
  type FindingFilter,
  fewerBySeverity,
  figuresFromCells,
  passes,
  summaryFromCells,
  zeroFigures,
} from './cells.js';
export { findImageDigest, ImageNotFoundError } from './find-image.js';
export { digestReference, parseImageName, repositoryKey } from './image-name.js';
export { chooseScans, refreshImages } from './image-posture.js';
export { parseNodePlatform, pickPlatformChild } from './platform.js';
export { listPriorities, type PriorityRow } from './priorities.js';
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
export {
  type ComputeOptions,
  computeRollup,
  computeRollups,
  type RollupPage,
  type RollupRow,
  readRollups,
  toRollupRow,
} from './rollups.js';
export {
  authoritativeSource,
  chooseAuthoritativeSource,
  durationToMs,
  type PostureConfig,
  type PostureConfigSections,
  postureConfigOf,
} from './settings.js';
export { type ScopeUpdate, SNAPSHOT_KINDS, type SnapshotOptions, updateScopePosture } from './snapshots.js';
export {
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
