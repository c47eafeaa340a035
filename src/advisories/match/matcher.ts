// Packages → findings. Looks packages up in the match index (advisory_affected by ecosystem and
// package), evaluates each affected entry, then merges: every advisory naming the same CVE for the
// same package becomes ONE finding whose id is the CVE (aliases keep the advisory ids). Severity
// follows the documented precedence (severity.ts) over the advisories' ratings and CVSS, then the
// CVE record's CNA and ADP scores (cve_scores); KEV and EPSS are attached by CVE.
// What a package's findings are depends only on its lookup key (advisory ecosystems, name, version):
// a matcher evaluates each distinct key once, rates its findings once, and fans them out to every
// package that has the key — a re-match of thousands of images that share packages compares
// versions per distinct (ecosystem, name, version), not per stored package row.

import type { AffectedRange, CveScore, SeverityEntry } from '../../core/advisory.js';
import { identityConfidence } from '../../core/package-evidence.js';
import type { Finding, FindingStatus, Package, Severity } from '../../core/types.js';
import type { Store } from '../../store/index.js';
import {
  type AffectedRow,
  findAffected,
  getCveScores,
  getEnrichment,
  type RematchKey,
} from '../../store/index.js';
import { schemeFor, type VersionScheme } from '../../versioning/index.js';
import { advisorySeveritySource, chooseSeverity, type SeverityInputs } from '../severity.js';
import {
  compileAffected,
  compileGroup,
  type evaluateAffected,
  type Verdict,
  type VersionLine,
} from './evaluate.js';
import { type KeyOfPackage, type LookupKey, lookupKeyOf } from './package-keys.js';

export interface MatchOptions {
  /** The image's OS ecosystem with release (e.g. `Debian:12`), for packages that carry only `Debian`. */
  osEcosystem?: string | undefined;
}

const CVE = /^CVE-\d{4}-\d+$/;

/** The vulnerability ids an advisory stands for: its CVEs, or itself when it names none. */
export function canonicalIds(row: Pick<AffectedRow, 'advisory_id' | 'aliases' | 'upstream'>): string[] {
  const cves = [row.advisory_id, ...row.aliases, ...row.upstream].filter((x) => CVE.test(x));
  return cves.length ? [...new Set(cves)] : [row.advisory_id];
}

interface Hit {
  row: AffectedRow;
  verdict: ReturnType<typeof evaluateAffected>;
}

/**
 * A matcher keeps the advisory rows it has looked up, so matching many SBOMs that share packages
 * (a re-match of every image) queries each (ecosystem, package) once, and the findings of each
 * distinct lookup key (ecosystems, name, version), so each is evaluated and rated once.
 */
export interface Matcher {
  match(packages: Package[], opts?: MatchOptions): Promise<Finding[]>;
  /** Several SBOMs at once: one index lookup and one KEV/EPSS lookup for all of them. */
  matchMany(items: { packages: Package[]; opts?: MatchOptions | undefined }[]): Promise<Finding[][]>;
  /**
   * The package-independent findings of each key, rated (shared objects: do not change them) —
   * what a re-match in the store joins back to every package with that key. Each item is
   * evaluated as it comes (no memo, no dedupe: the store sends each key once).
   */
  keyFindings(items: readonly KeyInputs[]): Promise<(readonly KeyFinding[])[]>;
  /**
   * The findings of many keys at once, as intervals of ranked versions (ADR 0031): each group
   * (effective ecosystem, key name, evidence) whose advisory rows lie on one version line gets a
   * domain (its effective ecosystem under the line's scheme), each valid version of a domain a
   * rank (equal versions one rank), and the group one interval of ranks per position on its line
   * that some ranked version takes, with that position's findings (rated, shared objects). A key
   * of a group with a domain and a ranked version has the findings of the interval holding its
   * rank; the other keys (no line, a version the scheme refuses, a guessed identity) are
   * evaluated one by one (keyFindings).
   */
  versionLines(
    groups: readonly LineGroup[],
    versions: readonly LineVersion[] | Promise<readonly LineVersion[]>,
  ): Promise<VersionLines>;
}

