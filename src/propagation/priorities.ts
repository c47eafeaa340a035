// The prioritised vulnerability list of a scope: KEV first, then EPSS, severity, fix available,
// number of running containers, exposure time (container-seconds the images have run, from the
// exposure ledger — short-lived containers count), then the id.
// Fleet-wide (no cluster, namespace or restricting access scope) the reach of each vulnerability —
// merged cell and running containers over the cells a finding filter keeps — is read from the
// maintained vuln_reach (docs/adr/0026 part 2); for a scope it is aggregated in memory from the
// per-image vulnerability lists of the images it runs. EPSS, ids, images and exposure are read
// only for the vulnerabilities that can still make the list.
import { CELL_COUNT, cellFixable, cellKev, cellRank, mergeCells, severityOfRank } from '../core/severity.js';
import type { Severity } from '../core/types.js';
import type { PostureFilter, Store } from '../store/index.js';
import {
  queryEpssByNumber,
  queryExposureByImage,
  queryRunningImagesOf,
  queryRunningVulnLists,
  queryVulnerabilityIds,
  readVulnReach,
  scopeRestricts,
} from '../store/index.js';
import { type FindingFilter, passes } from './cells.js';

export interface PriorityRow {
  vulnerabilityId: string;
  severity: Severity;
  kev: boolean;
  epss: number | null;
  fixable: boolean;
  containers: number;
  images: number;
  exposureSeconds: number;
}

interface Candidate {
  num: number;
  cell: number;
  containers: number;
  images: string[];
  epss: number | null;
  id: string;
  exposure: number;
}

