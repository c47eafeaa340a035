// Tag history lookups: the digest a tag pointed to at a given time (the "tag + container start
// time → inferred" rule of the identity table in ARCHITECTURE.md), and the latest known digest.
import type { Kysely } from 'kysely';
import type { Store } from '../../open-store.js';
import type { Database } from '../../schema.js';

export interface TagKey {
  registry: string;
  repository: string;
  tag: string;
}

export interface TagObservation {
  digest: string;
  observedAt: Date;
  source: string;
}

/**
 * The digest `ref` pointed to at `at`: the last observation at or before `at`. Undefined when the
 * tag was never seen before then (an observation after `at` proves nothing about `at`).
 */
export function lookupTagAt(
  { db }: Pick<Store, 'db'>,
  ref: TagKey,
  at: Date,
): Promise<TagObservation | undefined> {
  return lookup(db, ref, at);
}

async function lookup(
  db: Kysely<Database>,
  ref: TagKey,
  at: Date | undefined,
): Promise<TagObservation | undefined> {
  let q = db
    .selectFrom('tag_history')
    .select(['digest', 'observed_at', 'source'])
    .where('registry', '=', ref.registry)
    .where('repository', '=', ref.repository)
    .where('tag', '=', ref.tag);
  if (at) q = q.where('observed_at', '<=', at);
  const row = await q.orderBy('observed_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row ? { digest: row.digest, observedAt: row.observed_at, source: row.source } : undefined;
}

/** The most recent digest seen for `ref`, whenever that was. */
export function lookupTagLatest({ db }: Pick<Store, 'db'>, ref: TagKey): Promise<TagObservation | undefined> {
  return lookup(db, ref, undefined);
}
