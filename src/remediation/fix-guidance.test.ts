// Fix guidance and base-image attribution over a real store (PGlite), with data landed through the
// real stages: image resolutions (identity graph with layers), scans, then posture brought up to
// date. First a small hand-built layering where every outcome is known by construction, then the
// bundled demo images (testdata/demo): a real Alpine 3.18 package DB, a real OSV advisory, and an
// app image built on the base image by umoci.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchPackages, updateAdvisories } from '../advisories/index.js';
import { openImageSource } from '../identity/index.js';
import { syncPosture } from '../propagation/index.js';
import { addManifest, addScan, addTag, digestOf } from '../propagation/test-support/fleet.js';
import { scanImage } from '../scan/index.js';
import { recordResolution } from '../store/index.js';
import { createTestStore, type TestStore } from '../store/test-support/stores.js';
import { attributeLayers } from './base-image.js';
import { remediationFor } from './fix-guidance.js';

// Layers (diffIDs). debian:12 = [L1, L2]; debian:12-slim = [L1]; the app = [L1, L2, L3].
const L1 = digestOf('layer-os');
const L2 = digestOf('layer-os-extras');
const L3 = digestOf('layer-app');
const DEBIAN = digestOf('debian-12');
const SLIM = digestOf('debian-12-slim');
const APP = digestOf('app-1');
const LONE = digestOf('lone'); // its one layer is nobody's prefix
const DOCKER_HUB = { registry: 'docker.io', repository: 'library/debian' };

describe('fix guidance from layer attribution (hand-built layering)', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore('pglite');
    await addManifest(store, DEBIAN, { layers: [L1, L2] });
    await addManifest(store, SLIM, { layers: [L1] });
    await addManifest(store, APP, { layers: [L1, L2, L3] });
    await addManifest(store, LONE, { layers: [digestOf('layer-lone')] });
    await addTag(store, { ...DOCKER_HUB, tag: '12' }, DEBIAN, new Date('2026-01-01T00:00:00Z'));
    await addTag(store, { ...DOCKER_HUB, tag: '12-slim' }, SLIM, new Date('2026-01-01T00:00:00Z'));
    await addScan(store, APP, [
      { id: 'CVE-2026-0001', severity: 'HIGH', pkg: 'openssl', version: '3.0.1', fixed: '3.0.2', layer: L1 },
      {
        id: 'CVE-2026-0002',
        severity: 'MEDIUM',
        pkg: 'libxml2',
        version: '2.9.14',
        fixed: '2.9.15',
        layer: L2,
      },
      { id: 'CVE-2026-0003', severity: 'LOW', pkg: 'zlib', version: '1.2.13', layer: L2 },
      {
        id: 'CVE-2026-0004',
        severity: 'CRITICAL',
        pkg: 'lodash',
        version: '4.17.20',
        fixed: '4.17.21',
        layer: L3,
      },
      { id: 'CVE-2026-0005', severity: 'MEDIUM', pkg: 'curl', version: '8.0.0', layer: L3 },
    ]);
    await addScan(store, LONE, [{ id: 'CVE-2026-0001', severity: 'HIGH', pkg: 'openssl', fixed: '3.0.2' }]);
    await syncPosture(store);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('detects the longest known image whose whole layer list prefixes the image as its base', async () => {
    const a = await attributeLayers(store, APP);
    expect(a.base).toEqual({
      digest: DEBIAN,
      names: ['docker.io/library/debian:12', 'docker.io/library/debian'],
      layers: 2,
      configured: false,
    });
    expect(a.layers).toEqual([
      { position: 0, diffId: L1, inBase: true },
      { position: 1, diffId: L2, inBase: true },
      { position: 2, diffId: L3, inBase: false },
    ]);
    expect([...a.baseDiffIds].sort()).toEqual([L1, L2].sort());
    // An image is not its own base, and a lone layer has none.
    expect((await attributeLayers(store, DEBIAN)).base?.digest).toBe(SLIM);
    expect(await attributeLayers(store, LONE)).toMatchObject({ base: null, baseDiffIds: new Set() });
  });

  it('a configured base wins over a longer detected one; an unknown configured base is ignored', async () => {
    const slim = await attributeLayers(store, APP, ['docker.io/library/debian:12-slim']);
    expect(slim.base).toMatchObject({ digest: SLIM, layers: 1, configured: true });
    expect(slim.layers.map((l) => l.inBase)).toEqual([true, false, false]);
    const unknown = await attributeLayers(store, APP, ['quay.io/nobody/never-seen:1']);
    expect(unknown.base).toMatchObject({ digest: DEBIAN, configured: false });
  });

  it('update the base image for base-layer packages, bump dependencies above it, say when no fix exists', async () => {
    const r = await remediationFor(store, APP);
    expect(r.base?.digest).toBe(DEBIAN);
    const byId = Object.fromEntries(
      r.findings.map((f) => [f.vulnerabilityId, [f.packageName, f.action, f.inBaseImage, f.advice]]),
    );
    expect(byId).toEqual({
      'CVE-2026-0001': [
        'openssl',
        'update-base-image',
        true,
        'update base image docker.io/library/debian:12 (its openssl 3.0.1 is fixed in 3.0.2), then rebuild',
      ],
      'CVE-2026-0002': [
        'libxml2',
        'update-base-image',
        true,
        'update base image docker.io/library/debian:12 (its libxml2 2.9.14 is fixed in 2.9.15), then rebuild',
      ],
      'CVE-2026-0003': ['zlib', 'no-fix-available', true, 'no fixed version of zlib published yet'],
      'CVE-2026-0004': ['lodash', 'bump-dependency', false, 'bump lodash 4.17.20 → 4.17.21, then rebuild'],
      'CVE-2026-0005': ['curl', 'no-fix-available', false, 'no fixed version of curl published yet'],
    });
    expect(r.summary).toEqual({ updateBaseImage: 2, bumpDependency: 1, noFixAvailable: 2 });
  });

  it('with the shorter configured base, a package of the second layer becomes a dependency bump', async () => {
    const r = await remediationFor(store, APP, ['docker.io/library/debian:12-slim']);
    const libxml2 = r.findings.find((f) => f.vulnerabilityId === 'CVE-2026-0002')!;
    expect([libxml2.action, libxml2.inBaseImage]).toEqual(['bump-dependency', false]);
    expect(r.summary).toEqual({ updateBaseImage: 1, bumpDependency: 2, noFixAvailable: 2 });
  });

  it('without a base image every fixable finding is a dependency bump', async () => {
    const r = await remediationFor(store, LONE);
    expect(r.base).toBeNull();
    expect(r.findings.map((f) => [f.vulnerabilityId, f.action])).toEqual([
      ['CVE-2026-0001', 'bump-dependency'],
    ]);
  });
});

