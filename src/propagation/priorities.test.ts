// The fleet-wide prioritised list read from the maintained vuln_reach (docs/adr/0026 part 2)
// equals the list merged from every running image's vulnerability list, for a random (seeded)
// fleet and every finding filter, after each kind of write: containers added, removed, moved to
// another digest (the inventory delta), an image re-scanned with another list while it runs
// (the sync's refresh), an enrichment change and a full recompute. vuln_reach itself equals a
// rebuild from scratch after every step.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Severity } from '../core/types.js';
import { rebuildVulnReach } from '../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import type { FindingFilter } from './cells.js';
import { listPriorities } from './priorities.js';
import { maintainPosture, recomputePosture, syncPosture } from './sync.js';
import {
  addContainers,
  addManifest,
  addScan,
  addSource,
  type C,
  digestOf,
  type F,
} from './test-support/fleet.js';

const kinds = await storeKindsToTest();
const SEVERITIES: Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];
const CLUSTERS = ['prod', 'stage'];
const FILTERS: FindingFilter[] = [
  {},
  { kev: true },
  { fixable: true },
  { minSeverityRank: 3 },
  { minSeverityRank: 2, fixable: true },
];

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function findingsOf(rnd: () => number, n: number): F[] {
  const out = new Map<string, F>();
  for (let i = 0; i < n; i++) {
    const id = `CVE-2025-${String(1 + Math.floor(rnd() * 40)).padStart(4, '0')}`;
    out.set(id, {
      id,
      severity: SEVERITIES[Math.floor(rnd() * SEVERITIES.length)]!,
      pkg: `pkg${Math.floor(rnd() * 5)}`,
      ...(rnd() < 0.4 ? { fixed: '9.9' } : {}),
    });
  }
  return [...out.values()];
}

describe.each(kinds)('fleet reach per vulnerability (%s)', (kind) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await createTestStore(kind);
  });
  afterEach(async () => {
    await store.dispose();
  });

  it('gives the list merged from the images, after deltas, re-scans and a full recompute', async () => {
    const rnd = random(15);
    const src = await addSource(store);
    const digests = Array.from({ length: 8 }, (_, i) => digestOf(`reach-${i}`));
    for (const d of digests) await addManifest(store, d);
    // Six scanned images (the last two stay unscanned).
    for (const d of digests.slice(0, 6)) await addScan(store, d, findingsOf(rnd, 6));
    await store.db
      .insertInto('kev')
      .values(['CVE-2025-0003', 'CVE-2025-0011', 'CVE-2025-0027'].map((cve_id) => ({ cve_id })))
      .execute();
    await store.db
      .insertInto('epss')
      .values(
        Array.from({ length: 15 }, (_, i) => ({
          cve_id: `CVE-2025-${String(2 * i + 1).padStart(4, '0')}`,
          score: Math.round(rnd() * 100) / 100,
          percentile: 0.5,
        })),
      )
      .execute();
    let next = 0;
    const container = (d: string): C => {
      const n = next++;
      return {
        id: `c/${n}`,
        image: `img:${digests.indexOf(d)}`,
        digest: d,
        cluster: CLUSTERS[n % 2]!,
        namespace: `ns${n % 3}`,
        workloadName: `w${n % 5}`,
      };
    };
    const running: C[] = [];
    for (let i = 0; i < 20; i++) running.push(container(digests[Math.floor(rnd() * 7)]!));
    await addContainers(store, src, running);
    await syncPosture(store);
    await expectFleetListMerged(store, 'first sync');

    const step = async (label: string, cs: C[]) => {
      await addContainers(store, src, cs);
      await maintainPosture(store, { containerIds: cs.filter((c) => !c.removedAt).map((c) => c.id) });
      await expectFleetListMerged(store, label);
    };
    const gone = () => new Date(Date.now() + 1);
    // Containers added: on a running image, and on one not running until now.
    const idle = digests.find((d) => !running.some((c) => c.digest === d) && digests.indexOf(d) < 6);
    await step('added', [container(running[0]!.digest!), ...(idle ? [container(idle)] : [])]);
    // Every container of one image removed (its vulnerabilities lose an image), one of another.
    const first = running[1]!.digest!;
    const all = running.filter((c) => c.digest === first);
    await step('removed', [
      ...all.map((c) => ({ ...c, removedAt: gone() })),
      { ...running.find((c) => c.digest !== first)!, removedAt: gone() },
    ]);
    // Containers moved to another digest (a rollout), one onto an unscanned image.
    const moved = running.filter((c) => c.digest !== first).slice(0, 3);
    await step('moved', [
      { ...moved[0]!, digest: digests[5]! },
      { ...moved[1]!, digest: digests[2]! },
      { ...moved[2]!, digest: digests[7]! },
    ]);
    // A running image re-scanned with another list (the sync refreshes its roll-up).
    const rescanned = digests
      .slice(0, 6)
      .find((d) => running.some((c) => c.digest === d && !all.includes(c)))!;
    await addScan(store, rescanned, findingsOf(rnd, 8), { startedAt: new Date(Date.now() + 1000) });
    await maintainPosture(store);
    await expectFleetListMerged(store, 're-scanned');
    // The unscanned image gets its first scan while it runs.
    await addScan(store, digests[7]!, findingsOf(rnd, 5));
    await maintainPosture(store);
    await expectFleetListMerged(store, 'first scan');
    // An enrichment change (KEV): every image roll-up recomputed.
    await store.db.insertInto('kev').values({ cve_id: 'CVE-2025-0008' }).execute();
    await maintainPosture(store);
    await expectFleetListMerged(store, 'kev');
    await recomputePosture(store);
    await expectFleetListMerged(store, 'recomputed');
    // The recompute left its rebuilt tables analysed (ANALYZE sets reltuples to the rows it
    // counted): plans read after it do not start from an emptier table's statistics.
    for (const table of ['image_vulns', 'vulnerability_numbers', 'vuln_reach', 'posture_groups']) {
      const { rows } = await sql<{ reltuples: number; n: number }>`
        select c.reltuples::float8 as reltuples, (select count(*) from ${sql.table(table)})::int as n
        from pg_class c where c.relname = ${table} and c.relkind = 'r'`.execute(store.db);
      expect(rows[0]!.n, table).toBeGreaterThan(0);
      expect(Number(rows[0]!.reltuples), table).toBe(rows[0]!.n);
    }
  });
});

