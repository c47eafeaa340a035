// Identity lookups the importers need to map a report to a platform manifest digest: what the
// images table knows about a digest (manifest or index, and an index's platform children), which
// manifests carry a given config digest (image ID), and the latest tag_history observation of a tag.
import type { Kysely } from 'kysely';
import type { Database } from '../../schema.js';

export interface KnownImage {
  digest: string;
  kind: 'index' | 'manifest';
  configDigest: string | null;
  children: { digest: string; os: string | null; architecture: string | null; variant: string | null }[];
}

export async function findKnownImage(db: Kysely<Database>, digest: string): Promise<KnownImage | undefined> {
  const row = await db
    .selectFrom('images')
    .select(['digest', 'kind', 'config_digest'])
    .where('digest', '=', digest)
    .executeTakeFirst();
  if (!row) return undefined;
  const children =
    row.kind === 'index'
      ? await db
          .selectFrom('image_children')
          .select(['child_digest as digest', 'os', 'architecture', 'variant'])
          .where('index_digest', '=', digest)
          .orderBy('child_digest')
          .execute()
      : [];
  return { digest: row.digest, kind: row.kind, configDigest: row.config_digest, children };
}

/** Platform manifests whose config is `configDigest` (same config ⇒ same layers ⇒ same findings). */
export async function findManifestsByConfig(db: Kysely<Database>, configDigest: string): Promise<string[]> {
  const rows = await db
    .selectFrom('images')
    .select('digest')
    .where('config_digest', '=', configDigest)
    .where('kind', '=', 'manifest')
    .orderBy('digest')
    .execute();
  return rows.map((r) => r.digest);
}

export interface TagObservation {
  digest: string;
  observedAt: Date;
  source: string;
}

/** The latest observation of registry/repository:tag, optionally at or before `at`. */
export async function findLatestTagObservation(
  db: Kysely<Database>,
  tag: { registry: string; repository: string; tag: string },
  at?: Date,
): Promise<TagObservation | undefined> {
  let q = db
    .selectFrom('tag_history')
    .select(['digest', 'observed_at', 'source'])
    .where('registry', '=', tag.registry)
    .where('repository', '=', tag.repository)
    .where('tag', '=', tag.tag);
  if (at) q = q.where('observed_at', '<=', at);
  const row = await q.orderBy('observed_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? { digest: row.digest, observedAt: row.observed_at, source: row.source } : undefined;
}