/** A group of keys as the store stages it: its effective ecosystem, key name and evidence. */
export interface LineGroup {
  effective: string;
  keyName: string;
  evidence: string;
}

/** A version keys are compared at (the source version for source-keyed ecosystems), per effective ecosystem. */
export interface LineVersion {
  effective: string;
  keyVersion: string;
}

/** What versionLines finds (see there); groups and intervals name groups by their index in the input. */
export interface VersionLines {
  /** Per group, its domain's number, or -1 when its keys are evaluated one by one. */
  domainOf: number[];
  /** The ranked versions of each domain: the ranks of one domain start at 0, equal versions share one. */
  ranks: { domain: number; keyVersion: string; rank: number }[];
  /**
   * Per group with a domain, the first rank of each position on its line that some ranked version
   * takes, ascending (the positions split the domain's ranks; SQL's width_bucket finds a rank's).
   */
  starts: number[][];
  /** The positions with findings: the group, the position's number (1 for the first start), its findings. */
  intervals: { group: number; bucket: number; findings: readonly KeyFinding[] }[];
  /** Every group has a domain that ranks every version of its ecosystem: no key is left one by one. */
  complete: boolean;
}

/** A package's lookup inputs, flat ('' for a missing value): what a re-match in the store reads per key. */
export type KeyInputs = Omit<RematchKey, 'k1' | 'k2'>;

/** The package-independent part of a finding: what one lookup key yields, rated once. */
export type KeyFinding = Omit<Finding, 'package' | 'installedVersion'>;
type Template = KeyFinding;

/** Past this many memoised keys the memo starts afresh, so a huge re-match stays bounded in memory. */
const MAX_MEMO = 250_000;

/** One (advisory ecosystems, name): its advisory rows, each compiled, and its outcomes so far. */
interface Group {
  rows: AffectedRow[];
  evals: ((installed: string) => Verdict)[];
  outcomes: Map<string, Outcome>;
  /** The rows' version line (compileGroup), where they have one. */
  line: VersionLine | undefined;
  /** Each position's outcome, once a version at it was evaluated. */
  byPosition: (Outcome | undefined)[];
}

/** What one outcome of a group yields: its merged findings with their rating inputs, and the findings alone. */
interface Outcome {
  rated: readonly Rated[];
  findings: readonly KeyFinding[];
}
const NONE: Outcome = { rated: [], findings: [] };

