// Re-match without re-pull: when advisories change, the images whose stored packages are touched
// are found through the reverse index and re-evaluated from their stored SBOMs only (no layer is
// read, no registry contacted); each scan's findings are swapped in a transaction and the change
// per image (newly_affected / newly_fixed / status_changed, cause `rematch`) lands in
// finding_changes. Scans are processed in batches (default 500): each batch is matched together
// and written in one transaction, so a reader sees a scan's old or new findings, never a mix.
// CVE-record scores re-rate findings without changing which packages they hit: a change of a CVE's
// scores re-matches the packages of the current scans whose findings name that CVE; a re-rated finding is
// recorded as `severity_changed`, which makes its image's posture stale for maintainPosture.
// An incremental re-match (advisory keys, CVEs) re-evaluates only the touched packages: the
// candidate join of the changed keys against the stored packages runs in SQL and yields
// (scan, ecosystem, name) units; only those packages are read, matched and their findings swapped
// (a package's findings depend on that package alone, so the scan ends as a whole re-match would
// leave it). A full re-match (`all`: KEV, EPSS, VEX changed) goes batch by batch over every scan,
// reading only the packages the store's candidate join finds under an advisory key (ADR 0014); the
// next batch is read while one is matched and written. Either way the matcher evaluates each
// distinct (ecosystem, name, version) once and is the only judge of versions; findings are written
// as a set difference (only rows that changed).
// Where it can (no VEX statement to apply per image, no CVE re-rating), a re-match runs in the store
// (ADR 0027, rematchInStore): the package rows stay in the database; the process reads only the
// distinct lookup keys of the candidate packages, evaluates each once, and sends back which
// findings each key has; SQL joins them to the packages and writes the difference and the changes.
import type { Logger } from '../core/logger.js';
import type { Package } from '../core/types.js';
import type { PackageKey, Store } from '../store/index.js';
import {
  applyRematch,
  describeScans,
  type FindingTemplate,
  findScansForPackages,
  findTouchedPackages,
  type LeftKeys,
  listCurrentScans,
  listStoredEcosystems,
  listVexStatements,
  loadCandidatePackages,
  loadTouchedPackages,
  type RematchHits,
  type RematchKeySample,
  type RematchLines,
  type RematchScope,
  readRematchGroups,
  readRematchKeys,
  readRematchVersions,
  replaceFindingsOfScans,
  sampleRematchKeys,
  stageRematch,
  type TouchedPackage,
  type TouchedScan,
  tuneRematchTransaction,
  writeRematchHits,
  writeRematchLines,
} from '../store/index.js';
import { createMatcher, type KeyFinding, type Matcher } from './match/matcher.js';
import { type CandidateRules, candidateRules, packageEcosystems } from './match/package-keys.js';
import { applyVex } from './vex/apply-vex.js';

export interface RematchOptions {
  /** The (advisory ecosystem, package) keys that changed; omit with `all` to re-match every image. */
  keys?: PackageKey[] | undefined;
  /** CVE ids whose CVE-record scores changed: the scans whose findings name them are re-rated. */
  cves?: string[] | undefined;
  all?: boolean | undefined;
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
  /** Scans per transaction batch of the process path (default 500). */
  batchSize?: number | undefined;
  /** Keys per round trip of a re-match in the store (default 20 000). */
  keysPerPage?: number | undefined;
  /** Match in the process even where the store could (tests compare the two paths). */
  inProcess?: boolean | undefined;
  /**
   * A re-match in the store finds keys by rank on version lines (true) or evaluates each distinct
   * key once (false); by default, as the staged packages' estimated distinct keys suggest
   * (versionLinesPay). Both give the same findings; tests and benchmarks pin one.
   */
  versionLines?: boolean | undefined;
}

export interface RematchResult {
  scans: number;
  images: number;
  newlyAffected: number;
  newlyFixed: number;
  statusChanged: number;
  /** Findings whose status stayed but whose rating (severity, its source, CVSS score) moved. */
  severityChanged: number;
  /** Per image: what changed. */
  changes: {
    imageDigest: string;
    newlyAffected: number;
    newlyFixed: number;
    statusChanged: number;
    severityChanged: number;
  }[];
}

