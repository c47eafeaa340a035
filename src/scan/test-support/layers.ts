// Test support: builds real layer blobs (tar, then gzip/zstd via the system tools and zlib) from a
// list of entries, and an in-memory ImageSource over them that verifies digests like a real source.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import type { ImageSource, PlatformImage, ResolvedImage } from '../../core/image-source.js';

export interface TarEntry {
  path: string;
  content?: Buffer | string | undefined;
  mode?: number | undefined;
  type?: 'file' | 'directory' | 'symlink' | 'link' | undefined;
  linkname?: string | undefined;
}

export interface BuiltLayer {
  blob: Buffer;
  tar: Buffer;
  digest: string;
  diffId: string;
  mediaType: string;
}

export function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

export async function tarOf(entries: TarEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((r) => p.on('end', () => r()));
  for (const e of entries) {
    const type = e.type ?? 'file';
    const content = e.content === undefined ? Buffer.alloc(0) : Buffer.from(e.content);
    const header = {
      name: e.path,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
      linkname: e.linkname,
      size: type === 'file' ? content.length : 0,
    };
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      p.entry(header, type === 'file' ? content : '', cb);
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

export async function buildLayer(
  entries: TarEntry[],
  compression: 'gzip' | 'zstd' | 'none' = 'gzip',
): Promise<BuiltLayer> {
  const tar = await tarOf(entries);
  const blob =
    compression === 'gzip'
      ? gzipSync(tar)
      : compression === 'zstd'
        ? execFileSync('zstd', ['-q', '-c', '-3'], { input: tar, maxBuffer: 1 << 30 })
        : tar;
  const mediaType =
    compression === 'gzip'
      ? 'application/vnd.oci.image.layer.v1.tar+gzip'
      : compression === 'zstd'
        ? 'application/vnd.oci.image.layer.v1.tar+zstd'
        : 'application/vnd.oci.image.layer.v1.tar';
  return { blob, tar, digest: sha256(blob), diffId: sha256(tar), mediaType };
}

/** An ImageSource over in-memory layers; counts blob opens so cache tests can assert on them. */
export function memoryImageSource(
  layers: BuiltLayer[],
  reference = 'memory:test',
): ImageSource & { opened: string[] } {
  const config = {
    os: 'linux',
    architecture: 'amd64',
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: sha256(configBytes),
      size: configBytes.length,
    },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.blob.length })),
  };
  const manifestDigest = sha256(Buffer.from(JSON.stringify(manifest)));
  const image: PlatformImage = {
    digest: manifestDigest,
    mediaType: manifest.mediaType,
    platform: { os: 'linux', architecture: 'amd64' },
    configDigest: sha256(configBytes),
    config,
    layers: layers.map((l) => ({
      digest: l.digest,
      mediaType: l.mediaType,
      size: l.blob.length,
      diffId: l.diffId,
    })),
    manifest,
  };
  const opened: string[] = [];
  return {
    description: reference,
    opened,
    async resolve(): Promise<ResolvedImage> {
      return { reference, digest: manifestDigest, mediaType: manifest.mediaType, platforms: [image] };
    },
    async openBlob(digest) {
      const l = layers.find((x) => x.digest === digest);
      if (!l) throw new Error(`blob ${digest} not found`);
      opened.push(digest);
      return verified(Readable.from(chunked(l.blob, 64 * 1024)), digest);
    },
  };
}

function* chunked(b: Buffer, n: number): Generator<Buffer> {
  for (let i = 0; i < b.length; i += n) yield b.subarray(i, i + n);
}

/** Fails the stream at its end when the bytes that came through do not hash to `digest`. */
export function verified(stream: Readable, digest: string): Readable {
  const hash = createHash('sha256');
  const check = new Transform({
    transform(chunk: Buffer, _e, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
    flush(cb) {
      const actual = `sha256:${hash.digest('hex')}`;
      cb(actual === digest ? null : new Error(`digest mismatch: expected ${digest}, got ${actual}`));
    },
  });
  stream.on('error', (e) => check.destroy(e));
  return stream.pipe(check);
}
