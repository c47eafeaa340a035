// Layer reuse through a real registry (ADR 0020): a Debian docker-registry on loopback holds N images
// built by umoci that share one base layer (jobs/test-support/fleet-images.ts: the base holds
// os-release, each image's own layer a dpkg status), reached through a proxy that counts blob GETs
// per digest. Scanned one after another on one store, the base blob is fetched once for all N; the
// SBOM and the findings (matched against the recorded Debian OSV feed) of every image equal those of
// a scan of the same image with no cache at all. Expected by hand: every image has libxml2
// 2.9.4+dfsg1-2.2+deb9u6 (DLA-3012-1) and tzdata 2021a-0+deb9u3 (DLA-3051-1) affected, and its own
// fleet-app-i package. Under CI=true a missing registry or umoci fails.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchPackages, updateAdvisories } from '../advisories/index.js';
import type { Finding } from '../core/types.js';
import { imageToolsAvailable } from '../identity/test-support/build-image.js';
import { startRegistry } from '../identity/test-support/registry-server.js';
import { buildFleet, FLEET_PACKAGES, type FleetImage } from '../jobs/test-support/fleet-images.js';
import { RegistryProxy } from '../jobs/test-support/registry-proxy.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { requireOrSkip } from '../test-support/require-or-skip.js';
import { scanImage } from './scan-image.js';

const N = 8;
const FEED = join(import.meta.dirname, '../../testdata/feeds/osv/Debian/all-older.zip');
const reg = await startRegistry();
const tools = await imageToolsAvailable();
const ready = requireOrSkip(Boolean(reg), 'docker-registry') && requireOrSkip(tools, 'umoci');
const kinds = await storeKindsToTest();

const byKey = (f: Finding) => `${f.id} ${f.package.name} ${f.installedVersion}`;
const sorted = (fs: Finding[]) => [...fs].sort((a, b) => byKey(a).localeCompare(byKey(b)));

describe.skipIf(!ready)('layer reuse through a registry', () => {
  let images: FleetImage[] = [];
  beforeAll(async () => {
    images = await buildFleet(reg!.url, N);
  }, 300_000);
  afterAll(async () => {
    await reg?.stop();
  });

  for (const kind of kinds) {
    describe(kind, () => {
      let store: TestStore;
      const proxy = new RegistryProxy(reg?.url ?? 'http://127.0.0.1:1');
      beforeAll(async () => {
        store = await createTestStore(kind);
        await updateAdvisories(store, { sources: [FEED] });
        await proxy.start();
      }, 300_000);
      afterAll(async () => {
        await proxy.stop();
        await store?.dispose();
      });

      it(`fetches the shared base blob once for ${N} images, with the findings of an uncached scan`, {
        timeout: 300_000,
      }, async () => {
        const base = images[0]!.layers[0];
        expect(new Set(images.map((i) => i.layers[0]))).toEqual(new Set([base]));
        const match = (p: Parameters<typeof matchPackages>[1], o: { osEcosystem?: string | undefined }) =>
          matchPackages(store, p, o);
        const sourceOptions = { insecureRegistries: [proxy.host] };
        const ref = (img: FleetImage) => `${proxy.host}/${img.repository}@${img.digest}`;

        const cached = [];
        for (const img of images) {
          const [r] = await scanImage({ source: ref(img), store, match, sourceOptions });
          cached.push(r!);
        }
        expect(proxy.count([base])).toBe(1);
        expect(proxy.count(images.map((i) => i.layers[1]))).toBe(N);
        expect(cached.map((r) => r.stats.cachedLayers)).toEqual([0, ...Array(N - 1).fill(1)]);

        // The same images with no cache (no store: nothing read from it or written to it).
        for (const [i, img] of images.entries()) {
          const [plain] = await scanImage({ source: ref(img), match, sourceOptions });
          const r = cached[i]!;
          expect(r.status).toBe('complete');
          expect(plain!.status).toBe('complete');
          expect(plain!.stats.cachedLayers).toBe(0);
          expect(r.os).toEqual(plain!.os);
          expect(r.packages).toEqual(plain!.packages);
          expect(sorted(r.findings)).toEqual(sorted(plain!.findings));
          expect(r.packages.map((p) => `${p.name} ${p.version}`)).toContain(`fleet-app-${i} 1.0.${i}`);
          const affected = r.findings
            .filter((f) => f.status === 'affected')
            .flatMap((f) => [f.id, ...f.aliases]);
          for (const p of FLEET_PACKAGES.filter((x) => x.advisory !== 'DLA-3008-1'))
            expect(affected).toContain(p.advisory);
          expect(affected).not.toContain('DLA-3008-1');
        }
        // Uncached, every scan read the base again: the count above is the cache's doing.
        expect(proxy.count([base])).toBe(1 + N);
      });
    });
  }
});
