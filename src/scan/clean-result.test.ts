import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { scanImage } from './scan-image.js';
import { buildLayer, memoryImageSource } from './test-support/layers.js';

const kinds = await storeKindsToTest();

const STATUS = [
  'Package: foo\u0000bar',
  'Status: install ok installed',
  'Architecture: amd64',
  'Version: 1.0-1',
  '',
  'Package: zlib1g',
  'Status: install ok installed',
  'Architecture: amd64',
  'Source: zlib',
  'Version: 1:1.2.13.dfsg-1',
  '',
].join('\n');

for (const kind of kinds) {
  describe(`scan input cleaning on ${kind}`, () => {
    let store: TestStore;
    beforeAll(async () => {
      store = await createTestStore(kind);
    });
    afterAll(async () => {
      await store?.dispose();
    });

    it('a NUL in a dpkg package name is cleaned and reported; the scan is stored, and a rescan works', async () => {
      const layer = await buildLayer([
        { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID=12\n' },
        { path: 'var/lib/dpkg/status', content: STATUS },
      ]);
      const scan = () => scanImage({ source: memoryImageSource([layer], 'memory:nul'), store });
      for (const attempt of ['first scan', 'rescan']) {
        const [r] = await scan();
        expect(r!.status, attempt).toBe('complete');
        expect(r!.packages.map((p) => p.name).sort(), attempt).toEqual(['foo\uFFFDbar', 'zlib1g']);
        expect(r!.errors, attempt).toEqual([
          {
            code: 'cleaned-text',
            message:
              'var/lib/dpkg/status: packages[0].name: 1 control character (U+0000) replaced by U+FFFD → "foo�bar"',
            path: 'var/lib/dpkg/status',
            layer: layer.diffId,
          },
          {
            // dpkg's source package defaults to the package itself.
            code: 'cleaned-text',
            message:
              'var/lib/dpkg/status: packages[0].sourceName: 1 control character (U+0000) replaced by U+FFFD → "foo�bar"',
            path: 'var/lib/dpkg/status',
            layer: layer.diffId,
          },
        ]);
        const stored = await store.db
          .selectFrom('current_scans')
          .innerJoin('scans', 'scans.id', 'current_scans.scan_id')
          .innerJoin('packages', 'packages.scan_id', 'scans.id')
          .select(['scans.id', 'scans.status', 'packages.name'])
          .where('current_scans.image_digest', '=', r!.image.digest)
          .orderBy('packages.name')
          .execute();
        expect(
          stored.map((s) => [Number(s.id), s.status, s.name]),
          attempt,
        ).toEqual([
          [Number(r!.scanId), 'complete', 'foo\uFFFDbar'],
          [Number(r!.scanId), 'complete', 'zlib1g'],
        ]);
      }
      // What PostgreSQL cannot hold is not cached (the rescan read the layer again); the rest is.
      const cached = await store.db
        .selectFrom('layer_cache')
        .select('extractor')
        .where('diff_id', '=', layer.diffId)
        .execute();
      const extractors = cached.map((c) => c.extractor);
      expect(extractors).toContain('layer/fs');
      expect(extractors).toContain('os/release');
      expect(extractors).not.toContain('os/dpkg');
    });
  });
}
