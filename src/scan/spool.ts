// Large files of a layer go to a private temporary file instead of memory: an extractor that needs
// random access (a zip's central directory, an ELF section table) reads just the parts it needs
// from disk, so a 100 MB jar or Go binary costs a few MiB of memory, not its size. Files up to
// SPOOL_BYTES stay in memory (cheaper than a file for the common small jar or executable).
// The temporary directory is created 0700 under os.tmpdir() (TMPDIR) and removed after use.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ExtractInput } from './types.js';

/** Larger files are read from a temporary file by the extractors that can (Java, Go, Rust). */
export const SPOOL_BYTES = 8 * 1024 * 1024;

/**
 * Bytes the temporary file's write stream buffers before it asks for a pause: while one write is
 * in flight the next chunks queue and go out together (one writev), instead of one write per
 * chunk waited for in turn.
 */
export const SPOOL_WRITE_BUFFER = 1024 * 1024;

export interface SpooledFile {
  path: string;
  /** Removes the file and its directory; safe to call twice. */
  dispose(): Promise<void>;
}

/** Writes `stream` to a new private temporary file. */
export async function spool(stream: Readable | AsyncIterable<unknown>): Promise<SpooledFile> {
  const dir = await mkdtemp(join(tmpdir(), 'runsight-scan-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, 'file');
  try {
    await pipeline(stream, createWriteStream(path, { mode: 0o600, highWaterMark: SPOOL_WRITE_BUFFER }));
  } catch (err) {
    await dispose();
    throw err;
  }
  return { path, dispose };
}

/**
 * Runs `fn` with the input at a local path: the walker's temporary file when it offers one, else
 * the input's stream written to a temporary file here (inputs made by hand, e.g. in tests).
 */
export async function withLocalFile<T>(input: ExtractInput, fn: (path: string) => Promise<T>): Promise<T> {
  if (input.file) return fn(await input.file());
  const spooled = await spool(input.stream());
  try {
    return await fn(spooled.path);
  } finally {
    await spooled.dispose();
  }
}
