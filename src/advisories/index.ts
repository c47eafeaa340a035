// Public surface of advisories/: import (OSV, Alpine secdb, KEV, EPSS, VEX), matching, VEX, re-match.

export { type CvssScore, ratingFor, scoreCvss } from './cvss.js';
export { AdvisoryFormatError, AdvisorySourceError } from './errors.js';
export { evaluateAffected, type Verdict } from './match/evaluate.js';
export {
  canonicalIds,
  createMatcher,
  type Matcher,
  type MatchOptions,
  matchPackages,
} from './match/matcher.js';
export { type RematchOptions, type RematchResult, rematch, touchedScans } from './rematch.js';
export { chooseSeverity, normalizeRating } from './severity.js';
export {
  type SourceSummary as AdvisorySourceSummary,
  type UpdateOptions,
  type UpdateResult,
  updateAdvisories,
} from './update.js';
export { type ApplyVexOptions, applyVex } from './vex/apply-vex.js';
export { parseVex, type VexStatement, type VexStatus } from './vex/parse-vex.js';