/**
 * The unscoped list (vuln_reach) equals the list merged from the images' lists (an access scope
 * naming every cluster: the read-time path over the same containers), for every filter; and the
 * maintained vuln_reach equals a rebuild.
 */
async function expectFleetListMerged(store: TestStore, label: string): Promise<void> {
  const everything = { scope: { clusters: CLUSTERS } };
  for (const [f, limit] of FILTERS.flatMap(
    (f) =>
      [
        [f, 1000],
        [f, 3],
      ] as const,
  )) {
    const fleet = await listPriorities(store, {}, f, limit);
    const merged = await listPriorities(store, everything, f, limit);
    // Exposure counts open intervals to now: the two reads may be a second apart.
    const fixed = (rows: typeof fleet) => rows.map(({ exposureSeconds, ...r }) => r);
    expect(fixed(fleet), `${label} ${JSON.stringify(f)} top ${limit}`).toEqual(fixed(merged));
    for (const [i, r] of fleet.entries())
      expect(Math.abs(r.exposureSeconds - merged[i]!.exposureSeconds)).toBeLessThan(60);
    if (!f.kev) expect(fleet.length, label).toBeGreaterThanOrEqual(3);
  }
  const rows = async () =>
    (
      await sql<{ num: number; i: number[]; c: string[] }>`
        select num, images_by_cell as i, containers_by_cell as c from vuln_reach order by num`.execute(
        store.db,
      )
    ).rows
      .map((r) => ({ num: Number(r.num), i: r.i.map(Number), c: r.c.map(Number) }))
      .filter((r) => r.i.some((n) => n !== 0) || r.c.some((n) => n !== 0));
  const maintained = await rows();
  await rebuildVulnReach(store.db);
  expect(maintained, label).toEqual(await rows());
}
