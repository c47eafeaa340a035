// Layer blob decompression as a stream: gzip (zlib), zstd (fzstd, pure JS) or plain tar, chosen by
// the first bytes (media types lie: Docker archives call everything `tar`). Counts decompressed bytes
// against a shared budget so that a decompression bomb stops the scan instead of the machine.
// Specs: OCI image-spec layer media types; RFC 1952 (gzip); RFC 8878 (zstd).
import { createHash } from 'node:crypto';
import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { DecompressionLimitError, DiffIdMismatchError } from './errors.js';

/** Bytes left in the decompression budget of one scan; shared by its layers. */
export interface ByteBudget {
  remaining: number;
  readonly limit: number;
  used: number;
}

export function byteBudget(limit: number): ByteBudget {
  return { remaining: limit, limit, used: 0 };
}

export type Compression = 'gzip' | 'zstd' | 'none';

export function sniffCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/**
 * How far decompression may run ahead of the tar parser and the extractors (decompressed bytes
 * queued before the decoder is paused). zlib inflates on libuv's thread pool; with the default
 * 16 KiB it stopped after every chunk until the main thread had consumed it, so inflating and
 * parsing took turns instead of overlapping.
 */
const READ_AHEAD = 2 * 1024 * 1024;

/**
 * Streams the decompressed tar of a layer blob, charging `budget` for every byte produced. With
 * `diffId` (the config's rootfs.diff_ids entry), the decompressed bytes are hashed as they pass and
 * the stream errors at its end with DiffIdMismatchError when they do not hash to it: a layer result
 * is only ever made from, and cached under, the content its diffID names.
 */
export async function decompressLayer(
  blob: Readable,
  budget: ByteBudget,
  diffId?: string | undefined,
): Promise<Readable> {
  const head = await peek(blob, 4);
  const check = diffId ? diffIdCheck(diffId) : undefined;
  let total = 0;
  const counter = new Transform({
    writableHighWaterMark: READ_AHEAD,
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      total += chunk.length;
      budget.remaining -= chunk.length;
      budget.used += chunk.length;
      check?.hash.update(chunk);
      if (budget.remaining < 0) cb(new DecompressionLimitError(budget.limit));
      else cb(null, chunk);
    },
    // Some writers (umoci) end a layer right after the last file's data, without its padding or the
    // two zero blocks that close a tar; GNU tar accepts that, tar-stream does not. Padding to the
    // block size and adding the end blocks is harmless: zero blocks after the end are ignored.
    // The padding is not part of the layer, so it is not hashed.
    flush(cb) {
      const actual = check ? `${check.algorithm}:${check.hash.digest('hex')}` : undefined;
      if (check && actual !== diffId) cb(new DiffIdMismatchError(diffId!, actual!));
      else cb(null, Buffer.alloc(((512 - (total % 512)) % 512) + 1024));
    },
  });
  pipeline(blob, decoderFor(sniffCompression(head)), counter, () => {});
  return counter;
}

/** Reads at least `n` bytes (or to the end) and puts them back, so the stream starts unchanged. */
async function peek(stream: Readable, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let have = 0;
  while (have < n) {
    const chunk: Buffer | null = stream.read();
    if (chunk !== null) {
      parts.push(chunk);
      have += chunk.length;
      continue;
    }
    if (stream.readableEnded || stream.destroyed) break;
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        stream.off('readable', done);
        stream.off('end', done);
        stream.off('error', fail);
        resolve();
      };
      const fail = (e: Error) => {
        stream.off('readable', done);
        stream.off('end', done);
        reject(e);
      };
      stream.once('readable', done);
      stream.once('end', done);
      stream.once('error', fail);
    });
  }
  const head = Buffer.concat(parts);
  if (head.length) stream.unshift(head);
  return head;
}

/** Bytes of decompressed output per zlib call (each call is a round trip to libuv's thread pool). */
const INFLATE_CHUNK = 256 * 1024;

function decoderFor(kind: Compression): Transform {
  if (kind === 'gzip') return createGunzip({ chunkSize: INFLATE_CHUNK });
  if (kind === 'zstd') return zstdTransform();
  return new Transform({
    transform(c, _e, cb) {
      cb(null, c);
    },
  });
}

function zstdTransform(): Transform {
  let t: Transform | undefined;
  const d = new Decompress((data) => {
    if (data.length) t?.push(Buffer.from(data.buffer, data.byteOffset, data.length));
  });
  t = new Transform({
    transform(chunk: Buffer, _e, cb) {
      try {
        d.push(chunk);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
    flush(cb) {
      try {
        d.push(new Uint8Array(0), true);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
  return t;
}

/** The hash a diffID names (`sha256:…` or `sha512:…`); another algorithm cannot be checked. */
function diffIdCheck(diffId: string): { algorithm: string; hash: ReturnType<typeof createHash> } {
  const algorithm = diffId.slice(0, diffId.indexOf(':'));
  if (algorithm !== 'sha256' && algorithm !== 'sha512')
    throw new DiffIdMismatchError(diffId, `an unsupported digest algorithm "${algorithm}"`);
  return { algorithm, hash: createHash(algorithm) };
}
