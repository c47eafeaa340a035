// Content verification: a pass-through stream that hashes what flows through it and errors with a
// typed error when the bytes do not match the digest or the declared size (OCI image-spec
// descriptor.md: "the content MUST be verified against the digest").
import { createHash, type Hash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { Digest } from '../core/types.js';
import { BlobSizeError, DigestMismatchError } from './errors.js';
import { OffThreadHash } from './hash-worker.js';
import { parseDigest } from './reference.js';

function hasherFor(digest: Digest): Hash {
  const algorithm = parseDigest(digest).split(':')[0]!;
  return createHash(algorithm);
}

export function digestOf(bytes: Uint8Array, algorithm = 'sha256'): Digest {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Throws DigestMismatchError unless `bytes` hash to `digest`. */
export function verifyBytes(bytes: Uint8Array, digest: Digest, what: string): void {
  const algorithm = parseDigest(digest).split(':')[0]!;
  const actual = digestOf(bytes, algorithm);
  if (actual !== digest) throw new DigestMismatchError(digest, actual, what);
}

/** A Transform that passes bytes through and fails at the end if they do not match. */
export class VerifyingStream extends Transform {
  private readonly hash: Hash;
  private count = 0;
  /** Bytes seen so far. */
  get received(): number {
    return this.count;
  }
  constructor(
    readonly digest: Digest,
    readonly expectedSize: number | undefined,
    readonly what: string,
  ) {
    super();
    this.hash = hasherFor(digest);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.count += chunk.length;
    if (this.expectedSize !== undefined && this.count > this.expectedSize) {
      cb(new BlobSizeError(this.digest, this.expectedSize, this.count, this.what));
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.expectedSize !== undefined && this.count !== this.expectedSize) {
      cb(new BlobSizeError(this.digest, this.expectedSize, this.count, this.what));
      return;
    }
    const actual = `${this.digest.split(':')[0]}:${this.hash.digest('hex')}`;
    if (actual !== this.digest) {
      cb(new DigestMismatchError(this.digest, actual, this.what));
      return;
    }
    cb();
  }
}

/**
 * Pipes `source` through verification. Errors of the source (e.g. a dropped connection) and of
 * verification both surface on the returned stream.
 */
export function verifyStream(
  source: Readable,
  digest: Digest,
  expectedSize: number | undefined,
  what: string,
): Readable {
  const verifier = new VerifyingStream(digest, expectedSize, what);
  source.on('error', (err) => verifier.destroy(err));
  verifier.on('close', () => {
    if (!source.destroyed) source.destroy();
  });
  source.pipe(verifier);
  return verifier;
}

/** Reads a whole (small) stream into a buffer, refusing more than `limit` bytes. */
export async function readAll(stream: Readable, limit = 8 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream) {
    n += (chunk as Buffer).length;
    if (n > limit) {
      stream.destroy();
      throw new RangeError(`document larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Blobs at least this large are hashed in a worker thread (see hash-worker.ts). */
export const OFF_THREAD_HASH_BYTES = 4 * 1024 * 1024;

/**
 * A verified Node stream straight over a WHATWG body reader: one stream layer (no fromWeb + pipe
 * + Transform chain), which matters for throughput on fast links; large blobs are hashed off the
 * main thread. `mapError` turns a transport failure into a typed error, given the bytes received.
 */
export function verifiedBodyStream(
  body: ReadableStream<Uint8Array> | null,
  digest: Digest,
  expectedSize: number | undefined,
  what: string,
  hooks: {
    onChunk?: () => void;
    onClose?: () => void;
    mapError?: (err: unknown, received: number) => Error;
  } = {},
): Readable {
  const algorithm = parseDigest(digest).split(':')[0]!;
  const offThread = expectedSize === undefined || expectedSize >= OFF_THREAD_HASH_BYTES;
  const inline = offThread ? undefined : createHash(algorithm);
  const worker = offThread ? new OffThreadHash(algorithm) : undefined;
  const reader = body?.getReader();
  let received = 0;
  let finished = false;
  const out = new Readable({
    highWaterMark: 1 << 20,
    read() {
      if (!reader) {
        void finish(this);
        return;
      }
      reader.read().then(
        ({ done, value }) => {
          if (done) return void finish(this);
          received += value.length;
          hooks.onChunk?.();
          if (expectedSize !== undefined && received > expectedSize) {
            this.destroy(new BlobSizeError(digest, expectedSize, received, what));
            return;
          }
          if (inline) inline.update(value);
          else worker!.update(value);
          // Backpressure from the hashing worker: hand on the chunk once it has caught up.
          const ready = worker?.whenReady();
          if (ready) ready.then(() => this.push(value));
          else this.push(value);
        },
        (err) => this.destroy(hooks.mapError ? hooks.mapError(err, received) : (err as Error)),
      );
    },
    destroy(err, cb) {
      reader?.cancel().catch(() => undefined);
      if (!finished) worker?.drop();
      hooks.onClose?.();
      cb(err);
    },
  });
  async function finish(stream: Readable): Promise<void> {
    finished = true;
    if (expectedSize !== undefined && received !== expectedSize) {
      worker?.drop();
      stream.destroy(new BlobSizeError(digest, expectedSize, received, what));
      return;
    }
    const hex = inline ? inline.digest('hex') : await worker!.digestHex();
    const actual = `${algorithm}:${hex}`;
    if (actual !== digest) {
      stream.destroy(new DigestMismatchError(digest, actual, what));
      return;
    }
    hooks.onClose?.();
    stream.push(null);
  }
  return out;
}
