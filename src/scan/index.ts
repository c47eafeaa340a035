// Public API of the built-in scanner: scan an image (or an SBOM) into packages and findings, the
// extractor plugin list, and the SBOM writers.
export { EXTRACTORS } from './extractors/index.js';
export { detectOs, type OsInfo } from './extractors/os/release/detect.js';
export { foldLayers, type ImageView } from './fold.js';
export {
  type ConvertedSbom,
  convertSbom,
  SBOM_FORMATS,
  type SbomFormat,
  sbomDocument,
} from './sbom/convert.js';
export { toCycloneDx } from './sbom/cyclonedx.js';
export { parseSbom, readSbomFile, type SbomInput } from './sbom/read-sbom.js';
export { toSpdx } from './sbom/spdx.js';
export {
  type ImageScanResult,
  type PackageMatcher,
  SCANNER_VERSION,
  type ScanImageOptions,
  scanImage,
} from './scan-image.js';
export { scanSbom } from './scan-sbom.js';
export type { ExtractInput, Extractor, ExtractResult, ScanIssue, ScanLimits } from './types.js';
export { DEFAULT_LIMITS } from './types.js';