export function createMatcher(store: Store): Matcher {
  const cache = new Map<string, AffectedRow[]>();
  const kevCache = new Map<string, boolean>();
  const epssCache = new Map<string, { score: number; percentile: number } | null>();
  const cveScoreCache = new Map<string, CveScore[]>();
  // Lookup key → its findings (rated once the CVEs' enrichment is loaded).
  const memo = new Map<string, Outcome>();
  // Per group (advisory ecosystems, name): its advisory rows, and per outcome (the verdict of each
  // row) the merged findings — keys of one name whose versions fall in the same intervals of every
  // advisory share them, so merging and rating run once per distinct outcome, not per key (a
  // re-match evaluates millions of keys). By the ecosystems' id, then the name: no group text is
  // built per key.
  const groups = new Map<string, Map<string, Group>>();
  let outcomeCount = 0;
  // One key's verdicts, reused from key to key (copied only for a new outcome).
  const verdicts: Verdict[] = [];

  async function rowsFor(keys: Iterable<LookupKey>): Promise<void> {
    const missing = new Map<string, { ecosystem: string; packageName: string }>();
    for (const k of keys) {
      for (const e of k.ecosystems) {
        const id = `${e}\u0000${k.name}`;
        if (!cache.has(id)) missing.set(id, { ecosystem: e, packageName: k.name });
      }
    }
    if (!missing.size) return;
    for (const id of missing.keys()) cache.set(id, []);
    for (const r of await findAffected(store, [...missing.values()]))
      cache.get(`${r.ecosystem}\u0000${r.package_name}`)!.push(r);
  }

  async function enrich(cves: string[]): Promise<void> {
    const missing = cves.filter((c) => !kevCache.has(c));
    if (!missing.length) return;
    const e = await getEnrichment(store, missing);
    const scores = await getCveScores(store, missing);
    for (const c of missing) {
      kevCache.set(c, e.kev.has(c));
      epssCache.set(c, e.epss.get(c) ?? null);
      cveScoreCache.set(c, scores.get(c) ?? []);
    }
  }

  /** The group of a key, compiled from its advisory rows (loaded by rowsFor) when new. */
  function groupFor({ key, ecosystemsId }: KeyOfPackage): Group {
    const g = groupOf(ecosystemsId, key.name);
    if (g) return g;
    let named = groups.get(ecosystemsId);
    if (!named) {
      named = new Map();
      groups.set(ecosystemsId, named);
    }
    const rows: AffectedRow[] = [];
    for (const e of key.ecosystems)
      for (const row of cache.get(`${e}\u0000${key.name}`) ?? []) rows.push(row);
    const evals = rows.map((row) =>
      compileAffected(row.ecosystem, row.ranges as AffectedRange[], row.versions),
    );
    const created: Group = {
      rows,
      evals,
      outcomes: new Map(),
      line: compileGroup(
        rows.map((r) => ({
          ecosystem: r.ecosystem,
          ranges: r.ranges as AffectedRange[],
          versions: r.versions,
        })),
      ),
      byPosition: [],
    };
    named.set(key.name, created);
    return created;
  }

  /** A version's outcome in a group: by its position on the group's version line where it has one. */
  function outcomeAt(g: Group, version: string, unrated: Rated[]): Outcome {
    if (!g.line) return outcomeOf(g, version, unrated);
    const at = g.line.position(version);
    if (at < 0) return outcomeOf(g, version, unrated);
    let found = g.byPosition[at];
    if (!found) {
      found = outcomeOf(g, version, unrated);
      g.byPosition[at] = found;
    }
    return found;
  }

  /** The group of (ecosystems, name) when evaluated before. */
  function groupOf(ecosystemsId: string, name: string): Group | undefined {
    return groups.get(ecosystemsId)?.get(name);
  }

  /** Evaluates every advisory row of a group for one version; an outcome seen before is reused. */
  function outcomeOf(g: Group, version: string, unrated: Rated[]): Outcome {
    verdicts.length = 0;
    // mergeHits reads only the verdicts (kind, fix, reason) of the rows, in row order: the outcome
    // names each row that is not not_affected with its verdict ('' when none is: no finding).
    let outcome = '';
    for (let i = 0; i < g.evals.length; i++) {
      const verdict = g.evals[i]!(version);
      verdicts.push(verdict);
      // Each text with its length first, so no two outcomes spell the same.
      if (verdict.kind === 'affected') {
        const fixed = verdict.fixed ?? '';
        outcome += `${i}a${fixed.length}:${fixed}`;
      } else if (verdict.kind === 'unknown') outcome += `${i}u${verdict.reason.length}:${verdict.reason}`;
    }
    if (!outcome) return NONE;
    const known = g.outcomes.get(outcome);
    if (known) return known;
    const merged = mergeHits(g.rows.map((row, i) => ({ row, verdict: verdicts[i]! })));
    const found = merged.length ? { rated: merged, findings: merged.map((r) => r.finding) } : NONE;
    g.outcomes.set(outcome, found);
    outcomeCount++;
    unrated.push(...merged);
    return found;
  }

  function rate({ finding: f, inputs }: Rated): void {
    const chosen = chooseSeverity({ ...inputs, cveScores: cveScoreCache.get(f.id) });
    f.severity = chosen.severity;
    f.severitySource = chosen.source;
    f.cvss = chosen.cvss;
    f.kev = kevCache.get(f.id) ?? false;
    const ep = epssCache.get(f.id);
    if (ep) f.epss = ep;
  }

  /** The lookup key of a package; undefined when its identity is only guessed (not matched). */
  function keyOf(p: Package, osEcosystem: string | undefined) {
    // A package whose identity is only guessed (core/package-evidence.ts) is listed, not matched:
    // no finding hangs on a group id read off a file name.
    if (identityConfidence(p.evidence) === 'low') return undefined;
    return lookupKeyOf(p, osEcosystem);
  }

  /**
   * The group of each key where it was evaluated before (one lookup per key: a page holds 20 000);
   * the advisory rows of the others are loaded (rowsFor skips those loaded), for groupFor.
   */
  async function knownGroups(keys: readonly (KeyOfPackage | undefined)[]): Promise<(Group | undefined)[]> {
    const known: (Group | undefined)[] = new Array(keys.length);
    const lookups: LookupKey[] = [];
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (!k) continue;
      const g = groupOf(k.ecosystemsId, k.key.name);
      if (g) known[i] = g;
      else lookups.push(k.key);
    }
    await rowsFor(lookups);
    return known;
  }

  /** Rates the findings of new outcomes, once the enrichment of their CVEs is loaded. */
  async function rateAll(unrated: Rated[]): Promise<void> {
    const cves = new Set<string>();
    for (const { finding: f } of unrated) if (CVE.test(f.id)) cves.add(f.id);
    await enrich([...cves]);
    for (const r of unrated) rate(r);
  }

  function bound(): void {
    if (memo.size > MAX_MEMO) memo.clear();
    if (outcomeCount > MAX_MEMO) {
      groups.clear();
      outcomeCount = 0;
    }
  }

  /** Evaluates and rates the keys not yet in the memo; returns each key's outcome by its id. */
  async function evaluate(keyed: Iterable<(KeyOfPackage & { id: string }) | undefined>) {
    bound();
    const fresh = new Map<string, KeyOfPackage>();
    const found = new Map<string, Outcome>();
    for (const k of keyed) {
      if (!k || found.has(k.id)) continue;
      const known = memo.get(k.id);
      if (known) found.set(k.id, known);
      else fresh.set(k.id, k);
    }
    const entries = [...fresh];
    const known = await knownGroups(entries.map(([, k]) => k));
    const unrated: Rated[] = [];
    entries.forEach(([id, k], i) => {
      const outcome = outcomeAt(known[i] ?? groupFor(k), k.key.version, unrated);
      memo.set(id, outcome);
      found.set(id, outcome);
    });
    await rateAll(unrated);
    return found;
  }

  async function keyFindings(items: readonly KeyInputs[]): Promise<(readonly KeyFinding[])[]> {
    bound();
    const keyed = items.map((it) => keyOf(it as Package, it.osEcosystem || undefined));
    const known = await knownGroups(keyed);
    const unrated: Rated[] = [];
    const out = keyed.map((k, i) =>
      k ? outcomeAt(known[i] ?? groupFor(k), k.key.version, unrated).findings : NONE.findings,
    );
    await rateAll(unrated);
    return out;
  }

  async function versionLines(
    inputs: readonly LineGroup[],
    pending: readonly LineVersion[] | Promise<readonly LineVersion[]>,
  ): Promise<VersionLines> {
    bound();
    const keyed = inputs.map((g) =>
      keyOf(
        { ecosystem: g.effective, name: g.keyName, version: '', evidence: g.evidence as Package['evidence'] },
        undefined,
      ),
    );
    const [known, versions] = await Promise.all([knownGroups(keyed), pending]);
    // The enrichment of every CVE the groups' rows name is read while the positions are evaluated.
    const cves = new Set<string>();
    for (const k of keyed) {
      if (!k) continue;
      for (const e of k.key.ecosystems)
        for (const row of cache.get(`${e}\u0000${k.key.name}`) ?? [])
          for (const id of canonicalIds(row)) if (CVE.test(id)) cves.add(id);
    }
    const enriching = enrich([...cves]);
    enriching.catch(() => undefined); // awaited below; not unhandled if the evaluation throws
    const byEffective = new Map<string, string[]>();
    for (const v of versions) {
      const list = byEffective.get(v.effective);
      if (list) list.push(v.keyVersion);
      else byEffective.set(v.effective, [v.keyVersion]);
    }
    const domains = new Map<string, Domain>();
    const out: VersionLines = { domainOf: [], starts: [], ranks: [], intervals: [], complete: true };
    const unrated: Rated[] = [];
    keyed.forEach((k, gi) => {
      out.domainOf.push(-1);
      out.starts.push([]);
      const g = k && (known[gi] ?? groupFor(k));
      const line = g?.line;
      const effective = inputs[gi]!.effective;
      let d: Domain | undefined;
      if (line?.scheme && line.bounds) {
        const domainKey = `${effective}\u0000${line.scheme.id}`;
        d = domains.get(domainKey);
        if (!d) {
          d = rankVersions(line.scheme, byEffective.get(effective) ?? [], domains.size);
          domains.set(domainKey, d);
          for (const [keyVersion, rank] of d.rankOf) out.ranks.push({ domain: d.id, keyVersion, rank });
        }
      }
      const found = g && line && d && lineIntervals(g, line, d, unrated);
      // A group off the lines, or a version its domain does not rank, leaves keys to evaluate one by one.
      if (!d || !found || d.rankOf.size < (byEffective.get(effective)?.length ?? 0)) out.complete = false;
      if (!d || !found) return;
      out.domainOf[gi] = d.id;
      out.starts[gi] = found.map((p) => p.lo);
      found.forEach((p, i) => {
        if (p.findings.length) out.intervals.push({ group: gi, bucket: i + 1, findings: p.findings });
      });
    });
    await enriching;
    await rateAll(unrated);
    return out;
  }

  /**
   * The rank intervals of a group's positions that some ranked version of the domain takes, in
   * order, with their findings; undefined when a class's representative is not where the line
   * puts it (the group's keys are then evaluated one by one).
   */
  function lineIntervals(g: Group, line: VersionLine, d: Domain, unrated: Rated[]) {
    const s = line.scheme!;
    const bounds = line.bounds!;
    const n = d.classes.length;
    // Per bound: the first class not below it, and whether that class equals it.
    const at = bounds.map((b) => {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (s.compare(d.classes[mid]!, b) < 0) lo = mid + 1;
        else hi = mid;
      }
      return { first: lo, equal: lo < n && s.compare(d.classes[lo]!, b) === 0 };
    });
    const found: { lo: number; findings: readonly KeyFinding[] }[] = [];
    const take = (position: number, lo: number, hi: number): boolean => {
      if (lo > hi) return true;
      const version = d.classes[lo]!;
      if (line.position(version) !== position) return false;
      found.push({ lo, findings: outcomeAt(g, version, unrated).findings });
      return true;
    };
    let next = 0;
    for (let i = 0; i < bounds.length; i++) {
      const { first, equal } = at[i]!;
      if (!take(2 * i, next, first - 1)) return undefined;
      if (equal && !take(2 * i + 1, first, first)) return undefined;
      next = equal ? first + 1 : first;
    }
    return take(2 * bounds.length, next, n - 1) ? found : undefined;
  }

  async function matchMany(
    items: { packages: Package[]; opts?: MatchOptions | undefined }[],
  ): Promise<Finding[][]> {
    const keyed = items.map((it) =>
      it.packages.map((p) => {
        const k = keyOf(p, it.opts?.osEcosystem);
        return k && { ...k, id: `${k.ecosystemsId}\u0000${k.key.name}\u0000${k.key.version}` };
      }),
    );
    const found = await evaluate(keyed.flat());
    return items.map((it, n) => {
      const findings: Finding[] = [];
      it.packages.forEach((pkg, i) => {
        const k = keyed[n]![i];
        if (!k) return;
        for (const t of found.get(k.id)!.findings) findings.push(instantiate(t, pkg));
      });
      findings.sort((a, b) =>
        a.package.name === b.package.name
          ? a.id < b.id
            ? -1
            : a.id > b.id
              ? 1
              : 0
          : a.package.name < b.package.name
            ? -1
            : 1,
      );
      return findings;
    });
  }

  return {
    async match(packages, opts = {}) {
      return (await matchMany([{ packages, opts }]))[0]!;
    },
    matchMany,
    keyFindings,
    versionLines,
  };
}

