// Content verification: a pass-through stream that hashes what flows through it and errors with a
// typed error when the bytes do not match the digest or the declared size (OCI image-spec
// descriptor.md: "the content MUST be verified against the digest").
import { createHash, type Hash } from 'node:crypto';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import type { Digest } from '../core/types.js';
import { BlobSizeError, DigestMismatchError } from './errors.js';
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
