// Persists one resolution into the identity graph, atomically: the root image (index or manifest),
// index → children, each platform manifest with its config digest, platform and layers (with
// diff_ids), the repository names the content was seen under (aliases), and the tag → digest
// observation in tag_history. A failure writes nothing (one transaction).
import type { Kysely } from 'kysely';
import type { PlatformImage, ResolvedImage } from '../../../core/image-source.js';
import type { Store } from '../../open-store.js';
import type { Database } from '../../schema.js';
import { batches } from '../../statement-size.js';

const ROWS_PER_INSERT = 1000;

/** A resolution as image sources return it; `document`/`size` of the root are optional extras. */
export type ResolutionRecord = ResolvedImage & { document?: unknown; size?: number | undefined };

export interface RecordOptions {
  /** When the tag was seen pointing at the digest (default now). */
  observedAt?: Date | undefined;
  /** tag_history.source: registry | inventory | import (default registry). */
  source?: string | undefined;
}

export interface RecordedResolution {
  /** Whether this observation moved the tag: its previous digest differs. */
  drifted: boolean;
  previousDigest?: string | undefined;
}

const isIndex = (mediaType: string) => /index|manifest\.list/.test(mediaType);

async function upsertImage(
  tx: Kysely<Database>,
  row: {
    digest: string;
    kind: 'index' | 'manifest';
    media_type: string;
    config_digest?: string | null;
    os?: string | null;
    architecture?: string | null;
    variant?: string | null;
    os_version?: string | null;
    size?: number | null;
    manifest?: unknown;
  },
  at: Date,
): Promise<void> {
  await tx
    .insertInto('images')
    .values({
      digest: row.digest,
      kind: row.kind,
      media_type: row.media_type,
      config_digest: row.config_digest ?? null,
      os: row.os ?? null,
      architecture: row.architecture ?? null,
      variant: row.variant ?? null,
      os_version: row.os_version ?? null,
      size: row.size ?? null,
      manifest: row.manifest === undefined ? null : JSON.stringify(row.manifest),
      first_seen: at,
      last_seen: at,
    })
    .onConflict((oc) =>
      oc.column('digest').doUpdateSet((eb) => ({
        last_seen: eb.fn('greatest', [eb.ref('images.last_seen'), eb.ref('excluded.last_seen')]),
        first_seen: eb.fn('least', [eb.ref('images.first_seen'), eb.ref('excluded.first_seen')]),
        manifest: eb.fn.coalesce(eb.ref('images.manifest'), eb.ref('excluded.manifest')),
        size: eb.fn.coalesce(eb.ref('images.size'), eb.ref('excluded.size')),
      })),
    )
    .execute();
}

async function recordPlatform(
  tx: Kysely<Database>,
  p: PlatformImage,
  size: number | null,
  at: Date,
): Promise<void> {
  await upsertImage(
    tx,
    {
      digest: p.digest,
      kind: 'manifest',
      media_type: p.mediaType,
      config_digest: p.configDigest,
      os: p.platform.os,
      architecture: p.platform.architecture,
      variant: p.platform.variant ?? null,
      os_version: p.platform.osVersion ?? null,
      size,
      manifest: p.manifest,
    },
    at,
  );
  const layers = p.layers.map((l, position) => ({
    image_digest: p.digest,
    position,
    layer_digest: l.digest,
    diff_id: l.diffId,
    media_type: l.mediaType,
    size: l.size,
  }));
  for (const batch of batches(layers, ROWS_PER_INSERT)) {
    await tx
      .insertInto('image_layers')
      .values(batch)
      .onConflict((oc) => oc.columns(['image_digest', 'position']).doNothing())
      .execute();
  }
}

async function upsertName(
  tx: Kysely<Database>,
  registry: string,
  repository: string,
  digest: string,
  at: Date,
) {
  await tx
    .insertInto('image_names')
    .values({ registry, repository, digest, first_seen: at, last_seen: at })
    .onConflict((oc) =>
      oc.columns(['registry', 'repository', 'digest']).doUpdateSet((eb) => ({
        last_seen: eb.fn('greatest', [eb.ref('image_names.last_seen'), eb.ref('excluded.last_seen')]),
        first_seen: eb.fn('least', [eb.ref('image_names.first_seen'), eb.ref('excluded.first_seen')]),
      })),
    )
    .execute();
}

/** Writes the resolution inside an existing transaction. */
export async function recordResolutionIn(
  { db: tx }: Pick<Store, 'db'>,
  r: ResolutionRecord,
  opts: RecordOptions = {},
): Promise<RecordedResolution> {
  const at = opts.observedAt ?? new Date();
  const index = isIndex(r.mediaType);
  const only = r.platforms.length === 1 && r.platforms[0]!.digest === r.digest ? r.platforms[0] : undefined;
  if (index) {
    await upsertImage(
      tx,
      {
        digest: r.digest,
        kind: 'index',
        media_type: r.mediaType,
        size: r.size ?? null,
        manifest: r.document,
      },
      at,
    );
    const children =
      r.children ??
      r.platforms.map((p) => ({ digest: p.digest, mediaType: p.mediaType, platform: p.platform }));
    for (const batch of batches(children, ROWS_PER_INSERT))
      await tx
        .insertInto('image_children')
        .values(
          batch.map((c) => ({
            index_digest: r.digest,
            child_digest: c.digest,
            os: c.platform.os,
            architecture: c.platform.architecture,
            variant: c.platform.variant ?? null,
            os_version: c.platform.osVersion ?? null,
          })),
        )
        .onConflict((oc) => oc.columns(['index_digest', 'child_digest']).doNothing())
        .execute();
  }
  for (const p of r.platforms)
    await recordPlatform(tx, p, p.digest === r.digest ? (r.size ?? null) : null, at);
  if (!index && !only)
    throw new Error(
      `resolution of ${r.reference}: a manifest ${r.digest} must have itself as its one platform`,
    );

  let drifted = false;
  let previousDigest: string | undefined;
  if (r.registry && r.repository) {
    await upsertName(tx, r.registry, r.repository, r.digest, at);
    for (const p of r.platforms) await upsertName(tx, r.registry, r.repository, p.digest, at);
    if (r.tag !== undefined) {
      const prev = await tx
        .selectFrom('tag_history')
        .select('digest')
        .where('registry', '=', r.registry)
        .where('repository', '=', r.repository)
        .where('tag', '=', r.tag)
        .where('observed_at', '<=', at)
        .orderBy('observed_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      previousDigest = prev?.digest;
      drifted = prev !== undefined && prev.digest !== r.digest;
      await tx
        .insertInto('tag_history')
        .values({
          registry: r.registry,
          repository: r.repository,
          tag: r.tag,
          digest: r.digest,
          observed_at: at,
          source: opts.source ?? 'registry',
        })
        .execute();
    }
  }
  return { drifted, previousDigest };
}

/** Records a resolution in one transaction: all of it lands, or none of it. */
export function recordResolution(
  { db }: Pick<Store, 'db'>,
  r: ResolutionRecord,
  opts: RecordOptions = {},
): Promise<RecordedResolution> {
  return db.transaction().execute((tx) => recordResolutionIn({ db: tx }, r, opts));
}