/** One effective ecosystem's versions under one scheme: the valid ones ranked, equal ones sharing a rank. */
interface Domain {
  id: number;
  /** One version per rank, in order (the first of its equals). */
  classes: string[];
  rankOf: Map<string, number>;
}

/** Ranks the versions a scheme accepts (parse and isValid alike): sorted, equal versions one rank. */
function rankVersions(s: VersionScheme, versions: readonly string[], id: number): Domain {
  const valid = versions.filter((v) => s.isValid(v) && (!s.parse || s.parse(v) !== undefined));
  valid.sort((a, b) => s.compare(a, b));
  const classes: string[] = [];
  const rankOf = new Map<string, number>();
  for (const v of valid) {
    if (!classes.length || s.compare(classes[classes.length - 1]!, v) !== 0) classes.push(v);
    rankOf.set(v, classes.length - 1);
  }
  return { id, classes, rankOf };
}

/** One package's copy of a key's finding (its own objects: callers may change a finding). */
function instantiate(t: Template, pkg: Package): Finding {
  const f: Finding = {
    id: t.id,
    aliases: [...t.aliases],
    package: { ecosystem: pkg.ecosystem, name: pkg.name, purl: pkg.purl, layer: pkg.layer },
    installedVersion: pkg.version,
    fixedVersion: t.fixedVersion,
    severity: t.severity,
    severitySource: t.severitySource,
    kev: t.kev,
    status: t.status,
    statusReason: t.statusReason,
    source: t.source,
    cvss: t.cvss ? { ...t.cvss } : undefined,
  };
  if (t.epss) f.epss = { ...t.epss };
  return f;
}