/** Which scans a set of advisory keys reaches (exported for tests and `vuln show`). */
export async function touchedScans(store: Store, keys: PackageKey[]): Promise<TouchedScan[]> {
  const pairs = packagePairs(keys);
  return pairs.length ? findScansForPackages(store, pairs) : [];
}

/** The (advisory ecosystem, package) keys as the (package ecosystem, name) pairs stored SBOMs use. */
function packagePairs(keys: PackageKey[]): { ecosystem: string; name: string }[] {
  const pairs = new Map<string, { ecosystem: string; name: string }>();
  for (const k of keys) {
    for (const e of packageEcosystems(k.ecosystem))
      pairs.set(`${e}\u0000${k.packageName}`, { ecosystem: e, name: k.packageName });
  }
  return [...pairs.values()];
}

/** Packages per batch of an incremental re-match: bounds memory when an update touches much. */
const UNITS_PER_BATCH = 20_000;

/** The work of a re-match: scans, each whole or limited to some packages. */
interface Work {
  scan: TouchedScan;
  packages?: { ecosystem: string; name: string }[] | undefined;
}

async function planWork(store: Store, opts: RematchOptions): Promise<Work[]> {
  if (opts.all) return (await listCurrentScans(store)).map((scan) => ({ scan }));
  const units = await findTouchedPackages(store, { pairs: packagePairs(opts.keys ?? []), cves: opts.cves });
  const byScan = new Map<number, TouchedPackage[]>();
  for (const u of units) {
    const list = byScan.get(u.scanId);
    if (list) list.push(u);
    else byScan.set(u.scanId, [u]);
  }
  const scans = await describeScans(store.db, [...byScan.keys()]);
  return scans.map((scan) => ({
    scan,
    packages: byScan.get(scan.scanId)!.map((u) => ({ ecosystem: u.ecosystem, name: u.name })),
  }));
}

/** Consecutive batches of at most `scans` scans and about UNITS_PER_BATCH touched packages. */
function batchWork(work: Work[], scans: number): Work[][] {
  const out: Work[][] = [];
  let cur: Work[] = [];
  let units = 0;
  for (const w of work) {
    if (cur.length && (cur.length >= scans || (w.packages && units + w.packages.length > UNITS_PER_BATCH))) {
      out.push(cur);
      cur = [];
      units = 0;
    }
    cur.push(w);
    units += w.packages?.length ?? 0;
  }
  if (cur.length) out.push(cur);
  return out;
}

/** A re-match result with nothing counted yet. */
function noChanges(): RematchResult {
  return {
    scans: 0,
    images: 0,
    newlyAffected: 0,
    newlyFixed: 0,
    statusChanged: 0,
    severityChanged: 0,
    changes: [],
  };
}