export async function listPriorities(
  store: Store,
  containers: PostureFilter = {},
  findings: FindingFilter = {},
  limit = 20,
): Promise<PriorityRow[]> {
  const kept = Array.from({ length: CELL_COUNT }, (_, c) => c).filter((c) => passes(c, findings));
  const reach = fleetWide(containers)
    ? await fromFleetReach(store, kept, limit)
    : await fromVulnLists(store, containers, findings);
  const { nums, cells, counts, epss } = reach;
  if (!nums.length) return [];
  // KEV orders first: when at least `limit` KEV-listed vulnerabilities run, no other can make the
  // list, so only theirs are candidates and need an EPSS score (a scope's reach holds ~30k numbers
  // at 1M containers; ~200 of them KEV).
  const kevNums = nums.filter((n) => cellKev(cells[n]!));
  const scored = kevNums.length >= limit ? kevNums : nums;
  const byNum = new Map<number, Candidate>();
  for (const num of scored) {
    byNum.set(num, {
      num,
      cell: cells[num]!,
      containers: counts[num]!,
      images: [],
      epss: null,
      id: '',
      exposure: 0,
    });
  }
  for (const [num, score] of epss ?? (await queryEpssByNumber(store, scored))) {
    const c = byNum.get(num);
    if (c) c.epss = score;
  }

  // Order by every key but exposure and id; keep the first `limit` and whatever ties the last.
  const head = (a: Candidate, b: Candidate) =>
    Number(cellKev(b.cell)) - Number(cellKev(a.cell)) ||
    (b.epss ?? -1) - (a.epss ?? -1) ||
    cellRank(b.cell) - cellRank(a.cell) ||
    Number(cellFixable(b.cell)) - Number(cellFixable(a.cell)) ||
    b.containers - a.containers;
  const sorted = [...byNum.values()].sort(head);
  let cut = Math.min(limit, sorted.length);
  while (cut > 0 && cut < sorted.length && head(sorted[cut - 1]!, sorted[cut]!) === 0) cut++;
  const candidates = sorted.slice(0, cut);
  const imagesOf = await reach.imagesOf(candidates.map((c) => c.num));
  for (const c of candidates) c.images = imagesOf.get(c.num) ?? [];

  const idOf = await queryVulnerabilityIds(
    store,
    candidates.map((c) => c.num),
  );
  const exposure = await queryExposureByImage(
    store,
    [...new Set(candidates.flatMap((c) => c.images))],
    containers.scope,
  );
  for (const c of candidates) {
    c.id = idOf.get(c.num) ?? '';
    c.exposure = c.images.reduce((s, d) => s + (exposure.get(d) ?? 0), 0);
  }
  candidates.sort(
    (a, b) => head(a, b) || b.exposure - a.exposure || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return candidates.slice(0, limit).map((c) => ({
    vulnerabilityId: c.id,
    severity: severityOfRank(cellRank(c.cell)),
    kev: cellKev(c.cell),
    epss: c.epss,
    fixable: cellFixable(c.cell),
    containers: c.containers,
    images: c.images.length,
    exposureSeconds: Math.round(c.exposure),
  }));
}

/** What the list is ordered from: per running vulnerability number, its merged cell and containers. */
interface Reach {
  nums: number[];
  /** By number: the merged cell over the kept cells. */
  cells: Uint8Array;
  /** By number: running containers (of the images carrying it in a kept cell). */
  counts: Float64Array;
  /** EPSS scores by number, when read with the reach (else read for the candidates). */
  epss?: Map<number, number> | undefined;
  /** The running digests carrying each of these numbers in a kept cell. */
  imagesOf(nums: number[]): Promise<Map<number, string[]>>;
}

/** Whether a container filter keeps the whole fleet (what vuln_reach counts). */
function fleetWide(f: PostureFilter): boolean {
  return Object.entries(f).every(([k, v]) => v === undefined || (k === 'scope' && !scopeRestricts(f.scope)));
}

/**
 * The fleet's reach from the maintained vuln_reach (~30k rows, summed over the kept cells): only the
 * rows that open the list (sorted in SQL, with their EPSS).
 */
async function fromFleetReach(store: Store, kept: number[], limit: number): Promise<Reach> {
  const rows = await readVulnReach(store, kept, limit);
  const size = rows.reduce((m, r) => Math.max(m, r.num + 1), 0);
  const cells = new Uint8Array(size);
  const counts = new Float64Array(size);
  for (const r of rows) {
    cells[r.num] = r.cell;
    counts[r.num] = r.containers;
  }
  return {
    nums: rows.map((r) => r.num),
    cells,
    counts,
    epss: new Map(rows.filter((r) => r.epss !== null).map((r) => [r.num, r.epss!])),
    imagesOf: (nums) => queryRunningImagesOf(store, nums, kept),
  };
}

/**
 * A scope's reach, merged from the vulnerability lists of the images it runs: running containers
 * per digest with each image's list, from one statement, every list merged.
 */
async function fromVulnLists(
  store: Store,
  containers: PostureFilter,
  findings: FindingFilter,
): Promise<Reach> {
  const running = await queryRunningVulnLists(store, containers);
  // Per vulnerability number, in typed arrays (a fleet is millions of list entries): merged cell,
  // running containers, images. The images of the few that make the list are collected after.
  // The filter and the merge of two cells are looked up in tables made once: this loop runs once
  // per list entry (5M at 1M containers), so it calls nothing.
  const keep = new Uint8Array(32);
  const merged = new Uint8Array(32 * 32);
  for (let a = 0; a < 32; a++) {
    keep[a] = a < CELL_COUNT && passes(a, findings) ? 1 : 0;
    for (let b = 0; b < 32; b++) merged[a * 32 + b] = a < CELL_COUNT && b < CELL_COUNT ? mergeCells(a, b) : 0;
  }
  let size = 1024;
  let cells = new Uint8Array(size);
  let counts = new Float64Array(size);
  let images = new Int32Array(size);
  const nums: number[] = [];
  for (const r of running) {
    const list = r.vulns;
    const n = r.containers;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i]!;
      const cell = entry & 31;
      if (!keep[cell]) continue;
      const num = entry >>> 5;
      if (num >= size) {
        const grown = Math.max(num + 1, size * 2);
        const c2 = new Uint8Array(grown);
        c2.set(cells);
        const n2 = new Float64Array(grown);
        n2.set(counts);
        const i2 = new Int32Array(grown);
        i2.set(images);
        [cells, counts, images, size] = [c2, n2, i2, grown];
      }
      if (images[num] === 0) {
        nums.push(num);
        cells[num] = cell;
      } else {
        cells[num] = merged[cells[num]! * 32 + cell]!;
      }
      counts[num]! += n;
      images[num]!++;
    }
  }
  const imagesOf = async (wantedNums: number[]) => {
    // The candidates by number, as an index into `wantedNums` plus one (0: not a candidate).
    const wanted = new Int32Array(size);
    const out = new Map<number, string[]>();
    wantedNums.forEach((num, i) => {
      if (num < size) wanted[num] = i + 1;
      out.set(num, []);
    });
    for (const r of running) {
      const list = r.vulns;
      for (let i = 0; i < list.length; i++) {
        const entry = list[i]!;
        const at = wanted[entry >>> 5];
        if (at && keep[entry & 31]) out.get(wantedNums[at - 1]!)!.push(r.digest);
      }
    }
    return out;
  };
  return { nums, cells, counts, imagesOf };
}