/** Matches one SBOM: what the scanner and the re-matcher call. */
export async function matchPackages(
  store: Store,
  packages: Package[],
  opts: MatchOptions = {},
): Promise<Finding[]> {
  return createMatcher(store).match(packages, opts);
}

/** A merged finding and what may rate it; the rating is chosen once the CVE's scores are known. */
interface Rated {
  finding: Template;
  inputs: SeverityInputs;
}

function mergeHits(hits: Hit[]): Rated[] {
  const byId = new Map<string, Hit[]>();
  for (const h of hits) {
    if (h.verdict.kind === 'not_affected') continue;
    for (const id of canonicalIds(h.row)) {
      const list = byId.get(id);
      if (list) list.push(h);
      else byId.set(id, [h]);
    }
  }
  const out: Rated[] = [];
  for (const [id, group] of byId) {
    const affected = group.filter((h) => h.verdict.kind === 'affected');
    const status: FindingStatus = affected.length ? 'affected' : 'unknown';
    const aliases = new Set<string>();
    for (const h of group) {
      for (const a of [h.row.advisory_id, ...h.row.aliases, ...h.row.upstream]) if (a !== id) aliases.add(a);
    }
    const inputs: SeverityInputs = {
      ratings: group.map((h) => ({
        severity: (h.row.severity ?? undefined) as Severity | undefined,
        source: advisorySeveritySource(h.row),
      })),
      entries: group.flatMap((h) =>
        (h.row.advisory_severity as SeverityEntry[]).map((entry) => ({
          entry,
          source: advisorySeveritySource(h.row),
        })),
      ),
    };
    const reasons = group.flatMap((h) => (h.verdict.kind === 'unknown' ? [h.verdict.reason] : []));
    out.push({
      finding: {
        id,
        aliases: [...aliases].sort(),
        fixedVersion: status === 'affected' ? latestFix(affected) : undefined,
        // Chosen by rate() in matchMany, once the CVE record's scores are loaded.
        severity: 'UNKNOWN',
        severitySource: 'none',
        kev: false,
        status,
        statusReason: status === 'unknown' ? [...new Set(reasons)].join('; ') : undefined,
        source: 'runsight',
      },
      inputs,
    });
  }
  return out;
}

/** The fix that closes every merged advisory: the greatest fixed version. */
function latestFix(hits: Hit[]): string | undefined {
  let best: string | undefined;
  let eco = '';
  for (const h of hits) {
    const f = h.verdict.kind === 'affected' ? h.verdict.fixed : undefined;
    if (!f) continue;
    if (best === undefined) {
      best = f;
      eco = h.row.ecosystem;
      continue;
    }
    try {
      if (schemeFor(eco).compare(f, best) > 0) best = f;
    } catch {
      // keep the first fix when two cannot be compared
    }
  }
  return best;
}
