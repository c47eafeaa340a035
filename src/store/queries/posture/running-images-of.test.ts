// The prioritised list's image lookup (queryRunningImagesOf) reads the images of the numbers asked
// for, not every image's vulnerabilities, even with statistics taken while the tables were empty
// (as right after a store's first recompute, before autovacuum analyses them). As a plain join the
// planner started from the running groups and read every image_vulns row (at the 1M bench fleet:
// 5M rows, 2.3–3.3 s for 20 numbers; here 50k rows for 20 numbers of 250 images each). Rows read
// are counted from pg_stat_xact_user_tables.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CELL_COUNT } from '../../../core/severity.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../../test-support/stores.js';
import { queryRunningImagesOf } from './vuln-reach.js';

const kinds = await storeKindsToTest();
const IMAGES = 1000;
const PER_IMAGE = 50;
const VULNS = 200;

describe.each(kinds)('queryRunningImagesOf on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
    const db = store.db;
    await sql`analyze image_vulns`.execute(db);
    await sql`analyze image_posture`.execute(db);
    await sql`analyze vulnerability_numbers`.execute(db);
    await sql`analyze posture_groups`.execute(db);
    // Numbers of vulnerabilities no running image has too, as a store accumulates them.
    await sql`insert into vulnerability_numbers (id) select 'CVE-2099-' || g from generate_series(1, 30 * ${VULNS}) g`.execute(
      db,
    );
    // Image i carries PER_IMAGE consecutive vulnerabilities from i mod VULNS: each vulnerability
    // is on 250 images; the odd images run. Image i's rows are those of its posture scan, i + 1.
    await sql`insert into image_posture (image_digest, source, scan_id, counts, kev, fixable, distinct_vulns, computed_at)
      select 'sha256:' || i, 'runsight', i + 1, '{}', 0, 0, ${PER_IMAGE}, now() from generate_series(0, ${IMAGES - 1}) i`.execute(
      db,
    );
    await sql`insert into image_vulns (scan_id, vulnerability_id, num, severity_rank, packages)
      select i + 1, n.id, n.num, 3, 1
      from generate_series(0, ${IMAGES - 1}) i cross join generate_series(0, ${PER_IMAGE - 1}) j
        join vulnerability_numbers n on n.id = 'CVE-2099-' || (1 + (i + j) % ${VULNS})`.execute(db);
    await sql`insert into posture_groups (k_cluster, k_namespace, k_workload, k_environment, k_owner, k_image, image,
        image_digest, source_id, match_method, confidence, containers)
      select 'c', 'n', 'w' || i, '', '', 'sha256:' || i, 'app', 'sha256:' || i, 1, 'digest', 'exact', 1
      from generate_series(1, ${IMAGES - 1}, 2) i`.execute(db);
  }, 120_000);
  afterAll(() => store?.dispose());

  it('reads the images of the asked numbers only, with statistics taken before the tables filled', async () => {
    const { rows: nums } = await sql<{ num: number }>`
      select num from vulnerability_numbers where id = any(${Array.from({ length: 20 }, (_, i) => `CVE-2099-${i + 1}`)})`.execute(
      store.db,
    );
    const all = Array.from({ length: CELL_COUNT }, (_, c) => c);
    const { found, read } = await store.transaction(async (tx) => {
      const found = await queryRunningImagesOf(
        tx,
        nums.map((n) => Number(n.num)),
        all,
      );
      const { rows } = await sql<{ n: string }>`
        select (coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))::text as n
        from pg_stat_xact_user_tables where relname = 'image_vulns'`.execute(tx.db);
      return { found, read: Number(rows[0]?.n ?? 0) };
    });
    // Each number is on 250 images, half of them running.
    for (const n of nums) expect(found.get(Number(n.num))?.length).toBe(125);
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThanOrEqual(2 * 20 * 250);
  });
});
