// Where a digest was seen under a name (image_names): a repository alias. Recorded by image
// resolution, and by inventory for pinned references (`name@sha256:…`), whose name is an alias of
// the digest and never a condition for resolving it (mirrors serve one digest under many names).
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

export interface ImageNameRow {
  registry: string;
  repository: string;
  digest: string;
}

/** Upserts names (first/last seen widened), one array-parameter statement per call. */
export async function recordImageNames(
  { db }: Pick<Store, 'db'>,
  names: ImageNameRow[],
  at: Date,
): Promise<void> {
  const unique = [
    ...new Map(names.map((n) => [`${n.registry}\u0000${n.repository}\u0000${n.digest}`, n])).values(),
  ];
  if (!unique.length) return;
  await sql`
    insert into image_names (registry, repository, digest, first_seen, last_seen)
    select r, p, d, ${at}, ${at}
    from unnest(${unique.map((n) => n.registry)}::text[], ${unique.map((n) => n.repository)}::text[],
                ${unique.map((n) => n.digest)}::text[]) as t(r, p, d)
    on conflict (registry, repository, digest) do update
      set last_seen = greatest(image_names.last_seen, excluded.last_seen),
          first_seen = least(image_names.first_seen, excluded.first_seen)`.execute(db);
}