// The demo layout (testdata/demo/SOURCES.md): shop-api-1.0 = the alpine-base-3.18 layer + an app
// layer; the base layer's /lib/apk/db/installed has musl and musl-utils 1.2.4-r0 (origin musl),
// and ALPINE-CVE-2025-26519 says musl in Alpine:v3.18 is fixed in 1.2.4-r3.
const DEMO = new URL('../../testdata/demo/', import.meta.url).pathname;

describe('fix guidance on the demo images (real package DB, real advisory)', () => {
  let store: TestStore;
  let app: string;
  let base: string;
  beforeAll(async () => {
    store = await createTestStore('pglite');
    await updateAdvisories(store, { sources: [`${DEMO}advisories`] });
    for (const [tag, repository] of [
      ['alpine-base-3.18', 'library/alpine'],
      ['shop-api-1.0', 'shop/api'],
    ] as const) {
      const resolved = await openImageSource(`oci:${DEMO}oci:${tag}`).then((s) => s.resolve());
      await recordResolution(store, {
        ...resolved,
        registry: 'registry.demo.local',
        repository,
        tag: tag.replace(/^.*-(\d+\.\d+)$/, '$1'),
        reference: `registry.demo.local/${repository}`,
      });
      const [scan] = await scanImage({
        source: `oci:${DEMO}oci:${tag}`,
        store,
        match: (packages, opts) => matchPackages(store, packages, opts),
      });
      if (tag.startsWith('shop')) app = scan!.image.digest;
      else base = scan!.image.digest;
    }
    await syncPosture(store);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('musl from the base layer: update the base image to the release that fixes it', async () => {
    const r = await remediationFor(store, app);
    expect(r.base).toMatchObject({ digest: base, layers: 1, configured: false });
    expect(r.base!.names[0]).toBe('registry.demo.local/library/alpine:3.18');
    expect(
      r.findings.map((f) => [f.vulnerabilityId, f.packageName, f.installedVersion, f.fixedVersion, f.action]),
    ).toEqual([
      ['CVE-2025-26519', 'musl', '1.2.4-r0', '1.2.4-r3', 'update-base-image'],
      ['CVE-2025-26519', 'musl-utils', '1.2.4-r0', '1.2.4-r3', 'update-base-image'],
    ]);
    expect(r.summary).toEqual({ updateBaseImage: 2, bumpDependency: 0, noFixAvailable: 0 });
    // The base image itself has no base: the same findings are dependency bumps there.
    const own = await remediationFor(store, base);
    expect(own.base).toBeNull();
    expect(own.findings.map((f) => f.action)).toEqual(['bump-dependency', 'bump-dependency']);
  });
});
