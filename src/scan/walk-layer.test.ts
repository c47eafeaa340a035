import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { byteBudget } from './decompress.js';
import { EXTRACTORS } from './extractors/index.js';
import { detectOs } from './extractors/os/release/detect.js';
import { allRecords, foldLayers, lookup } from './fold.js';
import { viewPackages } from './packages.js';
import { buildLayer, sha256, tarOf } from './test-support/layers.js';
import { DEFAULT_LIMITS, type LayerResult, type ScanLimits } from './types.js';
import { walkLayer } from './walk-layer.js';

const PKGDB = new URL('../../testdata/scan/pkgdb/', import.meta.url);
const fixture = (p: string) => readFileSync(new URL(p, PKGDB));

async function walk(blob: Buffer, diffId: string, limits: ScanLimits = DEFAULT_LIMITS): Promise<LayerResult> {
  return walkLayer(Readable.from([blob]), {
    diffId,
    extractors: EXTRACTORS,
    limits,
    budget: byteBudget(limits.maxTotalBytes),
  });
}

const APK = fixture('apk/osv-scalibr-alpine-3.18-installed');
const OS_RELEASE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.18.0\nPRETTY_NAME="Alpine Linux v3.18"\n';

describe('walkLayer', () => {
  for (const compression of ['gzip', 'zstd', 'none'] as const) {
    it(`reads a ${compression} layer and hands wanted files to extractors`, async () => {
      const l = await buildLayer(
        [
          { path: 'etc/', type: 'directory' },
          { path: 'etc/alpine-release', content: '3.18.0\n' },
          { path: 'lib/apk/db/installed', content: APK },
          { path: 'usr/share/doc/big.txt', content: Buffer.alloc(200_000, 1) },
        ],
        compression,
      );
      const r = await walk(l.blob, l.diffId);
      expect(r.complete).toBe(true);
      expect(r.errors).toEqual([]);
      expect(r.bytes).toBe(l.tar.length);
      const apk = r.records.find((x) => x.extractor === 'os/apk');
      expect(apk?.packages.map((p) => p.name)).toContain('musl');
      expect(apk?.packages).toHaveLength(15);
      expect(r.records.find((x) => x.extractor === 'os/release')?.facts?.content).toBe('3.18.0\n');
    });
  }

  it('accepts a tar that ends right after the last file (no padding, no end blocks; umoci writes these)', async () => {
    const status = 'Package: a\nStatus: install ok installed\nVersion: 1.0\n';
    const tar = await tarOf([{ path: 'var/lib/dpkg/status', content: status }]);
    const cut = tar.subarray(0, 512 + status.length);
    // Its diffID is the hash of the bytes as written: the padding the walk adds is not hashed.
    const r = await walk(gzipSync(cut), sha256(cut));
    expect(r.errors).toEqual([]);
    expect(r.records[0]?.packages.map((p) => p.name)).toEqual(['a']);
  });

  it('rejects a layer whose decompressed bytes are not the diffID the config names', async () => {
    const l = await buildLayer([
      { path: 'lib/apk/db/installed', content: APK },
      { path: 'etc/os-release', content: OS_RELEASE },
    ]);
    const other = await buildLayer([{ path: 'etc/os-release', content: OS_RELEASE }]);
    // A config claiming another layer's diffID for this blob (what a cache poisoner would push).
    const r = await walk(l.blob, other.diffId);
    expect(r.complete).toBe(false);
    expect(r.errors).toEqual([expect.objectContaining({ code: 'layer-unreadable', layer: other.diffId })]);
    expect(r.errors[0]!.message).toContain(`the decompressed layer is ${l.diffId}, not ${other.diffId}`);
    // The same blob under its own diffID reads fine, and so does an uncompressed one.
    expect((await walk(l.blob, l.diffId)).errors).toEqual([]);
    expect((await walk(l.tar, l.diffId)).errors).toEqual([]);
    const r512 = await walk(l.blob, `sha512:${createHash('sha512').update(l.tar).digest('hex')}`);
    expect(r512.errors).toEqual([]);
  });

  it('records whiteouts, opaque directories and links', async () => {
    const l = await buildLayer([
      { path: './etc/.wh.alpine-release' },
      { path: 'usr/lib/python3/.wh..wh..opq' },
      { path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
      { path: 'usr/lib/os-release', content: OS_RELEASE },
      { path: 'usr/lib/os-release-copy', type: 'link', linkname: 'usr/lib/os-release' },
    ]);
    const r = await walk(l.blob, l.diffId);
    expect(r.changes.whiteouts).toEqual(['etc/alpine-release']);
    expect(r.changes.opaqueDirs).toEqual(['usr/lib/python3']);
    expect(r.changes.symlinks).toEqual([['etc/os-release', '../usr/lib/os-release']]);
    expect(r.changes.hardlinks).toEqual([['usr/lib/os-release-copy', 'usr/lib/os-release']]);
  });

  it('stops with a path-traversal error on an entry that climbs out of the root', async () => {
    const l = await buildLayer([
      { path: 'lib/apk/db/installed', content: APK },
      { path: '../../etc/passwd', content: 'root:x:0:0' },
    ]);
    const r = await walk(l.blob, l.diffId);
    expect(r.complete).toBe(false);
    expect(r.errors[0]?.code).toBe('path-traversal');
    expect(r.errors[0]?.message).toContain('../../etc/passwd');
  });

  it('stops a decompression bomb at the total limit', async () => {
    // 64 MiB of zeros gzip to ~64 KiB: a small blob that would decompress far past the limit.
    const tar = await tarOf([{ path: 'zeros', content: Buffer.alloc(64 * 1024 * 1024) }]);
    const blob = gzipSync(tar);
    expect(blob.length).toBeLessThan(200_000);
    const r = await walk(blob, 'sha256:bomb', { maxFileBytes: 1024, maxTotalBytes: 8 * 1024 * 1024 });
    expect(r.complete).toBe(false);
    expect(r.errors[0]?.code).toBe('decompression-limit');
    expect(r.bytes).toBeLessThanOrEqual(8 * 1024 * 1024 + 256 * 1024);
  });

  it('reports a file above the per-file limit and goes on', async () => {
    const l = await buildLayer([
      { path: 'lib/apk/db/installed', content: APK },
      { path: 'etc/os-release', content: OS_RELEASE },
    ]);
    const r = await walk(l.blob, l.diffId, { maxFileBytes: 1000, maxTotalBytes: 1 << 30 });
    expect(r.complete).toBe(true);
    expect(r.errors).toEqual([
      expect.objectContaining({ code: 'file-too-large', path: 'lib/apk/db/installed' }),
    ]);
    expect(r.records.find((x) => x.extractor === 'os/release')?.facts?.content).toBe(OS_RELEASE);
  });

  it('reports a corrupt gzip stream as an unreadable layer', async () => {
    const l = await buildLayer([{ path: 'lib/apk/db/installed', content: APK }]);
    const broken = Buffer.concat([l.blob.subarray(0, 40), Buffer.alloc(400, 7)]);
    const r = await walk(broken, l.diffId);
    expect(r.complete).toBe(false);
    expect(r.errors[0]?.code).toBe('layer-unreadable');
  });

  it('reports a malformed package database and keeps walking', async () => {
    const l = await buildLayer([
      {
        path: 'var/lib/rpm/rpmdb.sqlite',
        content: fixture('rpm/preflight-sqlite-fail-list-pkg-rpmdb.sqlite'),
      },
      { path: 'lib/apk/db/installed', content: APK },
    ]);
    const r = await walk(l.blob, l.diffId);
    expect(r.complete).toBe(true);
    expect(r.errors).toEqual([
      expect.objectContaining({ code: 'extractor-failed', path: 'var/lib/rpm/rpmdb.sqlite' }),
    ]);
    expect(r.errors[0]?.message).toMatch(/os\/rpm: .*not a readable rpm SQLite database/);
    expect(r.records.find((x) => x.extractor === 'os/apk')?.packages).toHaveLength(15);
  });
});

describe('fold', () => {
  it('applies whiteouts, opaque dirs and replaced databases in layer order', async () => {
    const dpkgA =
      'Package: a\nStatus: install ok installed\nVersion: 1.0\n\nPackage: b\nStatus: install ok installed\nVersion: 2.0\n';
    const dpkgB =
      'Package: a\nStatus: install ok installed\nVersion: 1.0\n\nPackage: b\nStatus: install ok installed\nVersion: 2.1\n\nPackage: c\nStatus: install ok installed\nVersion: 3\n';
    const base = await buildLayer([
      { path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
      { path: 'usr/lib/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
      { path: 'var/lib/dpkg/status', content: dpkgA },
      { path: 'app/node_modules/left-pad/package.json', content: '{"name":"left-pad","version":"1.3.0"}' },
      { path: 'srv/py/x-1.0.dist-info/METADATA', content: 'Name: x\nVersion: 1.0\n' },
    ]);
    const upper = await buildLayer([
      { path: 'var/lib/dpkg/status', content: dpkgB },
      { path: 'app/node_modules/.wh.left-pad' },
      { path: 'srv/py/.wh..wh..opq' },
      { path: 'srv/py/y-2.0.dist-info/METADATA', content: 'Name: y\nVersion: 2.0\n' },
    ]);
    const layers = [await walk(base.blob, base.diffId), await walk(upper.blob, upper.diffId)];
    const view = foldLayers(layers);
    const os = detectOs(view);
    expect(os).toMatchObject({ family: 'debian', release: '12', ecosystem: 'Debian:12' });
    const pkgs = viewPackages(view, os, [base.diffId, upper.diffId]).packages;
    const byName = Object.fromEntries(pkgs.map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(['a', 'b', 'c', 'y']);
    expect(byName.a).toMatchObject({ version: '1.0', layer: base.diffId, ecosystem: 'Debian:12' });
    expect(byName.b).toMatchObject({ version: '2.1', layer: upper.diffId });
    expect(byName.c?.layer).toBe(upper.diffId);
    expect(byName.y).toMatchObject({
      ecosystem: 'PyPI',
      layer: upper.diffId,
      path: 'srv/py/y-2.0.dist-info/METADATA',
    });
    expect(byName.a?.purl).toBe('pkg:deb/debian/a@1.0?distro=debian-12');
  });

  it('resolves symlinks inside the image only', async () => {
    const l = await buildLayer([
      { path: 'etc/os-release', type: 'symlink', linkname: '../../../../../usr/lib/os-release' },
      { path: 'usr/lib/os-release', content: OS_RELEASE },
      { path: 'etc/alpine-release', type: 'symlink', linkname: '/../../etc/alpine-release.real' },
      { path: 'etc/alpine-release.real', content: '3.18.4\n' },
    ]);
    // alpine-release.real is not a well-known name: the symlink resolves, but nothing was read there.
    const view = foldLayers([await walk(l.blob, l.diffId)]);
    expect(lookup(view, 'etc/os-release', 'os/release')?.path).toBe('usr/lib/os-release');
    expect(detectOs(view)).toMatchObject({ family: 'alpine', release: '3.18.0', ecosystem: 'Alpine:v3.18' });
    expect(allRecords(view).every((r) => !r.path.startsWith('..'))).toBe(true);
  });

  it('keeps a symlink loop from hanging', async () => {
    const l = await buildLayer([
      { path: 'etc/os-release', type: 'symlink', linkname: 'os-release2' },
      { path: 'etc/os-release2', type: 'symlink', linkname: 'os-release' },
    ]);
    const view = foldLayers([await walk(l.blob, l.diffId)]);
    expect(lookup(view, 'etc/os-release', 'os/release')).toBeUndefined();
    expect(detectOs(view)).toBeUndefined();
  });
});

describe('system tools agree', () => {
  it('zstd layers decompress to the same tar', async () => {
    const l = await buildLayer([{ path: 'a', content: 'x'.repeat(10000) }], 'zstd');
    expect(execFileSync('zstd', ['-d', '-c'], { input: l.blob }).equals(l.tar)).toBe(true);
  });
});
