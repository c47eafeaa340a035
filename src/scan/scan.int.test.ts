// Integration: multi-layer images built with umoci from real package databases, pushed to a local
// docker-registry, scanned through the CLI (`runsight scan … --format json`).
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/test-support/run-cli.js';
import { type BuiltImage, buildAndPush } from '../identity/test-support/build-image.js';
import { startRegistry, type TestRegistry } from '../identity/test-support/registry-server.js';
import { buildArtifacts } from './test-support/artifacts.js';
import { fixture } from './test-support/expected.js';
import { type Pushed, pushImage, umociImage } from './test-support/umoci-image.js';

let reg: TestRegistry | undefined;
let work: string;
let dataDir: string;
const images: Record<string, Pushed> = {};
let multi: BuiltImage;

function tree(
  name: string,
  files: Record<string, Buffer | string | { symlink: string } | { exec: string }>,
): string {
  const root = join(work, name);
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    if (typeof content === 'object' && 'symlink' in content) symlinkSync(content.symlink, file);
    else if (typeof content === 'object' && 'exec' in content) {
      copyFileSync(content.exec, file);
      chmodSync(file, 0o755);
    } else writeFileSync(file, content);
  }
  return root;
}

const VALID = fixture('dpkg/osv-scalibr-valid.status').toString('utf8');
const DUMMY = fixture('dpkg/osv-scalibr-transitional_dummy.status').toString('utf8');

beforeAll(async () => {
  reg = await startRegistry();
  if (!reg) return;
  work = mkdtempSync(join(tmpdir(), 'runsight-scan-int-'));
  dataDir = join(work, 'data');
  const art = buildArtifacts();
  const layout = join(work, 'layout');
  const base = tree('base', {
    'etc/os-release': { symlink: '../usr/lib/os-release' },
    'usr/lib/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
    'etc/debian_version': '12.5\n',
    'var/lib/dpkg/status': VALID,
    'app/node_modules/left-pad/package.json': '{"name":"left-pad","version":"1.3.0"}',
    'app/node_modules/ms/package.json': '{"name":"ms","version":"2.0.0"}',
    'srv/py/asyncssh-2.14.2.dist-info/METADATA': fixture('python/trivy-asyncssh-2.14.2.METADATA'),
    'srv/py/zipp-3.12.1.dist-info/METADATA': fixture('python/trivy-zipp-3.12.1.METADATA'),
    'opt/lib/app.jar': readFileSync(join(art, 'app.jar')),
    'usr/local/bin/hello-go': { exec: join(art, 'hello-go') },
    // A directory symlink and a link that tries to climb out of the image.
    'opt/current': { symlink: 'lib' },
    'etc/escape': { symlink: '../../../../../../etc/shadow' },
  });
  const opaque = tree('opaque', {
    'networkx-3.0.dist-info/METADATA': fixture('python/trivy-networkx-3.0.METADATA'),
  });
  const upgraded = tree('upgraded', { 'var/lib/dpkg/status': `${VALID.trimEnd()}\n\n${DUMMY}` });
  await umociImage(layout, 'app', [
    { insert: base, at: '/' },
    { whiteout: '/app/node_modules/left-pad' },
    { opaque, at: '/srv/py' },
    { insert: upgraded, at: '/' },
  ]);
  images.app = await pushImage(layout, 'app', `${reg.host}/scan/app:1`);
  // A second image: the same four layers plus one more.
  const extra = tree('extra', {
    'srv/app/node_modules/express/package.json': '{"name":"express","version":"4.17.1"}',
  });
  await umociImage(layout, 'app2', [{ insert: extra, at: '/' }], 'app');
  images.app2 = await pushImage(layout, 'app2', `${reg.host}/scan/app:2`);
  // A malformed rpm database.
  const bad = tree('bad', {
    'etc/os-release': 'ID=almalinux\nVERSION_ID="8.9"\n',
    'var/lib/rpm/rpmdb.sqlite': fixture('rpm/preflight-sqlite-fail-list-pkg-rpmdb.sqlite'),
  });
  await umociImage(layout, 'bad', [{ insert: bad, at: '/' }]);
  images.bad = await pushImage(layout, 'bad', `${reg.host}/scan/bad:1`);
  // A real Alpine 3.18 package database.
  const alpine = tree('alpine', {
    'etc/os-release': 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.18.0\n',
    'etc/alpine-release': '3.18.0\n',
    'lib/apk/db/installed': fixture('apk/osv-scalibr-alpine-3.18-installed'),
  });
  await umociImage(layout, 'alpine', [{ insert: alpine, at: '/' }]);
  images.alpine = await pushImage(layout, 'alpine', `${reg.host}/scan/alpine:3.18`);
  // A two-platform index (identity stage's builder): a different apk DB per platform.
  multi = await buildAndPush({
    registry: reg.host,
    repository: 'scan/multi',
    tag: '1',
    platforms: [
      {
        os: 'linux',
        architecture: 'amd64',
        layers: [
          {
            files: {
              'etc/alpine-release': '3.18.0\n',
              'lib/apk/db/installed': fixture('apk/osv-scalibr-alpine-3.18-installed'),
            },
          },
        ],
      },
      {
        os: 'linux',
        architecture: 'arm64',
        layers: [
          {
            files: {
              'etc/alpine-release': '3.4.6\n',
              'lib/apk/db/installed': fixture('apk/trivy-apk-installed'),
            },
          },
        ],
      },
    ],
  });
}, 240_000);

