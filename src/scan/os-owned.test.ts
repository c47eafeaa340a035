// Language packages at paths an OS package owns: left out of the SBOM (the OS package's copy),
// through the real walker, fold and SBOM steps. Package lists here are small but in the formats
// dpkg, apk and rpm write; the real-tool cases are in installed-packages.int.test.ts and the
// extractors' own tests.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { byteBudget } from './decompress.js';
import { EXTRACTORS } from './extractors/index.js';
import { apkExtractor } from './extractors/os/apk/apk.js';
import { dpkgFilesExtractor } from './extractors/os/dpkg/dpkg-files.js';
import { detectOs } from './extractors/os/release/detect.js';
import { rpmExtractor } from './extractors/os/rpm/rpm.js';
import { foldLayers } from './fold.js';
import { viewPackages } from './packages.js';
import { extractFile } from './test-support/expected.js';
import { buildLayer } from './test-support/layers.js';
import { DEFAULT_LIMITS, type LayerResult } from './types.js';
import { walkLayer } from './walk-layer.js';

const PKGDB = new URL('../../testdata/scan/pkgdb/', import.meta.url);

async function walk(layer: { blob: Buffer; diffId: string }): Promise<LayerResult> {
  const { Readable } = await import('node:stream');
  return walkLayer(Readable.from([layer.blob]), {
    diffId: layer.diffId,
    extractors: EXTRACTORS,
    limits: DEFAULT_LIMITS,
    budget: byteBudget(DEFAULT_LIMITS.maxTotalBytes),
  });
}

const STATUS = 'Package: python3-z\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: all\n';

