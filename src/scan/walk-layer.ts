// Walks one layer: decompresses the blob as a stream, parses the tar as a stream (tar-stream), and
// hands each regular file that some extractor's `fileRequired` wants to those extractors. It records
// the layer's whiteouts (`.wh.NAME`), opaque directories (`.wh..wh..opq`), links and replaced paths
// for the fold; it never holds a whole layer, and buffers a file only up to the per-file limit. A
// file several extractors want is buffered once when small, else written once to a temporary file
// (spool.ts); an extractor may also ask for any file on disk (`file()`), for random access.
// The decompressed bytes are hashed on the way and must match the layer's diffID, else the layer is
// unreadable: a result is never made for (or cached under) a diffID its bytes are not.
// Specs: OCI image-spec layer.md (changesets, whiteouts); POSIX pax / GNU tar.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { extract as tarExtract } from 'tar-stream';
import { type ByteBudget, decompressLayer } from './decompress.js';
import {
  DecompressionLimitError,
  DiffIdMismatchError,
  FileTooLargeError,
  PathTraversalError,
} from './errors.js';
import { basename, dirname, normalizeEntryPath } from './paths.js';
import { SPOOL_BYTES, SPOOL_WRITE_BUFFER, type SpooledFile, spool } from './spool.js';
import type {
  ExtractInput,
  Extractor,
  FileInfo,
  FileRecord,
  LayerChanges,
  LayerResult,
  ScanIssue,
  ScanLimits,
} from './types.js';

export interface WalkLayerOptions {
  /** The layer's diffID (config rootfs.diff_ids): the decompressed bytes must hash to it. */
  diffId: string;
  /** Extractors to run on this layer (those whose cached result is missing). */
  extractors: readonly Extractor[];
  limits: ScanLimits;
  budget: ByteBudget;
  signal?: AbortSignal | undefined;
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** Walks a layer blob; never throws for bad content — problems land in `errors` and `complete`. */
export async function walkLayer(blob: Readable, opts: WalkLayerOptions): Promise<LayerResult> {
  const changes: LayerChanges = { whiteouts: [], opaqueDirs: [], symlinks: [], hardlinks: [], replaced: [] };
  const records: FileRecord[] = [];
  const errors: ScanIssue[] = [];
  const startUsed = opts.budget.used;
  let complete = true;
  try {
    opts.signal?.throwIfAborted();
    const tar = await decompressLayer(blob, opts.budget, opts.diffId);
    // The layer counts as read only when the decompressed stream has ended: its end is where the
    // blob's digest and the layer's diffID are checked.
    const ended = new Promise<void>((resolve, reject) => {
      tar.once('end', resolve);
      tar.once('error', reject);
    });
    ended.catch(() => {});
    const ex = tarExtract();
    tar.on('error', (e) => ex.destroy(e));
    tar.pipe(ex);
    for await (const entry of ex) {
      opts.signal?.throwIfAborted();
      const h = entry.header;
      const path = normalizeEntryPath(h.name);
      if (path === undefined) throw new PathTraversalError(h.name);
      const base = basename(path);
      if (base === OPAQUE) {
        changes.opaqueDirs.push(dirname(path));
      } else if (base.startsWith(WHITEOUT)) {
        const dir = dirname(path);
        const name = base.slice(WHITEOUT.length);
        changes.whiteouts.push(dir ? `${dir}/${name}` : name);
      } else if (path !== '') {
        if (h.type === 'symlink') {
          changes.replaced.push(path);
          changes.symlinks.push([path, h.linkname ?? '']);
        } else if (h.type === 'link') {
          const target = normalizeEntryPath(h.linkname ?? '');
          if (target === undefined) throw new PathTraversalError(`${h.name} -> ${h.linkname}`);
          changes.replaced.push(path);
          changes.hardlinks.push([path, target]);
        } else if (h.type === 'file' || h.type === 'contiguous-file') {
          const info: FileInfo = { path, mode: h.mode ?? 0, size: h.size ?? 0 };
          const wanted = opts.extractors.filter((x) => safeRequired(x, info));
          if (wanted.length) {
            changes.replaced.push(path);
            await runExtractors(entry, info, wanted, opts, records, errors);
            continue;
          }
        }
      }
      await drain(entry);
    }
    if (!tar.readableEnded) {
      tar.unpipe(ex);
      tar.resume();
    }
    await ended;
  } catch (err) {
    complete = false;
    errors.push(issueFor(err, opts.diffId));
    // Stop the download too: nothing more of this layer will be read.
    blob.destroy();
  }
  return {
    diffId: opts.diffId,
    changes,
    records,
    errors,
    bytes: opts.budget.used - startUsed,
    complete,
    cached: false,
  };
}

function safeRequired(x: Extractor, info: FileInfo): boolean {
  try {
    return x.fileRequired(info);
  } catch {
    return false;
  }
}

type Entry = AsyncIterable<unknown>;

async function runExtractors(
  entry: Entry,
  info: FileInfo,
  wanted: Extractor[],
  opts: WalkLayerOptions,
  records: FileRecord[],
  errors: ScanIssue[],
): Promise<void> {
  const run = async (x: Extractor, input: ExtractInput) => {
    try {
      const res = await x.extract(input, opts.signal);
      records.push({
        path: info.path,
        extractor: x.name,
        packages: res.packages,
        facts: res.facts,
        ownedFiles: res.ownedFiles,
      });
    } catch (err) {
      if (err instanceof DecompressionLimitError || opts.signal?.aborted) throw err;
      // The file was replaced in this layer even though it could not be read.
      records.push({ path: info.path, extractor: x.name, packages: [] });
      errors.push({
        code: err instanceof FileTooLargeError ? 'file-too-large' : 'extractor-failed',
        message: `${x.name}: ${(err as Error).message}`,
        path: info.path,
        layer: opts.diffId,
      });
    }
  };
  if (wanted.length === 1) {
    const pass = new PassThrough({ highWaterMark: SPOOL_WRITE_BUFFER });
    const pump = pumpInto(entry, pass);
    pump.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
    const spooled: SpooledFile[] = [];
    try {
      await run(wanted[0]!, streamingInput(info, pass, opts.limits.maxFileBytes, spooled));
    } finally {
      pass.destroy();
      await Promise.all(spooled.map((f) => f.dispose()));
    }
    await pump;
    return;
  }
  // Several extractors want the same file (Go and Rust both read executables): a small file is
  // buffered once, a large one written once to a temporary file, and each extractor reads that.
  if (info.size > Math.min(SPOOL_BYTES, opts.limits.maxFileBytes)) {
    const file = await spool(entry);
    try {
      for (const x of wanted) await run(x, spooledInput(info, file.path, opts.limits.maxFileBytes));
    } finally {
      await file.dispose();
    }
    return;
  }
  const data = await readAll(entry, info, opts.limits.maxFileBytes);
  for (const x of wanted) {
    const spooled: SpooledFile[] = [];
    const input: ExtractInput = {
      ...info,
      bytes: () => Promise.resolve(data),
      stream: () => Readable.from([data]),
      file: async () => {
        const f = await spool(Readable.from([data]));
        spooled.push(f);
        return f.path;
      },
    };
    try {
      await run(x, input);
    } finally {
      await Promise.all(spooled.map((f) => f.dispose()));
    }
  }
}

function spooledInput(info: FileInfo, path: string, limit: number): ExtractInput {
  return {
    ...info,
    stream: () => createReadStream(path),
    bytes: async () => {
      if (info.size > limit) throw new FileTooLargeError(info.path, info.size, limit);
      return readFile(path);
    },
    file: async () => path,
  };
}

/** Copies the tar entry into `pass` until the consumer stops; then drains the entry. */
async function pumpInto(entry: Entry, pass: PassThrough): Promise<void> {
  try {
    await pumpChunks(entry, pass);
  } catch (err) {
    pass.destroy(err as Error);
    throw err;
  }
}

async function pumpChunks(entry: Entry, pass: PassThrough): Promise<void> {
  for await (const chunk of entry) {
    if (pass.destroyed) continue;
    if (!pass.write(chunk as Buffer)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          pass.off('drain', done);
          pass.off('close', done);
          resolve();
        };
        pass.on('drain', done);
        pass.on('close', done);
      });
    }
  }
  if (!pass.destroyed) pass.end();
}

