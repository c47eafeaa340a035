// Files an OS package manager installed: a language package found at one of them is that OS
// package's own copy (Debian's python3-requests ships `requests-2.28.1.egg-info`), which the
// distribution patches without changing the upstream version — matching it against the language's
// advisories gives false positives. The OS extractors report the paths their packages own; the
// SBOM attributes language packages at those paths to the OS package (packages.ts), as Trivy does.
//
// A package database lists every file (tens of thousands in a large image), and the lists are
// cached per layer: only paths where a language package could be found are kept — files a
// language extractor reads, and extension-less files outside documentation (executables: the list
// does not say which files are executable, and Go/Rust binaries carry no extension).
import { normalizeEntryPath } from '../paths.js';
import type { FileInfo } from '../types.js';
import { javaExtractor } from './lang/java/java.js';
import { npmExtractor } from './lang/npm/npm.js';
import { pythonExtractor } from './lang/python/python.js';
import { rubyExtractor } from './lang/ruby/ruby.js';
import { rustExtractor } from './lang/rust/rust.js';

const BY_NAME = [npmExtractor, pythonExtractor, javaExtractor, rubyExtractor, rustExtractor];
const NOT_BINARIES = /^(?:usr\/share|usr\/include|etc|var)\/|\/\.build-id\//;

/** True when a language extractor could report a package at `path` (an image path). */
export function languageCandidate(path: string): boolean {
  const info: FileInfo = { path, mode: 0o644, size: 1 };
  if (BY_NAME.some((x) => x.fileRequired(info))) return true;
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base !== '' && !base.includes('.') && !NOT_BINARIES.test(path);
}

/**
 * The owned paths worth keeping, normalised to image paths (no leading `/`), each once. Paths
 * that climb out of the image are dropped (a package list is untrusted input).
 */
export function ownedCandidates(paths: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const raw of paths) {
    const path = normalizeEntryPath(raw.trim());
    if (path && languageCandidate(path)) out.add(path);
  }
  return [...out];
}