export async function rematch(store: Store, opts: RematchOptions = {}): Promise<RematchResult> {
  if (!opts.inProcess && !opts.cves?.length && (opts.all || opts.keys?.length)) {
    const vex = await listVexStatements(store);
    if (!vex.length) return rematchInStore(store, opts);
  }
  const work = await planWork(store, opts);
  const result = noChanges();
  if (!work.length) return result;
  const matcher = createMatcher(store);
  const vex = await listVexStatements(store);
  const images = new Set<string>();
  let rules: CandidateRules | undefined;
  if (work.some((w) => !w.packages)) {
    const stored = await listStoredEcosystems(store);
    rules = candidateRules(stored.packageEcosystems, stored.osEcosystems);
  }
  /** A batch's stored packages: of a whole scan only those the candidate join finds (the others have no finding). */
  const load = async (chunk: Work[]): Promise<Map<number, Package[]>> => {
    const whole = chunk.filter((w) => !w.packages).map((w) => w.scan.scanId);
    const sboms =
      rules && whole.length ? await loadCandidatePackages(store, whole, rules) : new Map<number, Package[]>();
    const partial = chunk.flatMap((w) =>
      (w.packages ?? []).map((p) => ({ scanId: w.scan.scanId, ecosystem: p.ecosystem, name: p.name })),
    );
    for (const [id, pkgs] of await loadTouchedPackages(store, partial)) sboms.set(id, pkgs);
    return sboms;
  };
  const chunks = batchWork(work, opts.batchSize ?? 500);
  // The next batch is read while this one is matched and written (packages are not written here).
  let next: Promise<Map<number, Package[]>> | undefined = load(chunks[0]!);
  let done = 0;
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c]!;
    const sboms = await next!;
    next = c + 1 < chunks.length ? load(chunks[c + 1]!) : undefined;
    next?.catch(() => undefined); // awaited next round; not unhandled if this round throws
    opts.signal?.throwIfAborted();
    const matched = await matcher.matchMany(
      chunk.map(({ scan }) => ({
        packages: sboms.get(scan.scanId) ?? [],
        opts: { osEcosystem: scan.os?.ecosystem },
      })),
    );
    const computed = chunk.map(({ scan, packages }, n) => ({
      scan,
      packages,
      findings: applyVex(matched[n]!, vex, { imageDigest: scan.imageDigest }),
    }));
    await store.transaction(async (tx) => {
      const swaps = await replaceFindingsOfScans(tx, computed, 'rematch');
      computed.forEach(({ scan }, n) => {
        const swap = swaps[n]!;
        result.scans++;
        images.add(scan.imageDigest);
        result.newlyAffected += swap.newlyAffected;
        result.newlyFixed += swap.newlyFixed;
        result.statusChanged += swap.statusChanged;
        result.severityChanged += swap.severityChanged;
        if (swap.newlyAffected || swap.newlyFixed || swap.statusChanged || swap.severityChanged) {
          result.changes.push({ imageDigest: scan.imageDigest, ...swap });
        }
      });
    });
    done += chunk.length;
    opts.logger?.debug('rematch progress', { done, total: work.length });
  }
  result.images = images.size;
  return result;
}

/** Keys read, evaluated and sent back per round trip of a re-match in the store. */
const KEYS_PER_PAGE = 20_000;

/**
 * A re-match in the store, in one transaction (ADR 0027): stage the candidate packages of the scope
 * and their distinct keys, evaluate each key once in the matcher, send back (key, finding) pairs and
 * let the store write the findings, their difference and the change records.
 */
async function rematchInStore(store: Store, opts: RematchOptions): Promise<RematchResult> {
  const result = noChanges();
  let t0 = performance.now();
  const phase = (name: string, more: Record<string, unknown> = {}) => {
    const t = performance.now();
    opts.logger?.debug('rematch phase', { phase: name, ms: Math.round(t - t0), ...more });
    t0 = t;
  };
  // An update's touched (scan, ecosystem, name) units are found and staged in the store.
  const scope: RematchScope = opts.all
    ? { kind: 'all' }
    : { kind: 'pairs', pairs: packagePairs(opts.keys ?? []) };
  if (scope.kind === 'pairs' && !scope.pairs.length) return result;
  const stored = await listStoredEcosystems(store);
  const rules = candidateRules(stored.packageEcosystems, stored.osEcosystems);
  const swaps = await store.transaction(async (tx) => {
    // The matcher reads committed advisories and enrichment, as each statement of this (read
    // committed) transaction would: on PostgreSQL over the pool, so its lookups do not queue behind
    // the transaction's pages; PGlite has one connection, which the transaction holds.
    const matcher = createMatcher(store.kind === 'postgres' ? store : tx);
    if (store.kind === 'postgres') await tuneRematchTransaction(tx);
    await stageRematch(tx, scope, rules);
    phase('staged');
    const tids: Tids = { bySignature: new Map(), byFinding: new Map() };
    // Where keys are many, most are found by rank on their group's version line (ADR 0031), the
    // rest one by one; where they are few, all are evaluated one by one.
    let lines = opts.versionLines;
    if (lines === undefined) {
      const sample = await sampleRematchKeys(tx);
      lines = versionLinesPay(sample);
      phase('keys sampled', { ...sample, estimate: Math.round(estimatedKeys(sample)), lines });
    }
    const left = lines
      ? await sendVersionLines(tx, matcher, tids, phase)
      : await writeRematchLines(tx, NO_LINES);
    opts.signal?.throwIfAborted();
    // The keys no line covers, one by one (none when every package's version is ranked on its line).
    const read = left === 'none' ? 0 : await evaluateLeftKeys(tx, matcher, tids, opts);
    phase('keys evaluated', { keys: read, templates: tids.bySignature.size });
    const swaps = await applyRematch(tx, scope.kind, 'rematch', left);
    phase('findings written');
    return swaps;
  });
  const images = new Set<string>();
  for (const { imageDigest, swap } of swaps) {
    result.scans++;
    images.add(imageDigest);
    result.newlyAffected += swap.newlyAffected;
    result.newlyFixed += swap.newlyFixed;
    result.statusChanged += swap.statusChanged;
    result.severityChanged += swap.severityChanged;
    if (swap.newlyAffected || swap.newlyFixed || swap.statusChanged || swap.severityChanged)
      result.changes.push({ imageDigest, ...swap });
  }
  result.images = images.size;
  return result;
}

