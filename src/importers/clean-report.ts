// The importers' text boundary: every string of a parsed report (packages, findings, identity hints,
// workload links) is cleaned by the one rule of core/untrusted-text.ts before the report is resolved
// to an image or saved. Each change is reported as a skipped item of kind `cleaned` (the entry is
// kept; the reason says which field changed and how), so the summary and the warnings show it.
import { cleanTree, describeTextChange, type TextChange } from '../core/untrusted-text.js';
import type { ParsedImageReport, SkippedItem } from './model.js';

export function cleanParsedReports(reports: ParsedImageReport[]): ParsedImageReport[] {
  return reports.map(cleanParsedReport);
}

function cleanParsedReport(report: ParsedImageReport): ParsedImageReport {
  const changes: TextChange[] = [];
  const clean = cleanTree(report, '', changes);
  if (!changes.length) return report;
  const notes: SkippedItem[] = changes.map((c) => ({
    id: itemOf(clean, c.field),
    kind: 'cleaned',
    reason: describeTextChange(c),
  }));
  return { ...clean, skipped: [...clean.skipped, ...notes] };
}

/** The finding id or package name a changed field belongs to, else the field itself. */
function itemOf(report: ParsedImageReport, field: string): string {
  const m = /^(findings|packages)\[(\d+)\]/.exec(field);
  if (m?.[1] === 'findings') return report.findings[Number(m[2])]?.id ?? field;
  if (m?.[1] === 'packages') return report.packages[Number(m[2])]?.name ?? field;
  return field;
}
