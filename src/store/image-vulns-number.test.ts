// image_vulns carries its vulnerability's number (migration 38) and names its image by the posture
// scan (migration 39): every row written by the roll-up has the number vulnerability_numbers gives
// its id, the readers that used the id index find the same rows through the number, and the two
// migrations turn the rows of a store written before them into today's without changing any
// answer; numbers are spent only on new ids — on both stores.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refreshImages } from '../propagation/image-posture.js';
import { recomputePosture } from '../propagation/index.js';
import { listPriorities, type PriorityRow } from '../propagation/priorities.js';
import { syncPosture } from '../propagation/sync.js';
import {
  addContainers,
  addManifest,
  addScan,
  addSource,
  digestOf,
} from '../propagation/test-support/fleet.js';
import { canonicalVulnIds, queryVulnWhere } from './index.js';
import * as m038 from './migrations/038-image-vulns-number.js';
import * as m039 from './migrations/039-image-vulns-by-scan.js';
import { createTestStore, storeKindsToTest, type TestStore } from './test-support/stores.js';

const kinds = await storeKindsToTest();
const A = digestOf('num-a');
const B = digestOf('num-b');

/** Rows whose number is not the one vulnerability_numbers gives their id (none when right). */
async function misnumbered(store: TestStore): Promise<number> {
  const r = await sql<{ n: string }>`select count(*)::text as n from image_vulns iv
    left join vulnerability_numbers n on n.id = iv.vulnerability_id
    where n.num is distinct from iv.num`.execute(store.db);
  return Number(r.rows[0]?.n);
}

/** The prioritised list without its exposure (which grows with the clock between two reads). */
function ranked(rows: PriorityRow[]): Omit<PriorityRow, 'exposureSeconds'>[] {
  return rows.map(({ exposureSeconds: _, ...rest }) => rest);
}

async function maxNumber(store: TestStore): Promise<number> {
  const r = await sql<{ n: number }>`select max(num) as n from vulnerability_numbers`.execute(store.db);
  return Number(r.rows[0]?.n);
}

async function indexesOfImageVulns(store: TestStore): Promise<string[]> {
  const r = await sql<{ name: string }>`select indexname as name from pg_indexes
    where tablename = 'image_vulns' order by 1`.execute(store.db);
  return r.rows.map((x) => x.name);
}

