// Which layers of an image come from its base image: the longest known image whose whole layer
// list (diffIDs) is a prefix of this image's — preferring images configured as bases
// (`baseImages` in the config) over ones merely detected. A package introduced in a base layer is
// fixed by updating the base image; one introduced above it, by bumping the dependency.
import { findImageDigest } from '../propagation/index.js';
import type { Store } from '../store/index.js';
import { queryBaseCandidates, queryImageLayers, queryImageNames } from '../store/index.js';

export interface BaseImage {
  digest: string;
  names: string[];
  /** Number of layers shared with the image. */
  layers: number;
  configured: boolean;
}

export interface LayerAttribution {
  base: BaseImage | null;
  layers: { position: number; diffId: string | null; inBase: boolean }[];
  /** diffIDs that belong to the base. */
  baseDiffIds: Set<string>;
}

export async function attributeLayers(
  store: Store,
  digest: string,
  baseImages: string[] = [],
): Promise<LayerAttribution> {
  const layers = await queryImageLayers(store, digest);
  const candidates = await queryBaseCandidates(store, digest);
  const configured = new Set<string>();
  for (const ref of baseImages) {
    try {
      configured.add(await findImageDigest(store, ref));
    } catch {
      // A configured base that was never scanned or resolved cannot be matched; detection still runs.
    }
  }
  const pick = candidates.find((c) => configured.has(c.digest)) ?? candidates[0];
  let base: BaseImage | null = null;
  if (pick) {
    const names = (await queryImageNames(store, [pick.digest])).get(pick.digest) ?? [];
    base = { digest: pick.digest, names, layers: pick.layers, configured: configured.has(pick.digest) };
  }
  const shared = base?.layers ?? 0;
  const attributed = layers.map((l, i) => ({ position: l.position, diffId: l.diffId, inBase: i < shared }));
  return {
    base,
    layers: attributed,
    baseDiffIds: new Set(attributed.filter((l) => l.inBase && l.diffId).map((l) => l.diffId!)),
  };
}
