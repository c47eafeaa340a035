// One entry point over the five parsers: format name (or auto-detection) → image reports, their
// text cleaned (clean-report.ts).
import { cleanParsedReports } from './clean-report.js';
import { parseCycloneDxReport } from './cyclonedx/parse.js';
import { detectReportFormat } from './detect.js';
import { parseGrypeReport } from './grype/parse.js';
import type { ImportFormat, ParsedImageReport } from './model.js';
import { parseOsvScannerReport } from './osv-scanner/parse.js';
import { parseTrivyReport } from './trivy/parse.js';
import { parseTrivyOperatorReports } from './trivy-operator/parse.js';

const PARSERS: Record<ImportFormat, (data: unknown, file: string) => ParsedImageReport[]> = {
  trivy: parseTrivyReport,
  grype: parseGrypeReport,
  cyclonedx: parseCycloneDxReport,
  'trivy-operator': parseTrivyOperatorReports,
  'osv-scanner': parseOsvScannerReport,
};

export function parseReport(data: unknown, format: ImportFormat | 'auto', file: string): ParsedImageReport[] {
  const f = format === 'auto' ? detectReportFormat(data, file) : format;
  return cleanParsedReports(PARSERS[f](data, file));
}
