// Where a local image source's bytes live: a directory (OCI layout), or members of a tar file (OCI
// archive, docker-save archive). Every read is verified against its digest on the way out.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Digest } from '../../core/types.js';
import { readAll, verifyStream } from '../digest-stream.js';
import { BlobUnknownError } from '../errors.js';
import { parseDigest } from '../reference.js';
import { openMember, type TarIndex } from './tar-index.js';

/** Raw access to files by path relative to the source root. */
export interface FileReader {
  description: string;
  /** Size in bytes, or undefined when absent. */
  size(path: string): Promise<number | undefined>;
  open(path: string, signal?: AbortSignal): Readable;
  readSmall(path: string): Promise<Buffer>;
}

export function directoryReader(dir: string): FileReader {
  return {
    description: dir,
    async size(path) {
      try {
        const s = await stat(join(dir, path));
        return s.isFile() ? s.size : undefined;
      } catch {
        return undefined;
      }
    },
    open: (path, signal) => createReadStream(join(dir, path), { signal }),
    readSmall: (path) => readFile(join(dir, path)),
  };
}

export function tarReader(index: TarIndex): FileReader {
  return {
    description: index.file,
    async size(path) {
      return index.members.get(path)?.size;
    },
    open(path, signal) {
      const m = index.members.get(path);
      if (!m) throw new BlobUnknownError(`${index.file} has no member ${path}`);
      return openMember(index, m, signal);
    },
    async readSmall(path) {
      const m = index.members.get(path);
      if (!m) throw new BlobUnknownError(`${index.file} has no member ${path}`);
      return readAll(openMember(index, m), 64 * 1024 * 1024);
    },
  };
}

/** The path of a blob in an OCI layout: blobs/<algorithm>/<hex>. */
export function blobPath(digest: Digest): string {
  const [algorithm, hex] = parseDigest(digest).split(':') as [string, string];
  return `blobs/${algorithm}/${hex}`;
}

/** Opens a verified blob stream from `path`; a missing file is BlobUnknownError. */
export async function openVerified(
  reader: FileReader,
  path: string,
  digest: Digest,
  expectedSize: number | undefined,
  signal?: AbortSignal,
): Promise<Readable> {
  const size = await reader.size(path);
  if (size === undefined)
    throw new BlobUnknownError(
      `blob ${digest} is not in ${reader.description} (looked for ${path}); the image is incomplete — re-export it`,
    );
  return verifyStream(
    reader.open(path, signal),
    digest,
    expectedSize,
    `blob ${digest} in ${reader.description}`,
  );
}
