// osv-scanner JSON → one image report (osv-scanner names no image digest: --image is required, or
// the report is matched to nothing). One finding per (OSV record, package); records of one alias
// group fold into one finding when they name the same CVE. Severity: the record's
// database_specific.severity (GHSA `MODERATE` → MEDIUM), else its CVSS v3 base score, else the
// group's max_severity score; fixed versions are the `fixed` events of the record's ranges for
// that package.
import type { Finding } from '../../core/types.js';
import { pickCvss } from '../cvss.js';
import { canonicalId, dedupeFindings } from '../dedupe.js';
import type { ParsedImageReport, ReportedFinding, SkippedItem } from '../model.js';
import { mapSeverity, severityFromScore } from '../severity.js';
import { itemLabel, parseDocument, parseItems } from '../validate.js';
import { type OsvPackageVulns, type OsvRecord, osvRecordSchema, osvScannerOutputSchema } from './schema.js';

export function parseOsvScannerReport(data: unknown, file: string): ParsedImageReport[] {
  const doc = parseDocument(osvScannerOutputSchema, data, file, 'osv-scanner JSON report');
  const skipped: SkippedItem[] = [];
  const reported: ReportedFinding[] = [];
  for (const result of doc.results)
    for (const pv of result.packages ?? []) {
      const p = pv.package;
      const records = parseItems(osvRecordSchema, pv.vulnerabilities ?? [], itemLabel(['id']), skipped);
      if (!p.name || !p.ecosystem || !p.version) {
        for (const r of records)
          skipped.push({
            id: r.id,
            kind: 'ignored',
            reason: p.commit
              ? `found in git commit ${p.commit} of ${result.source.path}, not in a package`
              : `package in ${result.source.path} has no name, ecosystem or version`,
          });
        continue;
      }
      for (const r of records)
        reported.push(toFinding(r, pv, { name: p.name, ecosystem: p.ecosystem, version: p.version }));
    }
  const { findings, skipped: dups } = dedupeFindings(reported);
  return [
    {
      format: 'osv-scanner',
      origin: file,
      label: undefined,
      hints: { repoDigests: [], references: [] },
      scannerVersion: undefined,
      scannedAt: undefined,
      os: undefined,
      packages: [],
      findings,
      skipped: [...skipped, ...dups],
      workloads: [],
    },
  ];
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
        ? severityFromScore(cvss.score)
        : Number.isFinite(groupScore)
          ? severityFromScore(groupScore)
          : 'UNKNOWN';
  const fixed = new Set<string>();
  for (const a of r.affected ?? []) {
    if (a.package?.name && a.package.name.toLowerCase() !== pkg.name.toLowerCase()) continue;
    for (const range of a.ranges ?? []) {
      if (range.type === 'GIT') continue;
      for (const e of range.events ?? []) if (e.fixed) fixed.add(e.fixed);
    }
  }
  const finding: Finding = {
    id,
    aliases,
    package: { ecosystem: pkg.ecosystem, name: pkg.name },
    installedVersion: pkg.version,
    fixedVersion: fixed.size ? [...fixed].join(', ') : undefined,
    severity,
    cvss,
    kev: false,
    status: 'affected',
    source: 'osv-scanner',
  };
  return { finding, reportedId: r.id };
}