describe('OS-owned language packages', () => {
  it('dpkg: a list naming /lib/… owns the file at usr/lib/… in a merged-/usr image', async () => {
    const base = await buildLayer([
      { path: 'lib', type: 'symlink', linkname: 'usr/lib' },
      { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
      { path: 'var/lib/dpkg/status', content: STATUS },
      {
        path: 'var/lib/dpkg/info/python3-z.list',
        content:
          '/.\n/lib\n/lib/python3\n/lib/python3/dist-packages\n/lib/python3/dist-packages/z-1.0.egg-info\n',
      },
      {
        path: 'usr/lib/python3/dist-packages/z-1.0.egg-info',
        content: 'Metadata-Version: 1.1\nName: z\nVersion: 1.0\n',
      },
      { path: 'opt/venv/lib/w-2.0.dist-info/METADATA', content: 'Name: w\nVersion: 2.0\n' },
    ]);
    const view = foldLayers([await walk(base)]);
    const os = detectOs(view);
    const dflt = viewPackages(view, os, [base.diffId]);
    expect(dflt.packages.map((p) => `${p.ecosystem} ${p.name}`).sort()).toEqual([
      'Debian:12 python3-z',
      'PyPI w',
    ]);
    expect(dflt.osOwned).toBe(1);
    const all = viewPackages(view, os, [base.diffId], { includeOsOwned: true });
    expect(all.packages.map((p) => p.name).sort()).toEqual(['python3-z', 'w', 'z']);
    expect(all.osOwned).toBe(0);
  });

  it('dpkg: once a later layer deletes the package list, the file left behind is reported', async () => {
    const base = await buildLayer([
      { path: 'var/lib/dpkg/status', content: STATUS },
      {
        path: 'var/lib/dpkg/info/python3-z.list',
        content: '/usr/lib/python3/dist-packages/z-1.0.egg-info\n',
      },
      { path: 'usr/lib/python3/dist-packages/z-1.0.egg-info', content: 'Name: z\nVersion: 1.0\n' },
    ]);
    const upper = await buildLayer([
      { path: 'var/lib/dpkg/status', content: '' },
      { path: 'var/lib/dpkg/info/.wh.python3-z.list' },
    ]);
    const view = foldLayers([await walk(base), await walk(upper)]);
    const got = viewPackages(view, undefined, [base.diffId, upper.diffId]);
    expect(got.packages.map((p) => `${p.ecosystem} ${p.name}`)).toEqual(['PyPI z']);
  });

  it('dpkg-files: lists and distroless md5sums keep only paths a language package could be at', async () => {
    const list = [
      '/.',
      '/usr/bin/dockerd',
      '/usr/share/doc/docker.io/copyright',
      '/usr/lib/python3/dist-packages/a-1.dist-info/METADATA',
      '/usr/share/java/guice-4.2.3.jar',
      '/usr/share/man/man1/dockerd.1.gz',
      '/../../etc/shadow',
    ].join('\n');
    const got = await dpkgFilesExtractor.extract(input('var/lib/dpkg/info/docker.io:amd64.list', list));
    expect(got.ownedFiles).toEqual([
      'usr/bin/dockerd',
      'usr/lib/python3/dist-packages/a-1.dist-info/METADATA',
      'usr/share/java/guice-4.2.3.jar',
    ]);
    const md5 =
      'd41d8cd98f00b204e9800998ecf8427e  usr/bin/app\n0123456789abcdef0123456789abcdef  usr/share/doc/app/README\n';
    const d = await dpkgFilesExtractor.extract(input('var/lib/dpkg/status.d/app.md5sums', md5));
    expect(d.ownedFiles).toEqual(['usr/bin/app']);
    expect(dpkgFilesExtractor.fileRequired({ path: 'var/lib/dpkg/info/x.list', mode: 0o644, size: 1 })).toBe(
      true,
    );
    expect(
      dpkgFilesExtractor.fileRequired({ path: 'var/lib/dpkg/info/x.md5sums', mode: 0o644, size: 1 }),
    ).toBe(false);
  });

  it('apk: R: entries under their F: directory (real Alpine 3.18 database)', async () => {
    const data = readFileSync(new URL('apk/osv-scalibr-alpine-3.18-installed', PKGDB));
    const got = await apkExtractor.extract(input('lib/apk/db/installed', data));
    // From the file: apk-tools owns F:sbin R:apk; busybox F:bin R:busybox; musl-utils F:usr/bin R:ldd.
    expect(got.ownedFiles).toEqual(expect.arrayContaining(['sbin/apk', 'bin/busybox', 'usr/bin/ldd']));
    expect(got.ownedFiles).not.toContain('etc/apk/keys');
    expect(got.packages).toHaveLength(15);
  });

  it('rpm: DIRNAMES + BASENAMES of the headers (real SLE 15 NDB database)', async () => {
    const data = readFileSync(new URL('rpm/go-rpmdb-sle15-bci-Packages.db.ndb', PKGDB));
    const got = await rpmExtractor.extract(input('var/lib/rpm/Packages.db', data));
    expect(got.ownedFiles).toEqual(expect.arrayContaining(['bin/bash', 'usr/bin/bash', 'usr/bin/rpm']));
    expect(got.ownedFiles?.some((p) => p.startsWith('usr/share/'))).toBe(false);
  });

  it("Debian's maven-repo link gives guice-servlet.jar its group; dpkg owns it, so only with includeOsOwned", async () => {
    const jar = readFileSync(new URL('../../testdata/scan/java/debian/guice-servlet.jar', import.meta.url));
    const repo =
      'usr/share/maven-repo/com/google/inject/extensions/guice-servlet/4.2.3/guice-servlet-4.2.3.jar';
    const base = await buildLayer([
      { path: 'usr/share/java/guice-servlet.jar', content: jar },
      { path: repo, type: 'symlink', linkname: '../../../../../../../java/guice-servlet.jar' },
      {
        path: 'var/lib/dpkg/status',
        content: 'Package: libguice-java\nStatus: install ok installed\nVersion: 4.2.3-2\n',
      },
      { path: 'var/lib/dpkg/info/libguice-java.list', content: '/usr/share/java/guice-servlet.jar\n' },
    ]);
    const view = foldLayers([await walk(base)]);
    const maven = (o: { includeOsOwned?: boolean }) =>
      viewPackages(view, undefined, [base.diffId], o)
        .packages.filter((p) => p.ecosystem === 'Maven')
        .map((p) => `${p.name}@${p.version} ${p.evidence} ${p.purl}`);
    expect(maven({})).toEqual([]);
    expect(maven({ includeOsOwned: true })).toEqual([
      'com.google.inject.extensions:guice-servlet@4.2.3 maven-repository-path pkg:maven/com.google.inject.extensions/guice-servlet@4.2.3',
    ]);
  });

  it('extractFile helper still sees no packages from a list file', async () => {
    expect(
      await extractFile(dpkgFilesExtractor, 'var/lib/dpkg/info/a.list', Buffer.from('/usr/bin/a\n')),
    ).toEqual([]);
  });
});

function input(path: string, content: string | Buffer) {
  const data = Buffer.from(content);
  return {
    path,
    mode: 0o644,
    size: data.length,
    bytes: async () => data,
    stream: () => {
      throw new Error('not used');
    },
  };
}
