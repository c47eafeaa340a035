// The prioritised vulnerability list of a scope: KEV first, then EPSS, severity, fix available,
// number of running containers, exposure time (container-seconds the images have run, from the
// exposure ledger — short-lived containers count), then the id.
// Aggregated in memory from the per-image vulnerability lists (vuln-lists.ts): running containers
// per digest come from one GROUP BY; EPSS, ids and exposure are read only for the vulnerabilities
// that can still reach the list.
import { type Kysely, sql } from 'kysely';
import type { Store } from '../../open-store.js';
import type { Database } from '../../schema.js';
import { type FindingFilter, passes } from './cells.js';
import { containerWhere, type PostureFilter } from './query-rollup.js';
import { loadVulnLists } from './vuln-lists.js';

export interface PriorityRow {
  vulnerabilityId: string;
  severity: string;
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

export async function queryPriorities(
  { db }: Pick<Store, 'db'>,
  containers: PostureFilter = {},
  findings: FindingFilter = {},
  limit = 20,
): Promise<PriorityRow[]> {
  const running = await sql<{ image_digest: string; n: number }>`
    select c.image_digest, count(*) as n from containers c
    where ${containerWhere(containers)} and c.image_digest is not null group by c.image_digest`.execute(db);
  const lists = await loadVulnLists(
    { db },
    running.rows.map((r) => r.image_digest),
  );
  const byNum = new Map<number, Candidate>();
  for (const r of running.rows) {
    const list = lists.get(r.image_digest);
    if (!list) continue;
    const n = Number(r.n);
    for (let i = 0; i < list.length; i++) {
      const num = list[i]! >>> 5;
      const cell = list[i]! & 31;
      if (!passes(cell, findings)) continue;
      let c = byNum.get(num);
      if (!c) {
        c = { num, cell, containers: 0, images: [], epss: null, id: '', exposure: 0 };
        byNum.set(num, c);
      } else {
        c.cell = (Math.max(c.cell >> 2, cell >> 2) << 2) | (c.cell & 3) | (cell & 3);
      }
      c.containers += n;
      c.images.push(r.image_digest);
    }
  }
  if (!byNum.size) return [];
  const epss = await sql<{ num: number; score: number }>`
    select n.num, e.score from vulnerability_numbers n join epss e on e.cve_id = n.id
    where n.num = any(${[...byNum.keys()]}::int[])`.execute(db);
  for (const e of epss.rows) byNum.get(Number(e.num))!.epss = Number(e.score);

  // Order by every key but exposure and id; keep the first `limit` and whatever ties the last.
  const head = (a: Candidate, b: Candidate) =>
    (b.cell & 2) - (a.cell & 2) ||
    (b.epss ?? -1) - (a.epss ?? -1) ||
    (b.cell >> 2) - (a.cell >> 2) ||
    (b.cell & 1) - (a.cell & 1) ||
    b.containers - a.containers;
  const sorted = [...byNum.values()].sort(head);
  let cut = Math.min(limit, sorted.length);
  while (cut > 0 && cut < sorted.length && head(sorted[cut - 1]!, sorted[cut]!) === 0) cut++;
  const candidates = sorted.slice(0, cut);

  const ids = await sql<{ num: number; id: string }>`
    select num, id from vulnerability_numbers where num = any(${candidates.map((c) => c.num)}::int[])`.execute(
    db,
  );
  const idOf = new Map(ids.rows.map((r) => [Number(r.num), r.id]));
  const exposure = await exposureByImage(db, [...new Set(candidates.flatMap((c) => c.images))]);
  for (const c of candidates) {
    c.id = idOf.get(c.num) ?? '';
    c.exposure = c.images.reduce((s, d) => s + (exposure.get(d) ?? 0), 0);
  }
  candidates.sort(
    (a, b) => head(a, b) || b.exposure - a.exposure || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return candidates.slice(0, limit).map((c) => ({
    vulnerabilityId: c.id,
    severity: SEVERITY_NAMES[c.cell >> 2] ?? 'UNKNOWN',
    kev: (c.cell & 2) !== 0,
    epss: c.epss,
    fixable: (c.cell & 1) !== 0,
    containers: c.containers,
    images: c.images.length,
    exposureSeconds: Math.round(c.exposure),
  }));
}

/** Container-seconds per image: ledger intervals, else the container's own lifetime. */
async function exposureByImage(db: Kysely<Database>, digests: string[]): Promise<Map<string, number>> {
  if (!digests.length) return new Map();
  const r = await sql<{ image_digest: string; secs: number }>`
    select c.image_digest, sum(coalesce(e.secs, extract(epoch from (coalesce(c.removed_at, now()) - coalesce(c.started_at, c.first_seen))))) as secs
    from containers c
    left join (select container_id, sum(extract(epoch from (coalesce(closed_at, greatest(last_seen, now())) - first_seen))) as secs
               from exposures group by container_id) e on e.container_id = c.id
    where c.image_digest = any(${digests}::text[])
    group by c.image_digest`.execute(db);
  return new Map(r.rows.map((x) => [x.image_digest, Number(x.secs)]));
}

export const SEVERITY_NAMES = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
