// The scanner's text boundary: what the layers yielded (OS, packages, layer errors) is cleaned by the
// one rule of core/untrusted-text.ts before it is matched, saved or printed, and each change becomes
// a `cleaned-text` issue (the scan stays complete: nothing was left unread). The layer cache keeps
// only results PostgreSQL can hold; a result with a NUL or a lone surrogate is not cached, so every
// rescan reads it again, cleans it here again and reports the same change.
import type { Logger } from '../core/logger.js';
import type { Package } from '../core/types.js';
import { cleanTree, describeTextChange, hasUnstorableText, type TextChange } from '../core/untrusted-text.js';
import type { LayerCachePort } from './cache.js';
import type { OsInfo } from './extractors/os/release/detect.js';
import type { ScanIssue } from './types.js';

export interface CleanScanOutput {
  os: OsInfo | null;
  packages: Package[];
  errors: ScanIssue[];
  /** One `cleaned-text` issue per changed value (empty when the input was clean). */
  cleaned: ScanIssue[];
}

/** Cleans the OS, the packages and the layer errors of one scanned platform image. */
export function cleanScanOutput(
  os: OsInfo | null,
  packages: Package[],
  errors: ScanIssue[],
  logger?: Logger | undefined,
): CleanScanOutput {
  const changes: { change: TextChange; path?: string | undefined; layer?: string | undefined }[] = [];
  const osChanges: TextChange[] = [];
  const cleanOs = cleanTree(os, 'os', osChanges);
  changes.push(...osChanges.map((change) => ({ change })));
  const cleanPackages = packages.map((p, i) => {
    const own: TextChange[] = [];
    const c = cleanTree(p, `packages[${i}]`, own);
    changes.push(...own.map((change) => ({ change, path: c.path, layer: c.layer })));
    return c;
  });
  // Layer errors are Runsight's own messages quoting paths from the image: cleaned, not reported.
  const cleanErrors = cleanTree(errors, 'errors', []);
  const cleaned: ScanIssue[] = changes.map(({ change, path, layer }) => ({
    code: 'cleaned-text',
    message: `${path ? `${path}: ` : ''}${describeTextChange(change)}`,
    path,
    layer,
  }));
  for (const c of cleaned)
    logger?.warn('text cleaned', { code: c.code, message: c.message, path: c.path, layer: c.layer });
  return { os: cleanOs, packages: cleanPackages, errors: cleanErrors, cleaned };
}

/** The layer cache, minus the results that PostgreSQL text or jsonb cannot hold (those are not cached). */
export function storableLayerCache(cache: LayerCachePort | undefined): LayerCachePort | undefined {
  if (!cache) return undefined;
  return {
    get: (diffIds, extractors) => cache.get(diffIds, extractors),
    put: (diffId, entries) =>
      cache.put(
        diffId,
        entries.filter((e) => !hasUnstorableText(e.result)),
      ),
    knownBlobs: (digests) => cache.knownBlobs(digests),
    putBlob: (blob) => cache.putBlob(blob),
  };
}
