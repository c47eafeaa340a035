// Test support (workers.int.test.ts, bench/jobs.ts): a fleet of small Debian 9 images built without
// a daemon — umoci lays down one shared base layer (os-release) and, per image, one small distinct
// layer holding a dpkg status with packages that the recorded Debian feeds affect
// (testdata/feeds/osv/Debian: libxml2 and tzdata in all-older.zip, openssl added by all.zip) and the
// image's own id — then pushed to a registry over its HTTP API (monolithic blob uploads, the
// manifest last), the base blob once. The digests returned are sha256 of the manifest bytes the
// registry was given (it checks them on PUT).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The dpkg status every image carries: versions just below each recorded fix (expected by hand). */
export const FLEET_PACKAGES = [
  // DLA-3012-1 fixes libxml2 in 2.9.4+dfsg1-2.2+deb9u7 (all-older.zip and all.zip).
  { name: 'libxml2', version: '2.9.4+dfsg1-2.2+deb9u6', advisory: 'DLA-3012-1' },
  // DLA-3051-1 fixes tzdata in 2021a-0+deb9u4 (all-older.zip and all.zip).
  { name: 'tzdata', version: '2021a-0+deb9u3', advisory: 'DLA-3051-1' },
  // DLA-3008-1 fixes openssl in 1.1.0l-1~deb9u6: only in all.zip, the feed update.
  { name: 'openssl', version: '1.1.0l-1~deb9u5', advisory: 'DLA-3008-1' },
] as const;

export interface FleetImage {
  repository: string;
  tag: string;
  /** The manifest digest. */
  digest: string;
  /** Its layers' blob digests: [shared base, its own]. */
  layers: [string, string];
}

function dpkgStatus(i: number): string {
  const stanza = (name: string, version: string) =>
    `Package: ${name}\nStatus: install ok installed\nPriority: optional\nSection: misc\nArchitecture: amd64\nVersion: ${version}\nDescription: ${name}\n`;
  return [...FLEET_PACKAGES.map((p) => stanza(p.name, p.version)), stanza(`fleet-app-${i}`, `1.0.${i}`)].join(
    '\n',
  );
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function blob(layout: string, digest: string): Buffer {
  return readFileSync(join(layout, 'blobs/sha256', digest.slice(7)));
}

async function pushBlob(registryUrl: string, repository: string, bytes: Buffer, digest: string) {
  const head = await fetch(`${registryUrl}/v2/${repository}/blobs/${digest}`, { method: 'HEAD' });
  if (head.status === 200) return;
  const start = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  await start.arrayBuffer();
  if (start.status !== 202) throw new Error(`upload start ${start.status}`);
  const loc = new URL(start.headers.get('location')!, registryUrl);
  loc.searchParams.set('digest', digest);
  const put = await fetch(loc, {
    method: 'PUT',
    body: bytes,
    headers: { 'content-type': 'application/octet-stream' },
  });
  await put.arrayBuffer();
  if (put.status !== 201) throw new Error(`blob PUT ${digest}: ${put.status}`);
}

/**
 * Builds `count` images `fleet/app-<i>:1` and pushes them to `registryUrl` (http://host:port).
 * Needs umoci (imageToolsAvailable). Pushes run `parallel` at once.
 */
export async function buildFleet(registryUrl: string, count: number, parallel = 8): Promise<FleetImage[]> {
  const scratch = mkdtempSync(join(tmpdir(), 'runsight-fleet-'));
  try {
    const layout = join(scratch, 'layout');
    const bundle = join(scratch, 'bundle');
    await run('umoci', ['init', '--layout', layout]);
    await run('umoci', ['new', '--image', `${layout}:base`]);
    await run('umoci', ['config', '--image', `${layout}:base`, '--os', 'linux', '--architecture', 'amd64']);
    const rootless = process.getuid?.() === 0 ? [] : ['--rootless'];
    await run('umoci', ['unpack', ...rootless, '--image', `${layout}:base`, bundle]);
    const rootfs = join(bundle, 'rootfs');
    mkdirSync(join(rootfs, 'etc'), { recursive: true });
    writeFileSync(
      join(rootfs, 'etc/os-release'),
      'PRETTY_NAME="Debian GNU/Linux 9 (stretch)"\nNAME="Debian GNU/Linux"\nVERSION_ID="9"\nVERSION="9 (stretch)"\nID=debian\n',
    );
    writeFileSync(join(rootfs, 'etc/debian_version'), '9.13\n');
    await run('umoci', ['repack', '--refresh-bundle', '--image', `${layout}:base`, bundle]);
    // Each image: the base plus what differs from it now (the bundle stays at the base's state).
    mkdirSync(join(rootfs, 'var/lib/dpkg'), { recursive: true });
    for (let i = 0; i < count; i++) {
      writeFileSync(join(rootfs, 'var/lib/dpkg/status'), dpkgStatus(i));
      writeFileSync(join(rootfs, 'etc/fleet-image'), `${i}\n`);
      await run('umoci', ['repack', '--image', `${layout}:app-${i}`, bundle]);
    }
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as {
      manifests: { digest: string; annotations?: Record<string, string> }[];
    };
    const images: FleetImage[] = [];
    const jobs = Array.from({ length: count }, (_, i) => i);
    const push = async (i: number) => {
      const desc = index.manifests.find(
        (m) => m.annotations?.['org.opencontainers.image.ref.name'] === `app-${i}`,
      );
      if (!desc) throw new Error(`umoci left no app-${i}`);
      const manifestBytes = blob(layout, desc.digest);
      const manifest = JSON.parse(manifestBytes.toString('utf8')) as {
        mediaType?: string;
        config: { digest: string };
        layers: { digest: string }[];
      };
      if (manifest.layers.length !== 2)
        throw new Error(`app-${i} has ${manifest.layers.length} layers, not 2`);
      const repository = `fleet/app-${i}`;
      for (const d of [manifest.config.digest, ...manifest.layers.map((l) => l.digest)])
        await pushBlob(registryUrl, repository, blob(layout, d), d);
      const put = await fetch(`${registryUrl}/v2/${repository}/manifests/1`, {
        method: 'PUT',
        body: manifestBytes,
        headers: { 'content-type': manifest.mediaType ?? 'application/vnd.oci.image.manifest.v1+json' },
      });
      await put.arrayBuffer();
      if (put.status !== 201) throw new Error(`manifest PUT app-${i}: ${put.status}`);
      const digest = sha256(manifestBytes);
      if (put.headers.get('docker-content-digest') !== digest)
        throw new Error(`registry says ${put.headers.get('docker-content-digest')} for ${digest}`);
      images[i] = {
        repository,
        tag: '1',
        digest,
        layers: [manifest.layers[0]!.digest, manifest.layers[1]!.digest],
      };
    };
    const workers = Array.from({ length: parallel }, async () => {
      for (let i = jobs.shift(); i !== undefined; i = jobs.shift()) await push(i);
    });
    await Promise.all(workers);
    return images;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
