// osv-scanner JSON → one image report (osv-scanner names no image digest: --image is required, or
// the report is matched to nothing). One finding per (OSV record, package); records of one alias
// group fold into one finding when they name the same CVE. Severity: the record's
// database_specific.severity (GHSA `MODERATE` → MEDIUM), else its CVSS v3 base score, else the
// group's max_severity score; the fixed version is the one closing the range the installed
// version falls in (versioning/ comparators).

import { ratingFor } from '../../advisories/index.js';
import type { Finding } from '../../core/types.js';
import { compareVersions } from '../../versioning/index.js';
import { pickCvss } from '../cvss.js';
import { canonicalId, dedupeFindings } from '../dedupe.js';
import type { ParsedImageReport, ReportedFinding, SkippedItem } from '../model.js';
import { mapSeverity } from '../severity.js';
import { itemLabel, parseDocument, parseItems } from '../validate.js';
import {
  type OsvPackageVulns,
  type OsvRecord,
  type OsvScannerOutput,
  osvRecordSchema,
  osvScannerOutputSchema,
} from './schema.js';

export function parseOsvScannerReport(data: unknown, file: string): ParsedImageReport[] {
  const doc = parseOsvScannerDocument(data, file);
  const skipped: SkippedItem[] = [];
  const reported: ReportedFinding[] = [];
  for (const result of doc.results)
    for (const pv of result.packages ?? []) {
      const records = parseItems(osvRecordSchema, pv.vulnerabilities ?? [], RECORD_LABEL, skipped);
      const read = packageReader(pv, result.source.path);
      for (const r of records) {
        const f = read(r);
        if ('finding' in f) reported.push(f);
        else skipped.push(f);
      }
    }
  const { findings, skipped: dups } = dedupeFindings(reported);
  return [{ ...osvScannerHeader(file), findings, skipped: [...skipped, ...dups] }];
}

export const RECORD_LABEL = itemLabel(['id']);

export function parseOsvScannerDocument(data: unknown, file: string): OsvScannerOutput {
  return parseDocument(osvScannerOutputSchema, data, file, 'osv-scanner JSON report');
}

/** The report without findings and skips: osv-scanner names no image, scanner or time. */
export function osvScannerHeader(file: string): ParsedImageReport {
  return {
    format: 'osv-scanner',
    origin: file,
    label: undefined,
    hints: { repoDigests: [], references: [] },
    scannerVersion: undefined,
    scannedAt: undefined,
    os: undefined,
    packages: [],
    findings: [],
    skipped: [],
    workloads: [],
  };
}

/** How one package's records become findings, or `ignored` skips when the package is none (a
 * git commit, or no name, ecosystem or version). */
export function packageReader(
  pv: OsvPackageVulns,
  sourcePath: string,
): (r: OsvRecord) => ReportedFinding | SkippedItem {
  const p = pv.package;
  if (!p.name || !p.ecosystem || !p.version) {
    const reason = p.commit
      ? `found in git commit ${p.commit} of ${sourcePath}, not in a package`
      : `package in ${sourcePath} has no name, ecosystem or version`;
    return (r) => ({ id: r.id, kind: 'ignored', reason });
  }
  const pkg = { name: p.name, ecosystem: p.ecosystem, version: p.version };
  return (r) => toFinding(r, pv, pkg);
}

function toFinding(
  r: OsvRecord,
  pv: OsvPackageVulns,
  pkg: { name: string; ecosystem: string; version: string },
): ReportedFinding {
  const group = (pv.groups ?? []).find((g) => g.ids.includes(r.id));
  const { id, aliases } = canonicalId(r.id, r.aliases ?? []);
  for (const a of [...(group?.ids ?? []), ...(group?.aliases ?? [])])
    if (a !== id && !aliases.includes(a)) aliases.push(a);
  const cvss = pickCvss(
    (r.severity ?? []).filter((s) => s.type.startsWith('CVSS_')).map((s) => ({ vector: s.score })),
  );
  const dbSeverity = r.database_specific?.severity;
  const groupScore = Number.parseFloat(group?.max_severity ?? '');
  const severity =
    typeof dbSeverity === 'string' && mapSeverity(dbSeverity) !== 'UNKNOWN'
      ? mapSeverity(dbSeverity)
      : cvss
        ? ratingFor(cvss.version, cvss.score)
        : Number.isFinite(groupScore)
          ? ratingFor('3.1', groupScore)
          : 'UNKNOWN';
  const fixedVersion = fixedFor(r, pkg);
  const finding: Finding = {
    id,
    aliases,
    package: { ecosystem: pkg.ecosystem, name: pkg.name },
    installedVersion: pkg.version,
    fixedVersion,
    severity,
    cvss,
    kev: false,
    status: 'affected',
    source: 'osv-scanner',
  };
  return { finding, reportedId: r.id };
}

/**
 * The fixed version for the installed one: the `fixed` event closing the range interval that
 * contains it (OSV schema, "Evaluation"), compared with the ecosystem's own version ordering.
 * When the ordering is unknown or a version does not parse, every fixed version is listed.
 */
function fixedFor(
  r: OsvRecord,
  pkg: { name: string; ecosystem: string; version: string },
): string | undefined {
  const all = new Set<string>();
  const cmp = (a: string, b: string) => compareVersions(pkg.ecosystem, a, b);
  try {
    for (const a of r.affected ?? []) {
      if (a.package?.name && a.package.name.toLowerCase() !== pkg.name.toLowerCase()) continue;
      for (const range of a.ranges ?? []) {
        if (range.type === 'GIT') continue;
        let introduced: string | undefined;
        for (const e of range.events ?? []) {
          if (e.introduced !== undefined) introduced = e.introduced;
          if (e.fixed === undefined) continue;
          all.add(e.fixed);
          const after = introduced === undefined || introduced === '0' || cmp(pkg.version, introduced) >= 0;
          if (after && cmp(pkg.version, e.fixed) < 0) return e.fixed;
        }
      }
    }
  } catch {
    // unknown ecosystem or unparsable version: fall through to the list
  }
  return all.size ? [...all].join(', ') : undefined;
}
