// Test support (for every stage's integration tests): builds real multi-layer images without a
// daemon — `umoci init/new/config/unpack/repack` into an OCI layout, one layer per directory or file map —
// optionally assembles a multi-platform OCI index, and pushes with `skopeo copy` (`--all` for an
// index). The digests returned come from `skopeo inspect --raw` of the pushed image: an oracle
// independent of Runsight's own client. Usage:
//   const img = await buildAndPush({ registry: reg.host, repository: 'app', tag: '1',
//     platforms: [{ os: 'linux', architecture: 'amd64', layers: [{ files: { 'etc/os-release': 'ID=x\n' } }] }] });
//   img.digest, img.manifests[0].configDigest, img.manifests[0].layers …
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One layer: a directory to copy in at /, or files (path → content) written for it. */
export type LayerSpec = { dir: string } | { files: Record<string, string | Uint8Array> };

export interface PlatformSpec {
  os: string;
  architecture: string;
  variant?: string | undefined;
  layers: LayerSpec[];
  /** Config labels (also makes otherwise identical platforms distinct). */
  labels?: Record<string, string> | undefined;
}

export interface BuildOptions {
  registry: string;
  repository: string;
  tag: string;
  /** One entry → a single-platform manifest; several (or `index: true`) → an OCI index. */
  platforms: PlatformSpec[];
  index?: boolean | undefined;
  /** Basic-auth credentials for the push and the inspect. */
  credentials?: { username: string; password: string } | undefined;
  /** Keep the OCI layout here instead of a temp dir (the caller removes it). */
  layoutDir?: string | undefined;
}

export interface BuiltManifest {
  digest: string;
  os: string;
  architecture: string;
  variant?: string | undefined;
  configDigest: string;
  layers: { digest: string; size: number; mediaType: string }[];
  diffIds: string[];
}

export interface BuiltImage {
  /** `registry/repository:tag`. */
  reference: string;
  /** Digest of the pushed top-level manifest or index (sha256 of `skopeo inspect --raw`). */
  digest: string;
  mediaType: string;
  /** The platform manifests, in platform order, as the registry holds them. */
  manifests: BuiltManifest[];
  /** The OCI layout the image was built in (removed unless layoutDir was given). */
  layout: string;
}

const sha256 = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function writeBlob(layout: string, bytes: Buffer): { digest: string; size: number } {
  const digest = sha256(bytes);
  writeFileSync(join(layout, 'blobs/sha256', digest.slice(7)), bytes);
  return { digest, size: bytes.length };
}

function readIndex(layout: string) {
  return JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as {
    schemaVersion: 2;
    manifests: {
      mediaType: string;
      digest: string;
      size: number;
      annotations?: Record<string, string>;
      platform?: unknown;
    }[];
  };
}

function setRef(
  layout: string,
  tag: string,
  desc: { mediaType: string; digest: string; size: number },
): void {
  const idx = readIndex(layout);
  idx.manifests = idx.manifests.filter((m) => m.annotations?.['org.opencontainers.image.ref.name'] !== tag);
  idx.manifests.push({ ...desc, annotations: { 'org.opencontainers.image.ref.name': tag } });
  writeFileSync(join(layout, 'index.json'), JSON.stringify(idx));
}

