// Re-match without re-pull: when advisories change, the images whose stored packages are touched
// are found through the reverse index and re-evaluated from their stored SBOMs only (no layer is
// read, no registry contacted); each scan's findings are swapped in a transaction and the change
// per image (newly_affected / newly_fixed / status_changed, cause `rematch`) lands in
// finding_changes. Scans are processed in batches (default 200): each batch is matched together
// and written in one transaction, so a reader sees a scan's old or new findings, never a mix.
// CVE-record scores re-rate findings without changing which packages they hit: a change of a CVE's
// scores re-matches the current scans whose findings name that CVE, and a re-rated finding is
// recorded as `severity_changed`, which makes its image's posture stale for maintainPosture.
import type { Logger } from '../core/logger.js';
import type { Finding } from '../core/types.js';
import type { PackageKey, Store } from '../store/index.js';
import {
  findScansForPackages,
  findScansForVulnerabilities,
  listCurrentScans,
  listVexStatements,
  loadScanPackages,
  replaceFindingsOfScans,
  type TouchedScan,
} from '../store/index.js';
import { createMatcher } from './match/matcher.js';
import { packageEcosystems } from './match/package-keys.js';
import { applyVex } from './vex/apply-vex.js';

export interface RematchOptions {
  /** The (advisory ecosystem, package) keys that changed; omit with `all` to re-match every image. */
  keys?: PackageKey[] | undefined;
  /** CVE ids whose CVE-record scores changed: the scans whose findings name them are re-rated. */
  cves?: string[] | undefined;
  all?: boolean | undefined;
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
  /** Scans per transaction batch. */
  batchSize?: number | undefined;
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
  const pairs = new Map<string, { ecosystem: string; name: string }>();
  for (const k of keys) {
    for (const e of packageEcosystems(k.ecosystem))
      pairs.set(`${e}\u0000${k.packageName}`, { ecosystem: e, name: k.packageName });
  }
  return pairs.size ? findScansForPackages(store, [...pairs.values()]) : [];
}

/** The union of the scans advisory keys reach and the scans whose findings name changed CVEs. */
async function scansToRematch(store: Store, opts: RematchOptions): Promise<TouchedScan[]> {
  const byId = new Map<number, TouchedScan>();
  for (const s of await touchedScans(store, opts.keys ?? [])) byId.set(s.scanId, s);
  if (opts.cves?.length)
    for (const s of await findScansForVulnerabilities(store, opts.cves)) byId.set(s.scanId, s);
  return [...byId.values()].sort((a, b) => a.scanId - b.scanId);
}

export async function rematch(store: Store, opts: RematchOptions = {}): Promise<RematchResult> {
  const scans = opts.all ? await listCurrentScans(store) : await scansToRematch(store, opts);
  const result: RematchResult = {
    scans: 0,
    images: 0,
    newlyAffected: 0,
    newlyFixed: 0,
    statusChanged: 0,
    severityChanged: 0,
    changes: [],
  };
  if (!scans.length) return result;
  const matcher = createMatcher(store);
  const vex = await listVexStatements(store);
  const batch = opts.batchSize ?? 200;
  const images = new Set<string>();
  for (let i = 0; i < scans.length; i += batch) {
    opts.signal?.throwIfAborted();
    const chunk = scans.slice(i, i + batch);
    const sboms = await loadScanPackages(
      store,
      chunk.map((s) => s.scanId),
    );
    const matched = await matcher.matchMany(
      chunk.map((scan) => ({
        packages: sboms.get(scan.scanId) ?? [],
        opts: { osEcosystem: scan.os?.ecosystem },
      })),
    );
    const computed: { scan: TouchedScan; findings: Finding[] }[] = chunk.map((scan, n) => ({
      scan,
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
    opts.logger?.debug('rematch progress', { done: Math.min(i + batch, scans.length), total: scans.length });
  }
  result.images = images.size;
  return result;
}
