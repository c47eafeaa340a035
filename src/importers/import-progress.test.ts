// Report imports say how far they got: one progress report per file or document before it is read,
// and one when all are done, whatever each file's outcome.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, type TestStore } from '../store/test-support/stores.js';
import { importReports } from './import-reports.js';
import { TESTDATA } from './test-support/reports.js';

describe('importReports progress', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore('pglite');
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('counts files done of the files given, a failing file included', async () => {
    const seen: [number, number | undefined, string][] = [];
    const result = await importReports(store, {
      format: 'auto',
      files: [`${TESTDATA}grype/keycloak-test.json`, `${TESTDATA}does-not-exist.json`],
      progress: (p) => seen.push([p.done, p.total, p.unit]),
    });
    expect(result.images).toHaveLength(1);
    expect(result.errors).toHaveLength(1);
    expect(seen).toEqual([
      [0, 2, 'files'],
      [1, 2, 'files'],
      [2, 2, 'files'],
    ]);
  });
});
