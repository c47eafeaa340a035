// Fleet size: two CMDB sources with the same rows under different source names (500,000 running
// containers on PostgreSQL) land through the real inventory stage, posture is maintained after
// each import, and the posture view answers. Every id list of this path is past the 65,535 bind
// parameters PostgreSQL's protocol can count: no statement may grow with the input.
// PGlite runs the same path at 70,000 rows per source (still past the limit), to keep CI's time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CMDB_ID_LIMIT, importCmdbFile, metadataKeys } from '../inventory/index.js';
import { maintainPosture } from '../propagation/index.js';
import { getPosture } from '../views/index.js';
import type { StoreKind } from './index.js';
import { createTestStore, storeKindsToTest, type TestStore } from './test-support/stores.js';

const ROWS_PER_SOURCE: Record<StoreKind, number> = {
  postgres: Number(process.env.RUNSIGHT_FLEET_ROWS ?? 250_000),
  pglite: Number(process.env.RUNSIGHT_FLEET_ROWS_PGLITE ?? 70_000),
};
const NAMESPACES = 100;
const CLUSTERS = 5;
const IMAGES = 1000;

/** A CMDB export of `n` containers: namespace i % 100 (in cluster i % 5), image i % 1000. */
function cmdbCsv(n: number): string {
  const lines = ['source_id,cluster,namespace,workload,container,image,digest,owner,environment,platform'];
  for (let i = 0; i < n; i++) {
    const image = i % IMAGES;
    const digest = `sha256:${image.toString(16).padStart(64, '0')}`;
    lines.push(
      `vm-${i}/app,cl-${i % CLUSTERS},ns-${i % NAMESPACES},Deployment/w-${i % 20_000},app,registry.example/app-${image}:1,${digest},team-${i % 40},prod,linux/amd64`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const kinds = await storeKindsToTest();

describe.each(kinds)('a fleet over two CMDB sources on %s', (kind) => {
  const rows = ROWS_PER_SOURCE[kind];
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(() => store?.dispose());

  it(`imports ${rows} rows twice, maintains posture after each, and reports it`, {
    timeout: 900_000,
  }, async () => {
    const text = cmdbCsv(rows);
    const keys = metadataKeys();
    for (const sourceName of ['cmdb-a', 'cmdb-b']) {
      const result = await importCmdbFile(store, { path: `${sourceName}.csv`, text }, { sourceName, keys });
      // Past CMDB_ID_LIMIT the import returns counts, not ids, and posture takes the watermark pass
      // (as the CLI does); below it, the ids.
      const added = result.counts?.added ?? result.added.length;
      expect(added).toBe(rows);
      expect(result.idsOmitted ?? false).toBe(rows > CMDB_ID_LIMIT);
      const synced = await maintainPosture(
        store,
        result.idsOmitted ? {} : { containerIds: [...result.added, ...result.changed] },
      );
      expect(synced.containersResolved).toBeGreaterThanOrEqual(rows);
    }
    const posture = await getPosture(store, { by: 'namespace' });
    expect(posture.totals.containers).toBe(2 * rows);
    // Namespace i % 100 always sits in cluster i % 5: 100 namespace scopes, each 2 × rows / 100.
    expect(posture.groups).toHaveLength(NAMESPACES);
    expect(posture.groups.find((g) => g.key === 'cl-3/ns-13')?.containers).toBe((2 * rows) / NAMESPACES);

    // A later pass (nothing written) and a second import of the same rows also answer.
    await maintainPosture(store);
    const again = await importCmdbFile(store, { path: 'cmdb-b.csv', text }, { sourceName: 'cmdb-b', keys });
    expect(again.counts?.added ?? again.added.length).toBe(0);
    await maintainPosture(
      store,
      again.idsOmitted ? {} : { containerIds: [...again.added, ...again.changed] },
    );
    expect((await getPosture(store, { by: 'cluster' })).totals.containers).toBe(2 * rows);
  });
});
