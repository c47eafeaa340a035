// `runsight image show`: the sources that cover one digest side by side, which one is authoritative
// for posture (config `posture.authoritativeSource`), and their differences — a (vulnerability,
// package, installed version) in one source and not another, or reported with a different severity,
// fixed version or status. Vulnerabilities are matched across sources by id or alias, so a GHSA
// in one scanner and its CVE in another are one vulnerability. Each source also gets `summary:
// {vulnerabilities, findings}` of its own rows (docs/cli.md#counts-vulnerabilities-and-findings).

import { SEVERITIES, type Severity } from '../core/types.js';
import { type CountSummary, countFindings } from '../propagation/index.js';
import type { SourceScan } from '../store/index.js';

export interface SourceSummary {
  source: string;
  scannerVersion: string | null;
  scannedAt: string;
  status: string;
  authoritative: boolean;
  matchMethod: string | null;
  /** Every row of this source's scan, whatever its status (affected, unknown, not_affected, fixed). */
  findings: number;
  /** Rows with a counted status (affected, unknown) by each row's own severity; VEX not applied. */
  counts: Record<Severity, number>;
  /** This source's vulnerabilities and findings (counted statuses; VEX not applied). */
  summary: CountSummary;
}

export interface SourceView {
  severity: Severity;
  fixedVersion: string | null;
  status: string;
  id: string;
}

export interface FindingDifference {
  vulnerability: string;
  package: string;
  installedVersion: string;
  /** only-in-some-sources | severity | fixed-version | status (several joined with `,`). */
  kind: string;
  bySource: Record<string, SourceView | null>;
}

/** `kevIds`: the vulnerability ids the KEV catalog lists (for the summaries' KEV figures). */
export function summariseSources(
  scans: SourceScan[],
  authoritative: string | null,
  kevIds: ReadonlySet<string> = new Set(),
): SourceSummary[] {
  return scans.map((s) => {
    const counts = Object.fromEntries(SEVERITIES.map((sev) => [sev, 0])) as Record<Severity, number>;
    for (const f of s.findings) if (f.status !== 'not_affected' && f.status !== 'fixed') counts[f.severity]++;
    const imp = (s.stats.import ?? {}) as { matchMethod?: string };
    return {
      source: s.source,
      scannerVersion: s.scannerVersion,
      scannedAt: s.startedAt.toISOString(),
      status: s.status,
      authoritative: s.source === authoritative,
      matchMethod: imp.matchMethod ?? null,
      findings: s.findings.length,
      counts,
      summary: countFindings(
        s.findings.map((f) => ({
          id: f.vulnerabilityId,
          severity: f.severity,
          kev: kevIds.has(f.vulnerabilityId),
          fixedVersion: f.fixedVersion,
          status: f.status,
        })),
      ),
    };
  });
}

export function compareSources(scans: SourceScan[]): FindingDifference[] {
  if (scans.length < 2) return [];
  // Union-find over ids and aliases: one canonical key per vulnerability across sources.
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let p = parent.get(x) ?? x;
    if (p !== x) {
      p = find(p);
      parent.set(x, p);
    }
    return p;
  };
  const union = (a: string, b: string) => {
    const [ra, rb] = [find(a), find(b)];
    if (ra === rb) return;
    const [lo, hi] = ra < rb ? [ra, rb] : [rb, ra];
    parent.set(hi, lo);
  };
  for (const s of scans) for (const f of s.findings) for (const a of f.aliases) union(f.vulnerabilityId, a);
  const preferCve = (key: string, id: string) => (/^CVE-/.test(id) ? id : key);

  const rows = new Map<
    string,
    { vulnerability: string; package: string; installedVersion: string; by: Map<string, SourceView> }
  >();
  for (const s of scans)
    for (const f of s.findings) {
      const key = [find(f.vulnerabilityId), f.packageName.toLowerCase(), f.installedVersion].join('\u0000');
      let row = rows.get(key);
      if (!row) {
        row = {
          vulnerability: f.vulnerabilityId,
          package: f.packageName,
          installedVersion: f.installedVersion,
          by: new Map(),
        };
        rows.set(key, row);
      }
      row.vulnerability = preferCve(row.vulnerability, f.vulnerabilityId);
      if (!row.by.has(s.source))
        row.by.set(s.source, {
          severity: f.severity,
          fixedVersion: f.fixedVersion,
          status: f.status,
          id: f.vulnerabilityId,
        });
    }
  const out: FindingDifference[] = [];
  for (const row of rows.values()) {
    const views = scans.map((s) => row.by.get(s.source) ?? null);
    const present = views.filter((v): v is SourceView => v !== null);
    const kinds: string[] = [];
    if (present.length < scans.length) kinds.push('only-in-some-sources');
    if (new Set(present.map((v) => v.severity)).size > 1) kinds.push('severity');
    if (new Set(present.map((v) => v.fixedVersion ?? '')).size > 1) kinds.push('fixed-version');
    if (new Set(present.map((v) => v.status)).size > 1) kinds.push('status');
    if (!kinds.length) continue;
    out.push({
      vulnerability: row.vulnerability,
      package: row.package,
      installedVersion: row.installedVersion,
      kind: kinds.join(','),
      bySource: Object.fromEntries(scans.map((s, i) => [s.source, views[i]!])),
    });
  }
  return out.sort(
    (a, b) => a.vulnerability.localeCompare(b.vulnerability) || a.package.localeCompare(b.package),
  );
}
