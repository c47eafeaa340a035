// Public surface of advisories/: import (OSV, Alpine secdb, KEV, EPSS, VEX, CVE records), severity
// and its precedence, matching, VEX, re-match.

export { normalizeCveRecord } from './cve/normalize.js';
export { type CveRecord, cveRecord } from './cve/schema.js';
export { type CvssScore, ratingFor, scoreCvss } from './cvss.js';
export { AdvisoryFormatError, AdvisorySourceError } from './errors.js';
export * from './feeds/index.js';
export { evaluateAffected, type Verdict } from './match/evaluate.js';
export {
  canonicalIds,
  createMatcher,
  type Matcher,
  type MatchOptions,
  matchPackages,
} from './match/matcher.js';
export { type RematchOptions, type RematchResult, rematch, touchedScans } from './rematch.js';
export {
  advisorySeveritySource,
  type ChosenSeverity,
  chooseSeverity,
  normalizeRating,
  type SeverityInputs,
} from './severity.js';
export {
  type SourceSummary as AdvisorySourceSummary,
  type UpdateOptions,
  type UpdateResult,
  updateAdvisories,
} from './update.js';
export { type ApplyVexOptions, applyVex, vexStatementApplies } from './vex/apply-vex.js';
export { parseVex, type VexStatement, type VexStatus } from './vex/parse-vex.js';
