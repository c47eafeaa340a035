// One finding per (vulnerability, package, installed version): the canonical id is the CVE when the
// report's id is one or its aliases name exactly one, as the core Finding model asks; records that
// name each other (GHSA-… and PYSEC-… of one issue) are one vulnerability. Later duplicates are
// folded into the first (aliases merged) and reported as skipped with the reason, never dropped.
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

/**
 * Folds findings of one package version that are the same vulnerability: the same canonical id,
 * or records that name each other (one's id among the other's aliases, as GHSA and PYSEC records
 * of one issue do). Sharing an alias is not enough: one DSA can fix several CVEs.
 */
export function dedupeFindings(items: ReportedFinding[]): { findings: Finding[]; skipped: SkippedItem[] } {
  const kept: Finding[] = [];
  const skipped: SkippedItem[] = [];
  const deduper = new FindingDeduper();
  for (const item of items) {
    const r = deduper.add(item, kept.length);
    if (r.kept) kept.push(item.finding);
    else {
      // The kept finding is the item's own object until a duplicate folds into it, then a copy.
      kept[r.into.index] = r.into.finding;
      skipped.push(r.skipped);
    }
  }
  return { findings: kept, skipped };
}

/** A kept finding: where it is (the caller's index) and its object, copied once a duplicate folds in. */
export interface KeptFinding {
  finding: Finding;
  index: number;
  copied: boolean;
  members: Set<string>;
}

/**
 * The folding rule one finding at a time, for callers that hold one package version's findings at
 * once (the streamed import reads them grouped by package key; `forget` between groups).
 * The items are never changed: a kept finding is copied the first time a duplicate folds into it.
 */
export class FindingDeduper {
  // Per package version: the kept findings with the ids of the records folded into each.
  private byPackage = new Map<string, KeptFinding[]>();

  add(
    { finding, reportedId }: ReportedFinding,
    index: number,
  ): { kept: true } | { kept: false; into: KeptFinding; skipped: SkippedItem } {
    const key = packageKey(finding);
    const same = this.byPackage.get(key) ?? [];
    const ids = [finding.id, reportedId];
    const first = same.find(
      (k) =>
        ids.some((id) => k.members.has(id) || k.finding.aliases.includes(id)) ||
        finding.aliases.some((a) => k.members.has(a)),
    );
    if (!first) {
      same.push({ finding, index, copied: false, members: new Set(ids) });
      this.byPackage.set(key, same);
      return { kept: true };
    }
    for (const id of ids) first.members.add(id);
    if (!first.copied) {
      first.finding = { ...first.finding, aliases: [...first.finding.aliases] };
      first.copied = true;
    }
    const f = first.finding;
    for (const a of [...ids, ...finding.aliases]) if (a !== f.id && !f.aliases.includes(a)) f.aliases.push(a);
    return {
      kept: false,
      into: first,
      skipped: {
        id: reportedId,
        kind: 'duplicate',
        reason: `duplicate: ${f.id} in ${finding.package.name} ${finding.installedVersion} is already imported from this report`,
      },
    };
  }

  forget(): void {
    this.byPackage.clear();
  }
}

/** The package version duplicates are looked for within. */
export function packageKey(finding: Finding): string {
  return [finding.package.ecosystem, finding.package.name, finding.installedVersion].join('\u0000');
}