/** No version line: every staged package's key is evaluated one by one. */
const NO_LINES: RematchLines = { groups: [], ranks: [], intervals: { pos: [], tid: [] }, complete: false };

/**
 * Distinct keys per staged package above which version lines pay (ADR 0031, amended): evaluating a
 * key one by one costs about 9 µs of reading and matching at scale, laying the lines a fixed few
 * seconds at 3M packages (their positions evaluated, three more joins per package), so lines win
 * from about 0.2 keys per package (measured at 20k SBOMs: 60k keys in 3M packages 8 s by keys
 * against 13 s by lines; 2.46M keys 23 s against 13 s).
 */
const LINES_FROM_KEYS_PER_PACKAGE = 0.2;

/** Whether a re-match's keys are better found by rank on version lines than one by one. */
export function versionLinesPay(sample: RematchKeySample): boolean {
  return estimatedKeys(sample) >= LINES_FROM_KEYS_PER_PACKAGE * sample.rows;
}

/**
 * The distinct keys of all staged packages, estimated from a sample (exact when it read them all):
 * Chao1's bias-corrected estimate — the keys seen plus those never sampled, inferred from how many
 * were seen once and twice — at most one key per package.
 */
export function estimatedKeys(s: RematchKeySample): number {
  if (s.sampled >= s.rows) return s.keys;
  const unseen = (s.once * (s.once - 1)) / (2 * (s.twice + 1));
  return Math.min(s.rows, s.keys + unseen);
}

/**
 * Sends the staged scope's version lines (ADR 0031): its groups and versions read, the positions
 * evaluated by the matcher, their findings' templates and the lines written. Returns which staged
 * packages' keys are left to read one by one.
 */
async function sendVersionLines(
  tx: Store,
  matcher: Matcher,
  tids: Tids,
  phase: (name: string, more?: Record<string, unknown>) => void,
): Promise<LeftKeys> {
  // The versions are read on the transaction's connection while the matcher loads the groups'
  // advisory rows (over the pool on PostgreSQL).
  const lineGroups = await readRematchGroups(tx);
  phase('groups read', { groups: lineGroups.length });
  const lines = await matcher.versionLines(lineGroups, readRematchVersions(tx));
  phase('positions evaluated', { ranks: lines.ranks.length });
  // Positions are numbered across the groups on a line: a group's first is its base + 1.
  const groups: RematchLines['groups'] = [];
  const base: number[] = [];
  let positions = 0;
  lineGroups.forEach((g, gi) => {
    const domain = lines.domainOf[gi]!;
    if (domain < 0) return;
    const starts = lines.starts[gi]!;
    base[gi] = positions;
    groups.push({ ...g, domain, base: positions, starts });
    positions += starts.length;
  });
  const templates: { tid: number; template: FindingTemplate }[] = [];
  const intervals: RematchLines['intervals'] = { pos: [], tid: [] };
  for (const iv of lines.intervals) {
    for (const f of iv.findings) {
      intervals.pos.push(base[iv.group]! + iv.bucket);
      intervals.tid.push(tidOf(f, tids, templates));
    }
  }
  await writeRematchHits(tx, templates, { k1: [], k2: [], tid: [] });
  const left = await writeRematchLines(tx, {
    groups,
    ranks: lines.ranks,
    intervals,
    complete: lines.complete,
  });
  phase('version lines written', { groups: groups.length, findings: intervals.tid.length });
  return left;
}

