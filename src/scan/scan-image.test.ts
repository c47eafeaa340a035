import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { scanImage } from './scan-image.js';
import { fixture } from './test-support/expected.js';
import { buildLayer, memoryImageSource } from './test-support/layers.js';

const kinds = await storeKindsToTest();

for (const kind of kinds) {
  describe(`scanImage on ${kind}`, () => {
    let store: TestStore;
    beforeAll(async () => {
      store = await createTestStore(kind);
    });
    afterAll(async () => {
      await store?.dispose();
    });

    it('caches layers: a second image sharing the base reads only its new layer', async () => {
      const base = await buildLayer([
        { path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.18.0\n' },
        { path: 'lib/apk/db/installed', content: fixture('apk/osv-scalibr-alpine-3.18-installed') },
      ]);
      const app1 = await buildLayer([
        { path: 'app/node_modules/left-pad/package.json', content: '{"name":"left-pad","version":"1.3.0"}' },
      ]);
      const app2 = await buildLayer([
        { path: 'app/x-1.0.dist-info/METADATA', content: 'Name: x\nVersion: 1.0\n' },
      ]);
      const first = memoryImageSource([base, app1], 'memory:app1');
      const [r1] = await scanImage({ source: first, store });
      expect(r1!.status).toBe('complete');
      expect(r1!.stats).toMatchObject({ layers: 2, cachedLayers: 0 });
      expect(r1!.os?.ecosystem).toBe('Alpine:v3.18');
      expect(r1!.packages).toHaveLength(16);
      expect(r1!.packages.find((p) => p.name === 'left-pad')).toMatchObject({
        ecosystem: 'npm',
        layer: app1.diffId,
      });
      expect(r1!.packages.find((p) => p.name === 'musl')).toMatchObject({
        ecosystem: 'Alpine:v3.18',
        layer: base.diffId,
        purl: 'pkg:apk/alpine/musl@1.2.4-r0?arch=x86_64&distro=3.18.0',
      });

      const second = memoryImageSource([base, app2], 'memory:app2');
      const [r2] = await scanImage({ source: second, store });
      expect(second.opened).toEqual([app2.digest]);
      expect(r2!.stats).toMatchObject({ layers: 2, cachedLayers: 1 });
      expect(r2!.packages.map((p) => p.name)).toContain('x');
      expect(r2!.packages.filter((p) => p.ecosystem === 'Alpine:v3.18')).toHaveLength(15);

      // A full rescan touches no blob at all and yields the same SBOM.
      const again = memoryImageSource([base, app1], 'memory:app1');
      const [r3] = await scanImage({ source: again, store });
      expect(again.opened).toEqual([]);
      expect(r3!.stats.cachedLayers).toBe(2);
      expect(r3!.packages).toEqual(r1!.packages);

      const rows = await store.db
        .selectFrom('current_scans')
        .innerJoin('scans', 'scans.id', 'current_scans.scan_id')
        .select(['scans.id', 'scans.status', 'current_scans.image_digest'])
        .where('current_scans.image_digest', '=', r1!.image.digest)
        .execute();
      expect(rows).toEqual([{ id: r3!.scanId, status: 'complete', image_digest: r1!.image.digest }]);
      const stored = await store.db
        .selectFrom('packages')
        .select(['name', 'layer_diff_id'])
        .where('scan_id', '=', r3!.scanId!)
        .execute();
      expect(stored).toHaveLength(16);
    });

    it('a corrupt layer makes the scan partial; it is not cached and does not replace a complete scan', async () => {
      const good = await buildLayer([
        { path: 'lib/apk/db/installed', content: fixture('apk/trivy-apk-installed') },
      ]);
      const bad = await buildLayer([{ path: 'var/lib/dpkg/status', content: 'Package: a\n' }]);
      const complete = memoryImageSource([good, bad], 'memory:corrupt');
      const [ok] = await scanImage({ source: complete, store });
      expect(ok!.status).toBe('complete');
      // Same digests, but the second blob is now broken in transit (a source that serves garbage).
      const broken = memoryImageSource([good, bad], 'memory:corrupt');
      const open = broken.openBlob.bind(broken);
      broken.openBlob = async (digest, o) => {
        if (digest !== bad.digest) return open(digest, o);
        const { Readable } = await import('node:stream');
        return Readable.from([bad.blob.subarray(0, 30), Buffer.alloc(100, 1)]);
      };
      await store.db.deleteFrom('layer_cache').where('diff_id', '=', bad.diffId).execute();
      const [partial] = await scanImage({ source: broken, store });
      expect(partial!.status).toBe('partial');
      expect(partial!.errors[0]).toMatchObject({ code: 'layer-unreadable', layer: bad.diffId });
      const cached = await store.db
        .selectFrom('layer_cache')
        .select('diff_id')
        .where('diff_id', '=', bad.diffId)
        .execute();
      expect(cached).toEqual([]);
      const current = await store.db
        .selectFrom('current_scans')
        .select('scan_id')
        .where('image_digest', '=', ok!.image.digest)
        .executeTakeFirstOrThrow();
      expect(Number(current.scan_id)).toBe(Number(ok!.scanId));
    });

    it('a decompression bomb or a path traversal ends the scan as partial with the reason', async () => {
      const ok = await buildLayer([
        { path: 'lib/apk/db/installed', content: fixture('apk/trivy-apk-installed') },
      ]);
      const bomb = await buildLayer([{ path: 'zeros', content: Buffer.alloc(32 * 1024 * 1024) }]);
      const after = await buildLayer([
        { path: 'app/x-1.0.dist-info/METADATA', content: 'Name: x\nVersion: 1.0\n' },
      ]);
      const src = memoryImageSource([ok, bomb, after], 'memory:bomb');
      const [r] = await scanImage({ source: src, store, limits: { maxTotalBytes: 4 * 1024 * 1024 } });
      expect(r!.status).toBe('partial');
      expect(r!.errors).toEqual([
        expect.objectContaining({ code: 'decompression-limit', layer: bomb.diffId }),
      ]);
      // The walk stopped at the bomb: the layer after it was never opened.
      expect(src.opened).toContain(bomb.digest);
      expect(src.opened).not.toContain(after.digest);
      const cached = await store.db
        .selectFrom('layer_cache')
        .select('diff_id')
        .where('diff_id', '=', bomb.diffId)
        .execute();
      expect(cached).toEqual([]);

      const evil = await buildLayer([{ path: '../../../etc/cron.d/x', content: '* * * * * root sh' }]);
      const [t] = await scanImage({ source: memoryImageSource([ok, evil], 'memory:evil'), store });
      expect(t!.status).toBe('partial');
      expect(t!.errors[0]).toMatchObject({ code: 'path-traversal', path: '../../../etc/cron.d/x' });
      const saved = await store.db
        .selectFrom('scans')
        .select(['status', 'errors'])
        .where('id', '=', t!.scanId!)
        .executeTakeFirstOrThrow();
      expect(saved.status).toBe('partial');
      expect(JSON.stringify(saved.errors)).toContain('path-traversal');
    });
  });
}
