// The identity graph on both store dialects, fed with real resolutions of the regclient testrepo
// OCI layout (testdata/identity): rows per table, aliases, tag drift, tag-at-time lookups, and
// atomicity (a failing record writes nothing).
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImageSource } from '../../../identity/open-image-source.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../../test-support/stores.js';
import { getImageIdentity, listImageNames, listManifestsByConfig } from './get-image-identity.js';
import { listTagDrift } from './list-tag-drift.js';
import { lookupTagAt, lookupTagLatest } from './lookup-tag-at.js';
import { type ResolutionRecord, recordResolution } from './record-resolution.js';

const TESTREPO = fileURLToPath(new URL('../../../../testdata/identity/regclient-testrepo', import.meta.url));
const V1 = 'sha256:7ceb9b6bcc274697d0c38be6214b50cec79d601bc61708747d3f6cb772f6c6fa';
const V1_AMD64 = 'sha256:1effc9d48232693f4584ceb9c5e8d84ddeb5924ea4aff341aa8204510422f668';
const V1_ARM64 = 'sha256:7e87ffc91b9ceafa85be2777b16b1be10e4664fd4f3acc86e4295b97da5163ba';
const V2 = 'sha256:dfae8f425735a5e3a72e40d6609e03079995511d48157c74d54801ff4430491e';

/** A real resolution, presented as if it came from registry/repository:tag. */
async function resolved(
  tag: string,
  registry: string,
  repository: string,
  asTag = tag,
): Promise<ResolutionRecord> {
  const r = await (await openImageSource(`oci:${TESTREPO}:${tag}`)).resolve({ platform: 'all' });
  return { ...r, registry, repository, tag: asTag };
}

const kinds = await storeKindsToTest();

describe.each(kinds)('identity graph on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('writes the index, its children, platform manifests, layers, names and tag history', async () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const r = await recordResolution(store, await resolved('v1', 'registry.example', 'team/app', 'prod'), {
      observedAt: at,
    });
    expect(r).toEqual({ drifted: false, previousDigest: undefined });
    const idx = await getImageIdentity(store, V1);
    expect(idx?.kind).toBe('index');
    expect(idx?.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(idx?.children.map((c) => c.digest).sort()).toEqual([V1_AMD64, V1_ARM64].sort());
    const amd = await getImageIdentity(store, V1_AMD64);
    expect(amd?.kind).toBe('manifest');
    expect(amd?.configDigest).toBe('sha256:03d7b3c657a4af5b4ff7967bf843d04a93008f28d658a7df3f679b2c7e519639');
    expect(amd?.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(amd?.layers.map((l) => l.diffId)).toEqual([
      'sha256:d619c4d83d9147229dc5eb5b2c4c8554bb7843e7ccf0f5c8685283f47bba0475',
      'sha256:3a904016e626ab65cf5b0924b39c1a8d20ea027715c2df5ad120601ed8437678',
    ]);
    expect(await listManifestsByConfig(store, amd!.configDigest!)).toEqual([
      { digest: V1_AMD64, platform: { os: 'linux', architecture: 'amd64' } },
    ]);
    expect(
      await lookupTagAt(store, { registry: 'registry.example', repository: 'team/app', tag: 'prod' }, at),
    ).toMatchObject({ digest: V1 });
  });

  it('records aliases: the same digest under another repository name', async () => {
    await recordResolution(store, await resolved('v1', 'mirror.example', 'library/app', 'prod'));
    expect(await listImageNames(store, V1)).toEqual([
      { registry: 'mirror.example', repository: 'library/app' },
      { registry: 'registry.example', repository: 'team/app' },
    ]);
    expect((await getImageIdentity(store, V1_AMD64))?.names.map((n) => n.registry)).toEqual([
      'mirror.example',
      'registry.example',
    ]);
  });

  it('detects tag drift and answers what a tag pointed to at a time', async () => {
    const key = { registry: 'registry.example', repository: 'team/app', tag: 'prod' };
    const moved = await recordResolution(store, await resolved('v2', key.registry, key.repository, 'prod'), {
      observedAt: new Date('2026-02-01T00:00:00Z'),
    });
    expect(moved).toEqual({ drifted: true, previousDigest: V1 });
    expect((await lookupTagAt(store, key, new Date('2026-01-15T00:00:00Z')))?.digest).toBe(V1);
    expect((await lookupTagAt(store, key, new Date('2026-02-01T00:00:00Z')))?.digest).toBe(V2);
    expect(await lookupTagAt(store, key, new Date('2025-12-31T00:00:00Z'))).toBeUndefined();
    expect((await lookupTagLatest(store, key))?.digest).toBe(V2);
    const drift = await listTagDrift(store, { registry: key.registry });
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({ ...key, current: V2 });
    expect(drift[0]!.digests.map((d) => d.digest)).toEqual([V1, V2]);
    // The mirror's tag never moved: no drift there.
    expect(await listTagDrift(store, { registry: 'mirror.example' })).toEqual([]);
  });

  it('writes nothing when recording fails part-way', async () => {
    const before = await counts(store);
    const good = await resolved('v1', 'registry.example', 'team/broken', 'x');
    // The second platform is corrupt (null layer digest violates NOT NULL) after the first was written.
    const bad: ResolutionRecord = {
      ...good,
      digest: `sha256:${'9'.repeat(64)}`,
      platforms: [
        good.platforms[0]!,
        {
          ...good.platforms[1]!,
          digest: `sha256:${'8'.repeat(64)}`,
          layers: [{ ...good.platforms[1]!.layers[0]!, digest: null as unknown as string }],
        },
      ],
    };
    await expect(recordResolution(store, bad)).rejects.toThrow();
    expect(await counts(store)).toEqual(before);
    expect(await getImageIdentity(store, `sha256:${'9'.repeat(64)}`)).toBeUndefined();
  });
});

async function counts(store: TestStore) {
  const out: Record<string, number> = {};
  for (const t of ['images', 'image_children', 'image_names', 'tag_history', 'image_layers'] as const) {
    const r = await store.db
      .selectFrom(t)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out[t] = Number(r.n);
  }
  return out;
}
