export { attributeLayers, type BaseImage, type LayerAttribution } from './base-image.js';
export { type FixAction, type FixGuidance, type ImageRemediation, remediationFor } from './fix-guidance.js';
export { type DiffEntry, diffImages, type ImageDiff } from './image-diff.js';
export {
  type PostureSide,
  parseWorkloadSpec,
  type RolloutCheck,
  rolloutCheck,
  type WorkloadSpec,
} from './rollout.js';
