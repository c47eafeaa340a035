// No statement grows with the input: every store query that takes a list (ids, digests, names,
// keys) or many rows answers at 70,000 of them, past the 65,535 bind parameters PostgreSQL's
// protocol can count, and a statement over the limit is refused with a message that names it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerObservation } from '../core/types.js';
import type { Store } from './index.js';
import {
  getAdvisoryModified,
  getLayerCache,
  listContainers,
  listContainersToResolve,
  listScanCandidates,
  listVexStatements,
  loadImageFacts,
  loadImageRollups,
  loadScanPackages,
  putLayerCache,
  queryImageCarries,
  queryTouchedScopes,
  readScopePosture,
  recordResolution,
  replaceFindingsOfScans,
  saveResolutions,
  snapshotHistory,
  writeInventoryMutation,
} from './index.js';
import { MAX_BIND_PARAMETERS } from './statement-size.js';
import { createTestStore, storeKindsToTest, type TestStore } from './test-support/stores.js';

const N = 70_000;
const many = (prefix: string, n = N) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const sha = (i: number, c = 'a') => `sha256:${c.repeat(56)}${i.toString(16).padStart(8, '0')}`;
const SOURCE = { name: 'cmdb-size', kind: 'cmdb' as const };

function container(i: number, namespace: string): ContainerObservation {
  return {
    id: `cmdb-size/c-${i}`,
    cluster: 'prod',
    namespace,
    workloadKind: 'Deployment',
    workloadName: `w-${i}`,
    container: 'app',
    containerKind: 'regular',
    image: 'registry.example/app:1',
    state: 'running',
    labels: {},
  };
}