function refDescriptor(layout: string, tag: string) {
  const d = readIndex(layout).manifests.find(
    (m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag,
  );
  if (!d) throw new Error(`umoci left no ${tag} in ${layout}`);
  return d;
}

/** Builds one platform image into `layout` under `tag` and returns its manifest descriptor. */
async function buildPlatform(layout: string, tag: string, p: PlatformSpec, scratch: string) {
  const image = `${layout}:${tag}`;
  await run('umoci', ['new', '--image', image]);
  const labels = Object.entries(p.labels ?? {}).flatMap(([k, v]) => ['--config.label', `${k}=${v}`]);
  await run('umoci', ['config', '--image', image, '--os', p.os, '--architecture', p.architecture, ...labels]);
  // unpack once, then one repack per layer: each repack records what changed in the rootfs as a
  // new layer. (`umoci insert` in 0.4.7 writes layers whose tar lacks its end, so it is not used.)
  const bundle = join(scratch, `${tag}-bundle`);
  const rootless = process.getuid?.() === 0 ? [] : ['--rootless'];
  await run('umoci', ['unpack', ...rootless, '--image', image, bundle]);
  for (const [i, layer] of p.layers.entries()) {
    const rootfs = join(bundle, 'rootfs');
    if ('dir' in layer) cpSync(layer.dir, rootfs, { recursive: true });
    else
      for (const [path, content] of Object.entries(layer.files)) {
        const file = join(rootfs, path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
    await run('umoci', [
      'repack',
      '--refresh-bundle',
      '--history.created_by',
      `runsight test layer ${i}`,
      '--image',
      image,
      bundle,
    ]);
  }
  if (p.variant) {
    // umoci has no --variant: rewrite the config and manifest with it.
    const desc = refDescriptor(layout, tag);
    const manifest = JSON.parse(readFileSync(join(layout, 'blobs/sha256', desc.digest.slice(7)), 'utf8'));
    const config = JSON.parse(
      readFileSync(join(layout, 'blobs/sha256', manifest.config.digest.slice(7)), 'utf8'),
    );
    config.variant = p.variant;
    const c = writeBlob(layout, Buffer.from(JSON.stringify(config)));
    manifest.config = { ...manifest.config, digest: c.digest, size: c.size };
    const m = writeBlob(layout, Buffer.from(JSON.stringify(manifest)));
    setRef(layout, tag, { mediaType: desc.mediaType, ...m });
  }
  return refDescriptor(layout, tag);
}

function skopeoCreds(c: BuildOptions['credentials'], flag: string): string[] {
  return c ? [`${flag}=${c.username}:${c.password}`] : [];
}

/** Builds the image with umoci, pushes it with skopeo, and reads the digests back with skopeo. */
export async function buildAndPush(o: BuildOptions): Promise<BuiltImage> {
  const scratch = mkdtempSync(join(tmpdir(), 'runsight-build-'));
  const layout = o.layoutDir ?? join(scratch, 'layout');
  try {
    await run('umoci', ['init', '--layout', layout]);
    const descs = [];
    for (const [i, p] of o.platforms.entries())
      descs.push({ p, d: await buildPlatform(layout, `p${i}`, p, scratch) });
    const asIndex = o.index ?? o.platforms.length > 1;
    let source = `oci:${layout}:p0`;
    if (asIndex) {
      const index = {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: descs.map(({ p, d }) => ({
          mediaType: d.mediaType,
          digest: d.digest,
          size: d.size,
          platform: { os: p.os, architecture: p.architecture, ...(p.variant ? { variant: p.variant } : {}) },
        })),
      };
      const b = writeBlob(layout, Buffer.from(JSON.stringify(index)));
      setRef(layout, o.tag, { mediaType: index.mediaType, ...b });
      source = `oci:${layout}:${o.tag}`;
    }
    const reference = `${o.registry}/${o.repository}:${o.tag}`;
    await run('skopeo', [
      'copy',
      '-q',
      ...(asIndex ? ['--all'] : []),
      '--dest-tls-verify=false',
      ...skopeoCreds(o.credentials, '--dest-creds'),
      source,
      `docker://${reference}`,
    ]);
    const inspect = async (ref: string) =>
      (
        await run(
          'skopeo',
          [
            'inspect',
            '--raw',
            '--tls-verify=false',
            ...skopeoCreds(o.credentials, '--creds'),
            `docker://${ref}`,
          ],
          { encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 } as Parameters<typeof execFile>[2],
        )
      ).stdout as unknown as Buffer;
    const top = await inspect(reference);
    const topDoc = JSON.parse(top.toString('utf8'));
    const manifestDigests: string[] = asIndex
      ? topDoc.manifests.map((m: { digest: string }) => m.digest)
      : [sha256(top)];
    const manifests: BuiltManifest[] = [];
    for (const [i, digest] of manifestDigests.entries()) {
      const raw = asIndex ? await inspect(`${o.registry}/${o.repository}@${digest}`) : top;
      if (sha256(raw) !== digest) throw new Error(`skopeo returned ${sha256(raw)} for ${digest}`);
      const m = JSON.parse(raw.toString('utf8'));
      const config = JSON.parse(readFileSync(join(layout, 'blobs/sha256', m.config.digest.slice(7)), 'utf8'));
      const p = o.platforms[i]!;
      manifests.push({
        digest,
        os: p.os,
        architecture: p.architecture,
        variant: p.variant,
        configDigest: m.config.digest,
        layers: m.layers.map((l: { digest: string; size: number; mediaType: string }) => ({
          digest: l.digest,
          size: l.size,
          mediaType: l.mediaType,
        })),
        diffIds: config.rootfs.diff_ids,
      });
    }
    return { reference, digest: sha256(top), mediaType: topDoc.mediaType ?? '', manifests, layout };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Whether umoci and skopeo are installed (builds need both). */
export async function imageToolsAvailable(): Promise<boolean> {
  try {
    await run('umoci', ['--version']);
    await run('skopeo', ['--version']);
    return true;
  } catch (err) {
    if (process.env.CI === 'true')
      throw new Error(`CI=true and umoci/skopeo are missing: ${(err as Error).message}`);
    console.warn('umoci or skopeo is missing; image-building integration tests are skipped outside CI');
    return false;
  }
}
