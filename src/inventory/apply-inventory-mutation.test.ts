// Store tests: the applier is the text boundary of every provider (Kubernetes, Docker, CMDB): an
// observation with a NUL lands cleaned, and the change is returned and reported, on both stores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerObservation } from '../core/types.js';
import { listContainers } from '../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { applyInventoryMutation } from './apply-inventory-mutation.js';
import { resultOf } from './source-result.js';

const kinds = await storeKindsToTest();

describe.each(kinds)('applyInventoryMutation on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('cleans every observation: a NUL in a label value and a label key lands as U+FFFD, reported', async () => {
    const obs: ContainerObservation = {
      id: 'abc123',
      container: 'web',
      containerKind: 'regular',
      image: 'nginx:1.25',
      state: 'running',
      labels: { 'com.example.note': 'a\u0000b', 'k\u0000': 'v' },
    };
    const source = { name: 'laptop', kind: 'docker' as const, config: {} };
    const applied = await applyInventoryMutation(store, source, { type: 'full', containers: [obs] });
    expect(applied.added).toEqual(['abc123']);
    const result = resultOf(source, 1, applied, []);
    expect(result.status).toBe('ok');
    expect(result.warnings).toEqual([
      {
        message: 'abc123: labels.com.example.note: 1 control character (U+0000) replaced by U+FFFD → "a�b"',
      },
      { message: 'abc123: labels.k� (key): 1 control character (U+0000) replaced by U+FFFD → "k�"' },
    ]);
    const [row] = await listContainers(store, { source: 'laptop' });
    expect(row!.labels).toEqual({ 'com.example.note': 'a\uFFFDb', 'k\uFFFD': 'v' });
  });
});
