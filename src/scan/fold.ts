// The image filesystem as a pure fold over per-layer results (Trivy `applier/docker.go` idea):
// each layer's opaque directories and whiteouts hide what lower layers put there, then its own
// files replace records at the same paths. A package found again at the same path in a later layer
// keeps the layer that first introduced it, so a rewritten package database attributes each
// package to the layer that really added it. The fold builds one view in place, never a copy per
// layer. Spec: OCI image-spec layer.md (applying changesets).
import { isUnder, linkTargetPath, resolveInImage } from './paths.js';
import type { ExtractedPackage, FileRecord, LayerResult } from './types.js';

/** A record in the final view, with the layer that introduced each of its packages. */
export interface ViewRecord extends FileRecord {
  layer: string;
  /** Per package (same order as `packages`): the diffID of the layer that introduced it. */
  introducedBy: string[];
}

/** The image's final view, as far as the extractors looked. */
export interface ImageView {
  /** path → extractor → record. */
  records: Map<string, Map<string, ViewRecord>>;
  /** Symbolic links present in the final view: path → raw target. */
  symlinks: Map<string, string>;
  /** Hard links present in the final view: path → target path. */
  hardlinks: Map<string, string>;
}

export function emptyView(): ImageView {
  return { records: new Map(), symlinks: new Map(), hardlinks: new Map() };
}

/**
 * Applies one layer to the view, in place. The fold owns its view, so nothing is copied per layer:
 * copying the path maps for every layer made the fold O(layers × entries) in time and garbage.
 */
export function applyLayer(view: ImageView, layer: LayerResult): ImageView {
  const { records, symlinks, hardlinks } = view;
  const hide = (dir: string, includeSelf: boolean) => {
    for (const m of [records, symlinks, hardlinks] as Map<string, unknown>[]) {
      for (const key of [...m.keys()]) {
        if (isUnder(key, dir) && (includeSelf || key !== dir)) m.delete(key);
      }
    }
  };
  for (const dir of layer.changes.opaqueDirs) hide(dir, false);
  for (const path of layer.changes.whiteouts) hide(path, true);
  const previous = new Map<string, Map<string, ViewRecord>>();
  for (const path of layer.changes.replaced) {
    const old = records.get(path);
    if (old) previous.set(path, old);
    records.delete(path);
    symlinks.delete(path);
    hardlinks.delete(path);
  }
  for (const [path, target] of layer.changes.symlinks) symlinks.set(path, target);
  for (const [path, target] of layer.changes.hardlinks) hardlinks.set(path, target);
  for (const rec of layer.records) {
    const before = previous.get(rec.path)?.get(rec.extractor);
    const introducedBy = rec.packages.map((p) => carriedLayer(p, before) ?? layer.diffId);
    const byExtractor = records.get(rec.path) ?? new Map<string, ViewRecord>();
    records.set(rec.path, byExtractor);
    byExtractor.set(rec.extractor, { ...rec, layer: layer.diffId, introducedBy });
  }
  return view;
}

function carriedLayer(p: ExtractedPackage, before: ViewRecord | undefined): string | undefined {
  if (!before) return undefined;
  const i = before.packages.findIndex(
    (q) => q.kind === p.kind && q.name === p.name && q.version === p.version && q.subPath === p.subPath,
  );
  return i >= 0 ? before.introducedBy[i] : undefined;
}

export function foldLayers(layers: readonly LayerResult[]): ImageView {
  const view = emptyView();
  for (const layer of layers) applyLayer(view, layer);
  return view;
}

/**
 * Looks up the record an extractor made for `path`, following symbolic links (and hard links)
 * inside the image. Used for well-known files such as `etc/os-release` → `../usr/lib/os-release`.
 */
export function lookup(view: ImageView, path: string, extractor: string): ViewRecord | undefined {
  let resolved = resolveInImage(path, view.symlinks);
  if (resolved === undefined) return undefined;
  const hard = view.hardlinks.get(resolved);
  if (hard !== undefined) resolved = resolveInImage(hard, view.symlinks) ?? hard;
  return view.records.get(resolved)?.get(extractor);
}

/** Every record in the view (each real file once, links not followed: no duplicates). */
export function allRecords(view: ImageView): ViewRecord[] {
  const out: ViewRecord[] = [];
  for (const byExtractor of view.records.values()) out.push(...byExtractor.values());
  return out;
}

export { linkTargetPath };