afterAll(async () => {
  await reg?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface ScanJson {
  image: { reference: string; digest: string; platform: string; configDigest: string };
  os: { ecosystem: string } | null;
  status: string;
  errors: { code: string; message: string; path?: string }[];
  packages: {
    ecosystem: string;
    name: string;
    version: string;
    purl: string;
    sourceName: string | null;
    layer: string;
    path: string;
  }[];
  findings: unknown[];
  stats: { layers: number; cachedLayers: number; bytes: number; seconds: number };
}

async function scan(ref: string, ...extra: string[]): Promise<ScanJson> {
  const r = await runCli([
    '--format',
    'json',
    '--data-dir',
    dataDir,
    '--insecure-registry',
    reg!.host,
    'scan',
    ref,
    ...extra,
  ]);
  // A partial scan prints its document, then exits 4 (completed with failures).
  const partial =
    r.code === 4 && [r.json<ScanJson | ScanJson[]>()].flat().some((d) => d.status === 'partial');
  if (r.code !== 0 && !partial) throw new Error(`scan exited ${r.code}: ${r.stderr}`);
  return r.json<ScanJson>();
}

describe('runsight scan (registry images built with umoci)', () => {
  it('applies whiteouts, opaque dirs, a replaced dpkg DB and symlinks across layers', async (ctx) => {
    if (!reg) return ctx.skip();
    const out = await scan(images.app!.reference);
    const [l1, , , l4] = images.app!.diffIds;
    expect(Object.keys(out)).toEqual([
      'image',
      'os',
      'status',
      'errors',
      'packages',
      'findings',
      'stats',
      'advisoriesLoaded',
      'summary',
    ]);
    expect(out.image).toEqual({
      reference: images.app!.reference,
      digest: images.app!.digest,
      platform: 'linux/amd64',
      configDigest: images.app!.configDigest,
    });
    expect(out.errors).toEqual([]);
    expect(out.status).toBe('complete');
    expect(out.os?.ecosystem).toBe('Debian:12'); // through the etc/os-release symlink
    const by = (n: string) => out.packages.filter((p) => p.name === n);
    // left-pad was deleted by a whiteout layer; ms stays.
    expect(by('left-pad')).toEqual([]);
    expect(by('ms')).toEqual([expect.objectContaining({ ecosystem: 'npm', version: '2.0.0', layer: l1 })]);
    // The opaque /srv/py hides asyncssh and zipp; networkx comes from layer 3.
    expect(by('asyncssh')).toEqual([]);
    expect(by('zipp')).toEqual([]);
    expect(by('networkx')).toEqual([
      expect.objectContaining({ ecosystem: 'PyPI', layer: images.app!.diffIds[2] }),
    ]);
    // The replaced status keeps the 7 original packages on layer 1 and adds git-core on layer 4.
    const debs = out.packages.filter((p) => p.ecosystem === 'Debian:12');
    expect(debs).toHaveLength(8);
    expect(debs.filter((p) => p.layer === l1)).toHaveLength(7);
    expect(by('git-core')).toEqual([
      expect.objectContaining({
        version: '1:2.14.2-1',
        sourceName: 'git',
        layer: l4,
        path: 'var/lib/dpkg/status',
      }),
    ]);
    expect(by('util-linux-extra')[0]).toMatchObject({
      sourceName: 'util-linux',
      purl: 'pkg:deb/debian/util-linux-extra@2.38.1-5%2Bb1?arch=amd64&distro=debian-12',
    });
    // Java (fat jar with nested jars) and Go (build info) from the same layer.
    expect(by('org.example:greet-lib')[0]).toMatchObject({
      ecosystem: 'Maven',
      path: 'opt/lib/app.jar!BOOT-INF/lib/greet-lib-2.4.1.jar',
    });
    expect(by('example.com/greet')[0]).toMatchObject({
      ecosystem: 'Go',
      version: 'v1.4.2',
      path: 'usr/local/bin/hello-go',
    });
    expect(by('stdlib')).toHaveLength(1);
    expect(out.stats).toMatchObject({ layers: 4, cachedLayers: 0 });
    expect(out.stats.bytes).toBeGreaterThan(1_000_000);
  });

  it('a second image sharing the base layers reads only its new layer', async (ctx) => {
    if (!reg) return ctx.skip();
    await scan(images.app!.reference);
    const out = await scan(images.app2!.reference, '--sbom', 'cyclonedx', join(work, 'app2.cdx.json'));
    expect(out.stats).toMatchObject({ layers: 5, cachedLayers: 4 });
    expect(out.stats.bytes).toBeLessThan(100_000);
    expect(out.packages.find((p) => p.name === 'express')).toMatchObject({ layer: images.app2!.diffIds[4] });
    const bom = JSON.parse(readFileSync(join(work, 'app2.cdx.json'), 'utf8'));
    expect(bom.specVersion).toBe('1.6');
    const express = bom.components.find((c: { name: string }) => c.name === 'express');
    expect(express.properties).toContainEqual({
      name: 'runsight:layer:diffID',
      value: images.app2!.diffIds[4],
    });
  });

  it('scans the same image from its OCI layout (oci:) and a docker-archive with the same result', async (ctx) => {
    if (!reg) return ctx.skip();
    const fromRegistry = await scan(images.app!.reference);
    const fromLayout = await scan(`oci:${join(work, 'layout')}:app`);
    expect(fromLayout.packages).toEqual(fromRegistry.packages);
    // A docker-save archive holds uncompressed layers; same diffIDs, same packages.
    const archive = join(work, 'app-docker.tar');
    execFileSync('skopeo', [
      'copy',
      '-q',
      `oci:${join(work, 'layout')}:app`,
      `docker-archive:${archive}:scan/app:1`,
    ]);
    const fromArchive = await scan(`docker-archive:${archive}`);
    expect(fromArchive.packages).toEqual(fromRegistry.packages);
  });

  it('a malformed rpm database: scan recorded partial with the reason', async (ctx) => {
    if (!reg) return ctx.skip();
    const out = await scan(images.bad!.reference);
    expect(out.status).toBe('partial');
    expect(out.os?.ecosystem).toBe('AlmaLinux:8');
    expect(out.errors).toEqual([
      expect.objectContaining({ code: 'extractor-failed', path: 'var/lib/rpm/rpmdb.sqlite' }),
    ]);
    expect(out.errors[0]!.message).toMatch(/not a readable rpm SQLite database/);
  });

  it('matches against the advisory database: musl in Alpine 3.18 has CVE-2025-26519, fixed in 1.2.4-r3', async (ctx) => {
    if (!reg) return ctx.skip();
    const advisory = new URL(
      '../../testdata/advisories/osv/osv-scanner-offline-dbs/Alpine/ALPINE-CVE-2025-26519.json',
      import.meta.url,
    );
    const up = await runCli(['--data-dir', dataDir, 'db', 'update', '--source', advisory.pathname]);
    expect(up.code, up.stderr).toBe(0);
    const out = await scan(images.alpine!.reference);
    expect(out.os?.ecosystem).toBe('Alpine:v3.18');
    const musl = out.findings.filter((f) => (f as { package: { name: string } }).package.name === 'musl');
    expect(musl).toEqual([
      expect.objectContaining({
        id: 'CVE-2025-26519',
        installedVersion: '1.2.4-r0',
        fixedVersion: '1.2.4-r3',
        status: 'affected',
      }),
    ]);
    const table = await runCli([
      '--data-dir',
      dataDir,
      '--insecure-registry',
      reg.host,
      'scan',
      images.alpine!.reference,
    ]);
    expect(table.stdout).toMatch(/CVE-2025-26519\s+musl\s+1\.2\.4-r0\s+1\.2\.4-r3/);
  });

  it('--platform all scans every platform of an index, each under its own manifest digest', async (ctx) => {
    if (!reg) return ctx.skip();
    const r = await runCli([
      '--format',
      'json',
      '--data-dir',
      dataDir,
      '--insecure-registry',
      reg.host,
      'scan',
      multi.reference,
      '--platform',
      'all',
      '--sbom',
      'spdx',
      join(work, 'multi.spdx.json'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json<ScanJson[]>();
    expect(out.map((o) => [o.image.platform, o.image.digest, o.image.configDigest])).toEqual(
      multi.manifests.map((m) => [`${m.os}/${m.architecture}`, m.digest, m.configDigest]),
    );
    expect(out.map((o) => o.os?.ecosystem)).toEqual(['Alpine:v3.18', 'Alpine:v3.4']);
    expect(out.map((o) => o.packages.find((p) => p.name === 'musl')?.version)).toEqual([
      '1.2.4-r0',
      '1.1.14-r10',
    ]);
    const arm = JSON.parse(readFileSync(join(work, 'multi.linux-arm64.spdx.json'), 'utf8'));
    expect(arm.spdxVersion).toBe('SPDX-2.3');
    const one = await scan(multi.reference, '--platform', 'linux/arm64');
    expect(one.image.digest).toBe(multi.manifests[1]!.digest);
  });

  it('table output groups by severity and names the scan status', async (ctx) => {
    if (!reg) return ctx.skip();
    const r = await runCli([
      '--data-dir',
      dataDir,
      '--insecure-registry',
      reg.host,
      'scan',
      images.bad!.reference,
    ]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^runsight: scan completed with failures: .* is partial \(extractor-failed\)/m);
    expect(r.stdout).toContain('SEVERITY');
    expect(r.stdout).toMatch(/status partial · layers 1/);
    expect(r.stdout).toContain('! extractor-failed');
  });
});
