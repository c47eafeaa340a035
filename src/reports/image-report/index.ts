// Per-image documents out of what Runsight holds for one image — SARIF 2.1.0, CycloneDX 1.6 (BOM +
// vulnerabilities + VEX analysis) and OpenVEX (docs/reports.md "Per image: SARIF, CycloneDX,
// OpenVEX"). `runsight report --image REF --format sarif|cyclonedx|openvex` and
// `GET /api/v1/images/{digest}/report?format=` call renderImageReport.
export {
  IMAGE_REPORT_FORMATS,
  type ImageReportFormat,
  type ImageReportOptions,
  type RenderedReport,
} from './model.js';
export { renderImageReport } from './render.js';
