// Reads of the identity graph: one image with its children, layers and names; the manifests that
// share a config digest (Docker image ID → manifests); an index's child for a platform.
import type { Platform } from '../../../core/types.js';
import type { Store } from '../../open-store.js';

export interface StoredImage {
  digest: string;
  kind: 'index' | 'manifest';
  mediaType: string;
  configDigest: string | null;
  platform: Platform | null;
  firstSeen: Date;
  lastSeen: Date;
  children: { digest: string; platform: Platform }[];
  layers: {
    position: number;
    digest: string;
    diffId: string | null;
    mediaType: string | null;
    size: number | null;
  }[];
  names: { registry: string; repository: string; firstSeen: Date; lastSeen: Date }[];
}

function platformOf(r: {
  os: string | null;
  architecture: string | null;
  variant: string | null;
  os_version: string | null;
}): Platform | null {
  if (!r.os || !r.architecture) return null;
  const p: Platform = { os: r.os, architecture: r.architecture };
  if (r.variant) p.variant = r.variant;
  if (r.os_version) p.osVersion = r.os_version;
  return p;
}

export async function getImageIdentity(
  { db }: Pick<Store, 'db'>,
  digest: string,
): Promise<StoredImage | undefined> {
  const img = await db.selectFrom('images').selectAll().where('digest', '=', digest).executeTakeFirst();
  if (!img) return undefined;
  const [children, layers, names] = await Promise.all([
    db
      .selectFrom('image_children')
      .selectAll()
      .where('index_digest', '=', digest)
      .orderBy('child_digest')
      .execute(),
    db
      .selectFrom('image_layers')
      .selectAll()
      .where('image_digest', '=', digest)
      .orderBy('position')
      .execute(),
    db
      .selectFrom('image_names')
      .selectAll()
      .where('digest', '=', digest)
      .orderBy('registry')
      .orderBy('repository')
      .execute(),
  ]);
  return {
    digest: img.digest,
    kind: img.kind,
    mediaType: img.media_type,
    configDigest: img.config_digest,
    platform: platformOf(img),
    firstSeen: img.first_seen,
    lastSeen: img.last_seen,
    children: children.map((c) => ({
      digest: c.child_digest,
      platform: platformOf(c) ?? { os: 'unknown', architecture: 'unknown' },
    })),
    layers: layers.map((l) => ({
      position: l.position,
      digest: l.layer_digest,
      diffId: l.diff_id,
      mediaType: l.media_type,
      size: l.size,
    })),
    names: names.map((n) => ({
      registry: n.registry,
      repository: n.repository,
      firstSeen: n.first_seen,
      lastSeen: n.last_seen,
    })),
  };
}

/** Repository names a digest was seen under (aliases of the same content). */
export async function listImageNames(
  { db }: Pick<Store, 'db'>,
  digest: string,
): Promise<{ registry: string; repository: string }[]> {
  return db
    .selectFrom('image_names')
    .select(['registry', 'repository'])
    .where('digest', '=', digest)
    .orderBy('registry')
    .orderBy('repository')
    .execute();
}

/** Platform manifests whose config digest (Docker image ID) is `configDigest`. */
export async function listManifestsByConfig(
  { db }: Pick<Store, 'db'>,
  configDigest: string,
): Promise<{ digest: string; platform: Platform | null }[]> {
  const rows = await db
    .selectFrom('images')
    .select(['digest', 'os', 'architecture', 'variant', 'os_version'])
    .where('config_digest', '=', configDigest)
    .orderBy('digest')
    .execute();
  return rows.map((r) => ({ digest: r.digest, platform: platformOf(r) }));
}

/** The children of an index as stored (digest and declared platform). */
export async function listImageChildren(
  { db }: Pick<Store, 'db'>,
  indexDigest: string,
): Promise<{ digest: string; platform: Platform }[]> {
  const rows = await db
    .selectFrom('image_children')
    .selectAll()
    .where('index_digest', '=', indexDigest)
    .execute();
  return rows.map((c) => ({
    digest: c.child_digest,
    platform: platformOf(c) ?? { os: 'unknown', architecture: 'unknown' },
  }));
}
