// The slice of the identity graph (images, index children, configs, tag history, which digests have
// findings) that a batch of containers can resolve through. One query per kind of fact.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

export interface IdentityRows {
  images: { digest: string; kind: 'index' | 'manifest'; config_digest: string | null }[];
  children: {
    index_digest: string;
    child_digest: string;
    os: string | null;
    architecture: string | null;
    variant: string | null;
  }[];
  byConfig: { digest: string; config_digest: string | null }[];
  tags: { registry: string; repository: string; tag: string; digest: string; observed_at: Date }[];
  /** Digests with a current scan (any source). */
  scanned: string[];
}

export async function loadTagHistory(
  { db }: Pick<Store, 'db'>,
  tags: { registry: string; repository: string; tag: string }[],
): Promise<IdentityRows['tags']> {
  if (!tags.length) return [];
  // Arrays joined through unnest: one statement shape whatever the number of tags.
  const r = await sql<IdentityRows['tags'][number]>`
    select h.registry, h.repository, h.tag, h.digest, h.observed_at
    from tag_history h
    join unnest(${tags.map((t) => t.registry)}::text[], ${tags.map((t) => t.repository)}::text[], ${tags.map((t) => t.tag)}::text[])
      as k(registry, repository, tag)
      on h.registry = k.registry and h.repository = k.repository and h.tag = k.tag
    order by h.observed_at, h.id`.execute(db);
  return r.rows;
}

export async function loadImageFacts(
  { db }: Pick<Store, 'db'>,
  digests: string[],
  configDigests: string[],
): Promise<Omit<IdentityRows, 'tags'>> {
  const images = digests.length
    ? await db
        .selectFrom('images')
        .select(['digest', 'kind', 'config_digest'])
        .where('digest', '=', sql<string>`any(${digests}::text[])`)
        .execute()
    : [];
  const indexes = images.filter((i) => i.kind === 'index').map((i) => i.digest);
  const children = indexes.length
    ? await db
        .selectFrom('image_children')
        .select(['index_digest', 'child_digest', 'os', 'architecture', 'variant'])
        .where('index_digest', '=', sql<string>`any(${indexes}::text[])`)
        .execute()
    : [];
  const byConfig = configDigests.length
    ? await db
        .selectFrom('images')
        .select(['digest', 'config_digest'])
        .where('kind', '=', 'manifest')
        .where('config_digest', '=', sql<string>`any(${configDigests}::text[])`)
        .orderBy('digest')
        .execute()
    : [];
  const candidates = [
    ...new Set([...digests, ...children.map((c) => c.child_digest), ...byConfig.map((b) => b.digest)]),
  ];
  const scanned = candidates.length
    ? (
        await db
          .selectFrom('current_scans')
          .select('image_digest')
          .distinct()
          .where('image_digest', '=', sql<string>`any(${candidates}::text[])`)
          .execute()
      ).map((r) => r.image_digest)
    : [];
  // Children named by an index are manifests even when their own row has not been written.
  const childRows = digests.length
    ? await db
        .selectFrom('image_children')
        .select('child_digest')
        .distinct()
        .where('child_digest', '=', sql<string>`any(${digests}::text[])`)
        .execute()
    : [];
  for (const c of childRows) {
    if (!images.some((i) => i.digest === c.child_digest)) {
      images.push({ digest: c.child_digest, kind: 'manifest', config_digest: null });
    }
  }
  return { images, children, byConfig, scanned };
}

/**
 * A number that changes whenever the identity graph or the set of scanned digests grows: when it
 * moves, containers that did not resolve exactly are tried again.
 */
export async function identityWatermark({ db }: Pick<Store, 'db'>): Promise<string> {
  const r = await sql<{ w: string }>`select concat_ws(':',
      (select coalesce(max(id), 0) from tag_history),
      (select count(*) from images),
      (select count(*) from image_children),
      (select count(*) from current_scans)) as w`.execute(db);
  return r.rows[0]?.w ?? '';
}
