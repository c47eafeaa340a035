// One finding per (vulnerability, package, installed version): the canonical id is the CVE when the
// report's id is one or its aliases name exactly one (GHSA-… and PYSEC-… records of one CVE fold
// together), as the core Finding model asks. Later duplicates are folded into the first (aliases
// merged) and reported as skipped with the reason, never silently dropped.
import type { Finding } from '../core/types.js';
import type { ReportedFinding, SkippedItem } from './model.js';

const CVE = /^CVE-\d{4}-\d{4,}$/i;

/** The id a finding is stored under, and the rest of the ids as aliases. */
export function canonicalId(reportedId: string, aliases: string[]): { id: string; aliases: string[] } {
  const all = [...new Set([reportedId, ...aliases].map((a) => a.trim()).filter(Boolean))];
  let id = reportedId;
  if (!CVE.test(reportedId)) {
    const cves = all.filter((a) => CVE.test(a)).map((a) => a.toUpperCase());
    if (new Set(cves).size === 1) id = cves[0]!;
  }
  return { id, aliases: all.filter((a) => a !== id) };
}

export function findingKey(f: Pick<Finding, 'id' | 'package' | 'installedVersion'>): string {
  return [f.id, f.package.ecosystem, f.package.name, f.installedVersion].join('\u0000');
}

export function dedupeFindings(items: ReportedFinding[]): { findings: Finding[]; skipped: SkippedItem[] } {
  const byKey = new Map<string, Finding>();
  const skipped: SkippedItem[] = [];
  for (const { finding, reportedId } of items) {
    const key = findingKey(finding);
    const first = byKey.get(key);
    if (!first) {
      byKey.set(key, { ...finding, aliases: [...finding.aliases] });
      continue;
    }
    for (const a of [reportedId, ...finding.aliases])
      if (a !== first.id && !first.aliases.includes(a)) first.aliases.push(a);
    skipped.push({
      id: reportedId,
      kind: 'duplicate',
      reason: `duplicate: ${first.id} in ${finding.package.name} ${finding.installedVersion} is already imported from this report`,
    });
  }
  return { findings: [...byKey.values()], skipped };
}
