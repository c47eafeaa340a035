// Tag drift: tags that resolved to more than one digest over time (or across observers), with
// each digest's first and last sighting, newest first.
import type { Store } from '../../open-store.js';

export interface TagDrift {
  registry: string;
  repository: string;
  tag: string;
  /** Each digest the tag pointed to, oldest first sighting first. */
  digests: { digest: string; firstSeen: Date; lastSeen: Date; observations: number }[];
  /** The most recent digest. */
  current: string;
}

export interface TagDriftFilter {
  registry?: string | undefined;
  repository?: string | undefined;
  tag?: string | undefined;
  /** Only consider observations at or after this time. */
  since?: Date | undefined;
}

export async function listTagDrift(
  { db }: Pick<Store, 'db'>,
  filter: TagDriftFilter = {},
): Promise<TagDrift[]> {
  let q = db
    .selectFrom('tag_history')
    .select((eb) => [
      'registry',
      'repository',
      'tag',
      'digest',
      eb.fn.min('observed_at').as('first_seen'),
      eb.fn.max('observed_at').as('last_seen'),
      eb.fn.countAll<number>().as('n'),
    ])
    .groupBy(['registry', 'repository', 'tag', 'digest']);
  if (filter.registry) q = q.where('registry', '=', filter.registry);
  if (filter.repository) q = q.where('repository', '=', filter.repository);
  if (filter.tag) q = q.where('tag', '=', filter.tag);
  if (filter.since) q = q.where('observed_at', '>=', filter.since);
  const rows = await q
    .orderBy('registry')
    .orderBy('repository')
    .orderBy('tag')
    .orderBy('first_seen')
    .execute();
  const byTag = new Map<string, TagDrift>();
  for (const r of rows) {
    const key = `${r.registry}\u0000${r.repository}\u0000${r.tag}`;
    let d = byTag.get(key);
    if (!d) {
      d = { registry: r.registry, repository: r.repository, tag: r.tag, digests: [], current: r.digest };
      byTag.set(key, d);
    }
    const lastSeen = new Date(r.last_seen as unknown as Date);
    d.digests.push({
      digest: r.digest,
      firstSeen: new Date(r.first_seen as unknown as Date),
      lastSeen,
      observations: Number(r.n),
    });
  }
  const out = [...byTag.values()].filter((d) => d.digests.length > 1);
  for (const d of out) d.current = d.digests.reduce((a, b) => (b.lastSeen > a.lastSeen ? b : a)).digest;
  return out;
}
