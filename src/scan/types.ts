// The scanner's internal vocabulary: extractor plugins (osv-scalibr `extractor/filesystem` shape),
// what they read and return, and the per-layer results the fold combines. Everything a layer
// result holds is plain JSON so that it can be cached per (diffID, extractor, version).
import type { Readable } from 'node:stream';
import type { PackageEvidence } from '../core/package-evidence.js';

/** What the layer walker knows about a file before reading it (from the tar header). */
export interface FileInfo {
  /** Path inside the image, normalised: no leading `/`, no `.`/`..` segments. */
  path: string;
  /** Permission bits (tar header mode). */
  mode: number;
  size: number;
}

/**
 * A file an extractor asked for. `bytes()` buffers (bounded); `stream()` does not; `file()` puts it
 * on disk for random access. An extractor calls one of them, once.
 */
export interface ExtractInput extends FileInfo {
  /** The whole file, at most the per-file byte limit (else it rejects with FileTooLargeError). */
  bytes(): Promise<Buffer>;
  /** The file as a stream; stopping early is fine (the walker drains the rest). */
  stream(): Readable;
  /**
   * The file at a private temporary path, removed when the extractor returns: for large files read
   * by random access (zip central directory, ELF sections) without holding them in memory. Not
   * bound by the per-file limit (only by the decompression budget). The layer walker always offers
   * it; inputs made by hand may not (spool.ts `withLocalFile` then writes `stream()` to disk).
   */
  file?(): Promise<string>;
}

/** Package kinds: OS kinds get their ecosystem from the detected OS after the fold. */
export type PackageKind = 'deb' | 'apk' | 'rpm' | 'npm' | 'pypi' | 'maven' | 'golang' | 'gem' | 'cargo';

/** One package as an extractor reports it, before the OS is known. */
export interface ExtractedPackage {
  kind: PackageKind;
  name: string;
  version: string;
  sourceName?: string | undefined;
  sourceVersion?: string | undefined;
  /** Maven group id, npm scope is part of the name. */
  namespace?: string | undefined;
  arch?: string | undefined;
  /** rpm epoch, when set. */
  epoch?: number | undefined;
  license?: string | undefined;
  /** Path inside the archive for nested artefacts (jar!inner.jar), else absent. */
  subPath?: string | undefined;
  /** What the identity rests on; absent means `installed-metadata` (the extractor's default). */
  evidence?: PackageEvidence | undefined;
  /** Extra facts an extractor wants to keep (e.g. npm dev flag, rpm vendor). */
  meta?: Record<string, string | boolean | number> | undefined;
}

export interface ExtractResult {
  packages: ExtractedPackage[];
  /** Small facts for OS detection (the `os/release` extractor keeps file contents here). */
  facts?: Record<string, string> | undefined;
  /**
   * Image paths an OS package manager owns (dpkg `info/*.list`, apk `R:` entries, rpm file lists),
   * kept only where a language package could be found (extractors/owned-files.ts). Language
   * packages at these paths belong to the OS package and are not reported again.
   */
  ownedFiles?: string[] | undefined;
}

export interface Extractor {
  /** `os/dpkg`, `lang/npm`, … */
  readonly name: string;
  /** Bump when the output for the same input changes: it invalidates exactly this extractor's cache. */
  readonly version: number;
  /** Cheap string tests on the path (and mode): no I/O. */
  fileRequired(file: FileInfo): boolean;
  extract(input: ExtractInput, signal?: AbortSignal): Promise<ExtractResult>;
}

/** A problem that makes a scan partial. Same shape as the store's ScanError. */
export interface ScanIssue {
  code: string;
  message: string;
  path?: string | undefined;
  layer?: string | undefined;
}

/** What one extractor made of one file of one layer. */
export interface FileRecord {
  path: string;
  extractor: string;
  packages: ExtractedPackage[];
  facts?: Record<string, string> | undefined;
  ownedFiles?: string[] | undefined;
}

/** Filesystem changes of a layer that the fold needs (extractor-independent). */
export interface LayerChanges {
  /** Paths deleted by `.wh.NAME` entries. */
  whiteouts: string[];
  /** Directories whose lower-layer content is hidden (`.wh..wh..opq`). */
  opaqueDirs: string[];
  /** [path, raw target] of symbolic links. */
  symlinks: [string, string][];
  /** [path, target path] of hard links (targets are image paths). */
  hardlinks: [string, string][];
  /** Links and extractor-wanted files the layer (re)creates: they hide lower-layer records there. */
  replaced: string[];
}

/** The result of walking one layer. */
export interface LayerResult {
  diffId: string;
  changes: LayerChanges;
  records: FileRecord[];
  errors: ScanIssue[];
  /** Decompressed bytes read from this layer (0 when it came from the cache). */
  bytes: number;
  /** False when the walk stopped early (limit, traversal, corrupt stream): never cached. */
  complete: boolean;
  /** True when every part came from the layer cache. */
  cached: boolean;
}

export interface ScanLimits {
  /**
   * Largest file an extractor may buffer (`bytes()`). Java archives, Go and Rust executables larger
   * than spool.ts SPOOL_BYTES are read from a temporary file instead, whatever their size.
   */
  maxFileBytes: number;
  /** Total decompressed bytes over all layers of one image. */
  maxTotalBytes: number;
}

export const DEFAULT_LIMITS: ScanLimits = {
  maxFileBytes: 128 * 1024 * 1024,
  maxTotalBytes: 32 * 1024 * 1024 * 1024,
};