async function count(store: Store, table: 'image_layers' | 'image_children', col: string, value: string) {
  const r = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(col as never, '=', value as never)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

const kinds = await storeKindsToTest();

describe.each(kinds)('statement size on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
    await writeInventoryMutation(store, SOURCE, {
      type: 'full',
      containers: [container(1, 'shop'), container(2, 'shop'), container(3, 'batch')],
    });
  });
  afterAll(() => store?.dispose());

  it('refuses a statement over 65,535 bind parameters with a message that names it', async () => {
    const ids = many('id');
    await expect(
      store.db.selectFrom('containers').select('id').where('id', 'in', ids).execute(),
    ).rejects.toThrow(
      `a statement with ${N} bind parameters was refused (PostgreSQL takes at most ${MAX_BIND_PARAMETERS})`,
    );
  });

  it('lists containers by 70,000 ids and by 70,000 namespaces', async () => {
    const byId = await listContainers(store, { ids: [...many('nope'), 'cmdb-size/c-2'] });
    expect(byId.map((c) => c.id)).toEqual(['cmdb-size/c-2']);
    const byNs = await listContainers(store, { namespaces: [...many('ns'), 'batch'] });
    expect(byNs.map((c) => c.id)).toEqual(['cmdb-size/c-3']);
  });

  it('closes only the scoped namespaces of a full list naming 70,000 of them', async () => {
    const at = new Date();
    const applied = await writeInventoryMutation(
      store,
      SOURCE,
      { type: 'full', containers: [container(1, 'shop')] },
      { observedAt: at, scope: { namespaces: [...many('ns'), 'shop'] } },
    );
    // c-2 (shop) is gone from the list; c-3 (batch) is outside the scope and stays.
    expect(applied.removed).toEqual(['cmdb-size/c-2']);
    const live = await listContainers(store, {});
    expect(live.map((c) => c.id).sort()).toEqual(['cmdb-size/c-1', 'cmdb-size/c-3']);
  });

  it('writes and reads the layer cache for 20,000 layers (80,000 values)', async () => {
    const rows = many('sha256:layer', 20_000).map((diffId, i) => ({
      diffId,
      extractor: 'os/dpkg',
      version: 1,
      result: { i },
    }));
    await putLayerCache(store, rows);
    const got = await getLayerCache(
      store,
      [...many('sha256:other'), ...rows.map((r) => r.diffId)],
      [{ extractor: 'os/dpkg', version: 1 }],
    );
    expect(got).toHaveLength(20_000);
    expect(got.find((r) => r.diffId === 'sha256:layer-19999')?.result).toEqual({ i: 19_999 });
  });

  it('records an index of 12,000 platforms and a manifest of 12,000 layers (72,000 values each)', async () => {
    const platform = { os: 'linux', architecture: 'amd64' };
    const layers = Array.from({ length: 12_000 }, (_, i) => ({
      digest: sha(i, 'b'),
      diffId: sha(i, 'c'),
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      size: 1,
    }));
    const manifest = sha(1, 'd');
    const index = sha(2, 'd');
    await recordResolution(store, {
      reference: 'registry.example/app:1',
      registry: 'registry.example',
      repository: 'app',
      tag: '1',
      digest: index,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      platforms: [
        {
          digest: manifest,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          platform,
          configDigest: sha(3, 'd'),
          config: { ...platform, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } },
          layers,
          manifest: {},
        },
      ],
      children: Array.from({ length: 12_000 }, (_, i) => ({
        digest: i === 0 ? manifest : sha(i, 'e'),
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        platform,
      })),
    });
    expect(await count(store, 'image_layers', 'image_digest', manifest)).toBe(12_000);
    expect(await count(store, 'image_children', 'index_digest', index)).toBe(12_000);
  });

  it('reads VEX statements, advisory times and SBOMs for 70,000 keys', async () => {
    expect(await listVexStatements(store, many('CVE-2099'))).toEqual([]);
    expect((await getAdvisoryModified(store, many('source'))).size).toBe(0);
    const ids = Array.from({ length: N }, (_, i) => i + 1_000_000);
    const sboms = await loadScanPackages(store, ids);
    expect(sboms.size).toBe(N);
    expect([...sboms.values()].every((p) => p.length === 0)).toBe(true);
  });

  it('replaces the findings of 70,000 scans in one go', async () => {
    const items = Array.from({ length: N }, (_, i) => ({
      scan: { scanId: i + 1_000_000, imageDigest: sha(i) },
      findings: [],
    }));
    const swaps = await replaceFindingsOfScans(store, items, 'test');
    expect(swaps).toHaveLength(N);
    expect(swaps.every((s) => s.newlyAffected + s.newlyFixed + s.statusChanged === 0)).toBe(true);
  });

  it('finds which of 70,000 vulnerability ids an image carries', async () => {
    const digest = sha(7, 'f');
    // An image's rows are those of its posture scan (migration 39).
    await store.db
      .insertInto('image_posture')
      .values({
        image_digest: digest,
        source: 'runsight',
        scan_id: 7,
        counts: JSON.stringify({ high: 1 }),
        kev: 0,
        fixable: 1,
        distinct_vulns: 1,
        scanned_at: null,
        computed_at: new Date(),
      })
      .execute();
    await store.db
      .insertInto('image_vulns')
      .values({
        scan_id: 7,
        vulnerability_id: 'CVE-2024-0001',
        num: 1,
        severity_rank: 3,
        kev: false,
        fixable: true,
        epss: null,
        cvss_score: null,
        packages: 1,
      })
      .execute();
    expect(await queryImageCarries(store, digest, [...many('CVE-2099'), 'CVE-2024-0001'])).toEqual({
      vulnerabilityId: 'CVE-2024-0001',
      severity: 'HIGH',
    });
  });

  it('answers the propagation and posture lookups for 70,000 ids, digests and keys', async () => {
    const digests = Array.from({ length: N }, (_, i) => sha(i, '9'));
    const ids = [...many('nope'), 'cmdb-size/c-1'];
    const toResolve = await listContainersToResolve(store, { ids }, null, N + 1);
    expect(toResolve.map((c) => c.id)).toEqual(['cmdb-size/c-1']);
    const input = new Map(toResolve.map((c) => [c.id, c.input]));
    const facts = await loadImageFacts(store, digests, digests);
    expect(facts.images).toEqual([]);
    await saveResolutions(
      store,
      ids.map((id) => ({
        id,
        imageDigest: null,
        matchMethod: 'unresolved',
        confidence: 'none',
        input: input.get(id) ?? '',
      })),
      new Date(),
    );
    const touched = await queryTouchedScopes(store, ['namespace'], new Date(0), digests);
    expect([...touched.get('namespace')!].sort()).toEqual(['prod/batch', 'prod/shop']);
    expect(await readScopePosture(store, 'namespace', { keys: many('prod/ns') })).toEqual([]);
    expect(await snapshotHistory(store, 'namespace', many('prod/ns'))).toEqual([]);
    expect((await loadImageRollups(store, digests)).size).toBe(0);
    expect(await listScanCandidates(store, digests)).toEqual([]);
  });
});