describe.each(kinds)('image_vulns numbers on %s', (kind) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await createTestStore(kind);
    const src = await addSource(store);
    await addManifest(store, A);
    await addManifest(store, B);
    // A number taken before these ids arrive, so the ids' numbers are not simply 1, 2, 3.
    await sql`insert into vulnerability_numbers (id) values ('CVE-1999-0001')`.execute(store.db);
    await addScan(store, A, [
      { id: 'CVE-2024-0001', severity: 'CRITICAL', fixed: '1.1' },
      { id: 'CVE-2024-0002', severity: 'LOW', pkg: 'zlib' },
    ]);
    await addScan(store, B, [
      { id: 'CVE-2024-0002', severity: 'LOW' },
      { id: 'CVE-2024-0003', severity: 'HIGH', pkg: 'curl' },
    ]);
    await addContainers(store, src, [
      { id: 'p/1', image: 'a:1', digest: A },
      { id: 'p/2', image: 'a:1', digest: A },
      { id: 'p/3', image: 'b:1', digest: B },
    ]);
    await syncPosture(store);
  });
  afterEach(async () => {
    await store?.dispose();
  });

  it('writes each row with its id’s number and answers by number what it answered by id', async () => {
    expect(await misnumbered(store)).toBe(0);
    const rows = await store.db.selectFrom('image_vulns').select(['vulnerability_id', 'num']).execute();
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.num > 1)).toBe(true);
    expect(await indexesOfImageVulns(store)).toEqual(['image_vulns_num', 'image_vulns_scan']);
    // Each row's image is the one whose posture reads its scan: two each.
    const byImage = await sql<{ image_digest: string; n: string }>`select p.image_digest, count(*)::text as n
      from image_vulns iv join image_posture p on p.scan_id = iv.scan_id group by 1 order by 1`.execute(
      store.db,
    );
    expect(byImage.rows.map((r) => [r.image_digest, Number(r.n)])).toEqual(
      [
        [A, 2],
        [B, 2],
      ].sort(),
    );

    expect(await canonicalVulnIds(store, 'CVE-2024-0002')).toEqual(['CVE-2024-0002']);
    const where = await queryVulnWhere(store, ['CVE-2024-0002']);
    expect(where.map((w) => w.containerId).sort()).toEqual(['p/1', 'p/2', 'p/3']);
    expect((await queryVulnWhere(store, ['CVE-2024-0003'])).map((w) => w.containerId)).toEqual(['p/3']);
    expect(await queryVulnWhere(store, ['CVE-1999-0001'])).toEqual([]);

    const top = await listPriorities(store);
    expect(top.map((p) => [p.vulnerabilityId, p.containers, p.images])).toEqual([
      ['CVE-2024-0001', 2, 1],
      ['CVE-2024-0003', 1, 1],
      ['CVE-2024-0002', 3, 2],
    ]);
  });

  it("turns hashed aggregation off for its own statements only, in the caller's transaction too", async () => {
    const hashAgg = async (db: TestStore['db']) =>
      (await sql<{ v: string }>`select current_setting('enable_hashagg') as v`.execute(db)).rows[0]?.v;
    const after = await store.transaction(async (tx) => {
      const seen: (string | undefined)[] = [];
      await refreshImages(tx, undefined, 'runsight', new Date());
      seen.push(await hashAgg(tx.db));
      // A caller that turned it off itself keeps it off.
      await sql`set local enable_hashagg = off`.execute(tx.db);
      await refreshImages(tx, undefined, 'runsight', new Date());
      seen.push(await hashAgg(tx.db));
      return seen;
    });
    expect(after).toEqual(['on', 'off']);
    expect(await hashAgg(store.db)).toBe('on');
    expect(await misnumbered(store)).toBe(0);
  });

  it('spends a number only on an id that has none', async () => {
    const before = await maxNumber(store);
    await recomputePosture(store);
    await recomputePosture(store);
    await addScan(store, A, [
      { id: 'CVE-2024-0001', severity: 'CRITICAL', fixed: '1.1' },
      { id: 'CVE-2024-0009', severity: 'MEDIUM' },
    ]);
    await syncPosture(store);
    const r = await store.db
      .selectFrom('vulnerability_numbers')
      .select('num')
      .where('id', '=', 'CVE-2024-0009')
      .executeTakeFirstOrThrow();
    expect(r.num).toBe(before + 1);
    expect(await misnumbered(store)).toBe(0);
  });

  it("turns the rows of a store written before migration 38 into today's, every answer unchanged", async () => {
    const rows = await sql<{ n: string }>`select count(*)::text as n from image_vulns`.execute(store.db);
    expect(Number(rows.rows[0]?.n)).toBeGreaterThan(0);
    const before = {
      where: await queryVulnWhere(store, ['CVE-2024-0002']),
      top: ranked(await listPriorities(store)),
      posture: await store.db
        .selectFrom('image_posture')
        .select(['image_digest', 'vulns'])
        .orderBy('image_digest')
        .execute(),
    };
    // As migration 37 left a store: rows by digest text with source and severity, no number, the
    // index on the id text.
    await sql`create table image_vulns_37 as
      select p.image_digest, iv.vulnerability_id, p.source,
        (array['UNKNOWN','LOW','MEDIUM','HIGH','CRITICAL'])[iv.severity_rank + 1] as severity,
        iv.severity_rank, iv.kev, iv.fixable, iv.epss, iv.cvss_score, iv.packages, iv.fixable_packages
      from image_vulns iv join image_posture p on p.scan_id = iv.scan_id`.execute(store.db);
    await sql`drop table image_vulns`.execute(store.db);
    await sql`alter table image_vulns_37 rename to image_vulns`.execute(store.db);
    await sql`drop index image_posture_scan`.execute(store.db);
    await sql`create index image_vulns_image on image_vulns (image_digest)`.execute(store.db);
    await sql`create index image_vulns_vuln on image_vulns (vulnerability_id)`.execute(store.db);
    // A row of an image whose posture has no scan (written before migration 6): migration 39
    // drops it, and that roll-up is stale (the next sync recomputes it).
    await sql`insert into image_vulns (image_digest, vulnerability_id, source, severity, severity_rank, kev, fixable, packages)
      values ('sha256:gone', 'CVE-2024-0001', 'runsight', 'HIGH', 3, false, false, 1)`.execute(store.db);
    // Its refreshes offered every id again, each offer spending a number of the sequence.
    for (let i = 0; i < 3; i++)
      await sql`insert into vulnerability_numbers (id) select id from vulnerability_numbers on conflict do nothing`.execute(
        store.db,
      );
    const highest = await maxNumber(store);

    await store.transaction((tx) => m038.up(tx.db));
    expect(await indexesOfImageVulns(store)).toEqual(['image_vulns_image', 'image_vulns_num']);
    await store.transaction((tx) => m039.up(tx.db));
    expect(await misnumbered(store)).toBe(0);
    expect(await indexesOfImageVulns(store)).toEqual(['image_vulns_num', 'image_vulns_scan']);
    const after = await sql<{ n: string }>`select count(*)::text as n from image_vulns`.execute(store.db);
    expect(after.rows[0]?.n).toBe(rows.rows[0]?.n);
    // The sequence goes on after the highest number given, not after the spent ones.
    const next = await sql<{
      num: number;
    }>`insert into vulnerability_numbers (id) values ('CVE-2024-0010') returning num`.execute(store.db);
    expect(next.rows[0]?.num).toBe(highest + 1);
    expect(await queryVulnWhere(store, ['CVE-2024-0002'])).toEqual(before.where);
    expect(ranked(await listPriorities(store))).toEqual(before.top);
    // A full recompute after it gives the roll-up the migration left.
    await recomputePosture(store);
    expect(
      await store.db
        .selectFrom('image_posture')
        .select(['image_digest', 'vulns'])
        .orderBy('image_digest')
        .execute(),
    ).toEqual(before.posture);
    expect(await misnumbered(store)).toBe(0);
  });
});