function streamingInput(
  info: FileInfo,
  pass: PassThrough,
  limit: number,
  spooled: SpooledFile[],
): ExtractInput {
  return {
    ...info,
    stream: () => pass,
    bytes: async () => {
      if (info.size > limit) throw new FileTooLargeError(info.path, info.size, limit);
      return readAll(pass, info, limit);
    },
    file: async () => {
      const f = await spool(pass);
      spooled.push(f);
      return f.path;
    },
  };
}

async function readAll(stream: Entry, info: FileInfo, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream) {
    n += (chunk as Buffer).length;
    if (n > limit) throw new FileTooLargeError(info.path, n, limit);
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts, n);
}

async function drain(entry: Entry): Promise<void> {
  for await (const _ of entry) {
    // discard
  }
}

function issueFor(err: unknown, layer: string): ScanIssue {
  if (err instanceof DecompressionLimitError)
    return { code: 'decompression-limit', message: err.message, layer };
  if (err instanceof DiffIdMismatchError)
    return { code: 'layer-unreadable', message: `layer ${layer}: ${err.message}`, layer };
  if (err instanceof PathTraversalError)
    return { code: 'path-traversal', message: err.message, path: err.entry, layer };
  const e = err as Error;
  if (e?.name === 'AbortError') return { code: 'aborted', message: 'the scan was cancelled', layer };
  return {
    code: 'layer-unreadable',
    message: `layer ${layer} could not be read: ${e?.message ?? String(err)}`,
    layer,
  };
}
