import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { scanImage } from './scan-image.js';
import { fixture } from './test-support/expected.js';
import { buildLayer, memoryImageSource, sha256 } from './test-support/layers.js';

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

      // A cached layer whose blob is known is not read at all.
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
      // The rejected layer contributes nothing — not the OS or packages it listed before the bad
      // entry; the layer below it still does.
      const rejected = await buildLayer([
        { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID=12\n' },
        {
          path: 'var/lib/dpkg/status',
          content: 'Package: evil\nStatus: install ok installed\nVersion: 1.0\nArchitecture: amd64\n\n',
        },
        { path: '../../escape', content: 'x' },
      ]);
      const [rj] = await scanImage({ source: memoryImageSource([ok, rejected], 'memory:rejected'), store });
      expect(rj!.errors).toEqual([
        expect.objectContaining({ code: 'path-traversal', layer: rejected.diffId }),
      ]);
      expect(rj!.os).toBeNull();
      expect(rj!.packages.map((p) => p.name)).not.toContain('evil');
      expect(rj!.packages.length).toBeGreaterThan(0);
      expect(rj!.packages.every((p) => p.layer === ok.diffId)).toBe(true);
      expect(t!.errors[0]).toMatchObject({ code: 'path-traversal', path: '../../../etc/cron.d/x' });
      const saved = await store.db
        .selectFrom('scans')
        .select(['status', 'errors'])
        .where('id', '=', t!.scanId!)
        .executeTakeFirstOrThrow();
      expect(saved.status).toBe('partial');
      expect(JSON.stringify(saved.errors)).toContain('path-traversal');
    });

    it('a cached layer is not downloaded once its blob is known; verifyCachedLayers still checks it', async () => {
      const base = await buildLayer([
        { path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.18.0\n' },
        { path: 'lib/apk/db/installed', content: fixture('apk/trivy-apk-installed') },
      ]);
      const app = await buildLayer([
        { path: 'app/y-2.0.dist-info/METADATA', content: 'Name: y\nVersion: 2.0\n' },
      ]);
      const [first] = await scanImage({ source: memoryImageSource([base, app], 'memory:verify'), store });
      expect(first!.status).toBe('complete');
      const blobs = await store.db
        .selectFrom('layer_blobs')
        .select(['digest', 'diff_id'])
        .where('digest', 'in', [base.digest, app.digest])
        .orderBy('digest')
        .execute();
      expect(blobs).toEqual(
        [
          { digest: base.digest, diff_id: base.diffId },
          { digest: app.digest, diff_id: app.diffId },
        ].sort((a, b) => a.digest.localeCompare(b.digest)),
      );
      // Default rescan: both blobs are known to hold their layers; none is read.
      const again = memoryImageSource([base, app], 'memory:verify');
      const [ok] = await scanImage({ source: again, store });
      expect(again.opened).toEqual([]);
      expect(ok!).toMatchObject({ status: 'complete', stats: { cachedLayers: 2, bytes: 0 } });
      expect(ok!.packages).toEqual(first!.packages);
      // The base blob is now corrupt in the source (same length, one byte flipped): unnoticed by
      // default (nothing is read), caught when cached layers are verified.
      const broken = () => {
        const src = memoryImageSource([base, app], 'memory:verify');
        const open = src.openBlob.bind(src);
        src.openBlob = async (digest, o) => {
          if (digest !== base.digest) return open(digest, o);
          const bad = Buffer.from(base.blob);
          bad[bad.length - 5] = bad[bad.length - 5]! ^ 0xff;
          const { Readable } = await import('node:stream');
          const { verified } = await import('./test-support/layers.js');
          return verified(Readable.from([bad]), digest);
        };
        return src;
      };
      const [trusted] = await scanImage({ source: broken(), store });
      expect(trusted!.status).toBe('complete');
      const [r] = await scanImage({ source: broken(), store, verifyCachedLayers: true });
      expect(r!.status).toBe('partial');
      expect(r!.errors).toEqual([expect.objectContaining({ code: 'layer-unreadable', layer: base.diffId })]);
      expect(r!.errors[0]!.message).toContain('digest mismatch');
      // The corrupt layer contributes nothing, and the walk stopped there.
      expect(r!.os).toBeNull();
      expect(r!.packages).toEqual([]);
      expect(r!.stats.cachedLayers).toBe(0);
    });

    it('a blob not yet known to hold a cached layer is read once to prove it, then skipped', async () => {
      const tarEntries = [
        { path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.18.0\n' },
        { path: 'lib/apk/db/installed', content: fixture('apk/osv-scalibr-alpine-3.18-installed') },
      ];
      const gz = await buildLayer(tarEntries);
      // The same tar compressed with zstd (built from gz's tar: tar headers carry the time).
      const zstBlob = execFileSync('zstd', ['-q', '-c', '-3'], { input: gz.tar });
      const zst = {
        ...gz,
        blob: zstBlob,
        digest: sha256(zstBlob),
        mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd',
      };
      expect(zst.digest).not.toBe(gz.digest);
      const app = await buildLayer([
        { path: 'app/z-1.0.dist-info/METADATA', content: 'Name: z\nVersion: 1.0\n' },
      ]);
      const [r1] = await scanImage({ source: memoryImageSource([gz, app], 'memory:gz'), store });
      // The same layer compressed otherwise: results cached, blob unknown → read (no extractor runs).
      const z1 = memoryImageSource([zst, app], 'memory:zst');
      const [r2] = await scanImage({ source: z1, store });
      expect(z1.opened).toEqual([zst.digest]);
      expect(r2!.stats.cachedLayers).toBe(1);
      expect(r2!.packages).toEqual(r1!.packages);
      const z2 = memoryImageSource([zst, app], 'memory:zst');
      const [r3] = await scanImage({ source: z2, store });
      expect(z2.opened).toEqual([]);
      expect(r3!.packages).toEqual(r1!.packages);
      // A store from before blobs were recorded (no layer_blobs rows): each blob is read once more.
      await store.db.deleteFrom('layer_blobs').where('digest', 'in', [gz.digest, app.digest]).execute();
      const old = memoryImageSource([gz, app], 'memory:gz');
      const [r4] = await scanImage({ source: old, store });
      expect(old.opened).toEqual([gz.digest, app.digest]);
      expect(r4!.packages).toEqual(r1!.packages);
      const now = memoryImageSource([gz, app], 'memory:gz');
      await scanImage({ source: now, store });
      expect(now.opened).toEqual([]);
    });

    it("a config that names another layer's diffID neither poisons the cache nor reads from it", async () => {
      const real = await buildLayer([
        { path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.18.0\n' },
        { path: 'etc/motd', content: 'a layer no other test builds\n' },
        { path: 'lib/apk/db/installed', content: fixture('apk/osv-scalibr-alpine-3.18-installed') },
      ]);
      const empty = await buildLayer([{ path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.18.0\n' }]);
      // Pushed first: an image whose blob is `empty` but whose config claims `real`'s diffID.
      const liar = { ...empty, diffId: real.diffId };
      const [poison] = await scanImage({ source: memoryImageSource([liar], 'memory:liar'), store });
      expect(poison!.status).toBe('partial');
      expect(poison!.errors).toEqual([
        expect.objectContaining({ code: 'layer-unreadable', layer: real.diffId }),
      ]);
      expect(
        await store.db
          .selectFrom('layer_cache')
          .select('diff_id')
          .where('diff_id', '=', real.diffId)
          .execute(),
      ).toEqual([]);
      // The genuine image is then walked and reports its 15 apk packages.
      const [genuine] = await scanImage({ source: memoryImageSource([real], 'memory:real'), store });
      expect(genuine!.status).toBe('complete');
      expect(genuine!.packages.filter((p) => p.ecosystem === 'Alpine:v3.18')).toHaveLength(15);
      // Pushed after: the liar's blob is not known to hold `real`, so it is read and rejected again.
      const late = memoryImageSource([liar], 'memory:liar');
      const [again] = await scanImage({ source: late, store });
      expect(late.opened).toEqual([empty.digest]);
      expect(again!.status).toBe('partial');
      expect(again!.packages).toEqual([]);
    });

    it('a lower limit re-evaluates cached layers', async () => {
      const big = await buildLayer([
        { path: 'lib/apk/db/installed', content: fixture('apk/trivy-apk-installed') },
        { path: 'filler', content: Buffer.alloc(3 * 1024 * 1024, 7) },
      ]);
      const src = () => memoryImageSource([big], 'memory:limits');
      const [first] = await scanImage({ source: src(), store });
      expect(first!.status).toBe('complete');
      const apk = first!.packages.length;
      expect(apk).toBeGreaterThan(0);
      // maxTotalBytes: the cached layer's 3 MiB of decompressed data no longer fits in 1 MiB.
      const [total] = await scanImage({ source: src(), store, limits: { maxTotalBytes: 1024 * 1024 } });
      expect(total!.status).toBe('partial');
      expect(total!.errors).toEqual([
        expect.objectContaining({ code: 'decompression-limit', layer: big.diffId }),
      ]);
      expect(total!.packages).toEqual([]);
      // maxFileBytes: the apk database (> 100 bytes) is too large to read under a 100-byte limit,
      // although an extractor result for the layer is cached from the default limit.
      const walked = src();
      const [file] = await scanImage({ source: walked, store, limits: { maxFileBytes: 100 } });
      expect(walked.opened).toEqual([big.digest]);
      expect(file!.stats.cachedLayers).toBe(0);
      expect(file!.errors).toEqual([
        expect.objectContaining({ code: 'file-too-large', path: 'lib/apk/db/installed' }),
      ]);
      expect(file!.packages).toEqual([]);
      // Back to the default limits: the first cached result is used again as it was.
      const [back] = await scanImage({ source: src(), store });
      expect(back!).toMatchObject({ status: 'complete', stats: { cachedLayers: 1 } });
      expect(back!.packages).toHaveLength(apk);
    });
  });
}