/**
 * Reads the keys no version line covers page by page, evaluates each once and sends back the
 * (key, template) pairs; returns how many keys it read.
 */
async function evaluateLeftKeys(
  tx: Store,
  matcher: Matcher,
  tids: Tids,
  opts: RematchOptions,
): Promise<number> {
  const perPage = opts.keysPerPage ?? KEYS_PER_PAGE;
  let read = 0;
  // A pipeline on the transaction's connection: while the process evaluates one page, the store
  // reads the next and writes the previous page's hits (at most one of each in flight).
  let next = readRematchKeys(tx, perPage);
  let writing: Promise<void> = Promise.resolve();
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      const page = await next;
      if (!page.length) break;
      next = readRematchKeys(tx, perPage);
      next.catch(() => undefined); // awaited next round; not unhandled if this round throws
      read += page.length;
      const { templates, hits } = await pageHits(matcher, page, tids);
      await writing;
      writing = writeRematchHits(tx, templates, hits);
      writing.catch(() => undefined);
      opts.logger?.debug('rematch progress', { keys: read });
    }
    await writing;
  } finally {
    // Nothing left running on the connection when the transaction ends (commit or rollback).
    await Promise.allSettled([next, writing]);
  }
  return read;
}

/**
 * The finding templates sent so far, numbered: by their columns, and by the matcher's finding
 * object (keys with the same outcome share one, so most hits skip serialising the template).
 */
interface Tids {
  bySignature: Map<string, number>;
  byFinding: Map<KeyFinding, number>;
}

/** One page of keys evaluated: the templates not sent yet (numbered in `tids`) and the (key, template) pairs. */
async function pageHits(
  matcher: Matcher,
  page: Awaited<ReturnType<typeof readRematchKeys>>,
  tids: Tids,
): Promise<{
  templates: { tid: number; template: FindingTemplate }[];
  hits: RematchHits;
}> {
  const found = await matcher.keyFindings(page);
  const templates: { tid: number; template: FindingTemplate }[] = [];
  const hits: RematchHits = { k1: [], k2: [], tid: [] };
  page.forEach((k, n) => {
    for (const f of found[n]!) {
      hits.k1.push(k.k1);
      hits.k2.push(k.k2);
      hits.tid.push(tidOf(f, tids, templates));
    }
  });
  return { templates, hits };
}

/** A finding's template number; a template not sent yet is numbered and added to `templates`. */
function tidOf(f: KeyFinding, tids: Tids, templates: { tid: number; template: FindingTemplate }[]): number {
  let tid = tids.byFinding.get(f);
  if (tid === undefined) {
    const template = templateOf(f);
    const sig = JSON.stringify(template);
    tid = tids.bySignature.get(sig);
    if (tid === undefined) {
      tid = tids.bySignature.size + 1;
      tids.bySignature.set(sig, tid);
      templates.push({ tid, template });
    }
    tids.byFinding.set(f, tid);
  }
  return tid;
}

/** A key's finding as the columns a stored finding takes from it (findingRow's, less the package's). */
function templateOf(f: KeyFinding): FindingTemplate {
  return {
    vulnerabilityId: f.id,
    aliases: f.aliases,
    fixedVersion: f.fixedVersion ?? null,
    severity: f.severity,
    severitySource: f.severitySource ?? null,
    cvssVersion: f.cvss?.version ?? null,
    cvssVector: f.cvss?.vector ?? null,
    cvssScore: f.cvss?.score ?? null,
    status: f.status,
    statusReason: f.statusReason ?? null,
  };
}
