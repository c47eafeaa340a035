// What the store already knows about one image digest, to check that a report given `--image`
// describes it: the config digests (image IDs) recorded for it (identity, or earlier imports'
// `stats.import.configDigest`), the OS families its scans found, and the indexes and children it
// is linked to. A digest names fixed content, so these facts cannot change.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

export interface KnownDigestFacts {
  digest: string;
  configDigests: string[];
  osFamilies: string[];
  /** Indexes listing it as a child, and its own children when it is an index. */
  related: string[];
}

export async function describeDigest({ db }: Pick<Store, 'db'>, digest: string): Promise<KnownDigestFacts> {
  const [configs, oses, related] = await Promise.all([
    sql<{ c: string }>`
      select config_digest as c from images where digest = ${digest} and config_digest is not null
      union
      select stats->'import'->>'configDigest' from scans
        where image_digest = ${digest} and stats->'import'->>'configDigest' is not null`.execute(db),
    sql<{ f: string }>`
      select distinct lower(os->>'family') as f from scans
        where image_digest = ${digest} and status <> 'failed' and coalesce(os->>'family', '') <> ''`.execute(
      db,
    ),
    sql<{ d: string }>`
      select index_digest as d from image_children where child_digest = ${digest}
      union
      select child_digest from image_children where index_digest = ${digest}`.execute(db),
  ]);
  return {
    digest,
    configDigests: configs.rows.map((r) => r.c).sort(),
    osFamilies: oses.rows.map((r) => r.f).sort(),
    related: related.rows.map((r) => r.d).sort(),
  };
}
