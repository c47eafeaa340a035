// The advisory feeds' state (migration 16) and what the feeds module asks the store: the package
// ecosystems of the current scans (which OSV feeds are in use), and the location an advisory
// source is shown with (the feed's URL instead of the temporary file it was loaded from).
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';
import type { FeedsTable } from '../../schema.js';

export interface FeedStateRow {
  name: string;
  url: string;
  etag: string | null;
  lastModified: string | null;
  lastAttemptAt: Date | null;
  lastSuccessAt: Date | null;
  lastOutcome: FeedsTable['last_outcome'];
  lastError: string | null;
  bytes: number | null;
  records: number | null;
}

/** Every feed's state, by name (all feeds when `names` is omitted). */
export async function listFeedStates({ db }: Pick<Store, 'db'>, names?: string[]): Promise<FeedStateRow[]> {
  let q = db.selectFrom('feeds').selectAll().orderBy('name');
  if (names) q = q.where('name', '=', sql<string>`any(${names}::text[])`);
  const rows = await q.execute();
  return rows.map((r) => ({
    name: r.name,
    url: r.url,
    etag: r.etag,
    lastModified: r.last_modified,
    lastAttemptAt: r.last_attempt_at,
    lastSuccessAt: r.last_success_at,
    lastOutcome: r.last_outcome,
    lastError: r.last_error,
    bytes: r.bytes === null ? null : Number(r.bytes),
    records: r.records,
  }));
}

/**
 * Records how a feed's run ended. A success (`updated`, `unchanged`) stores the validators and the
 * success time; a failure keeps the previous validators and success time, so the next run fetches
 * the feed again in full and `db status` still says how old the data in force is.
 */
export async function saveFeedState(
  { db }: Pick<Store, 'db'>,
  s: {
    name: string;
    url: string;
    outcome: 'updated' | 'unchanged' | 'failed';
    error?: string | null | undefined;
    etag?: string | null | undefined;
    lastModified?: string | null | undefined;
    bytes?: number | null | undefined;
    records?: number | null | undefined;
  },
): Promise<void> {
  const ok = s.outcome !== 'failed';
  const now = sql<Date>`now()`;
  const base = {
    url: s.url,
    last_attempt_at: now,
    last_outcome: s.outcome,
    last_error: ok ? null : (s.error ?? 'failed'),
  };
  const success = ok
    ? {
        etag: s.etag ?? null,
        last_modified: s.lastModified ?? null,
        last_success_at: now,
        ...(s.bytes !== undefined ? { bytes: s.bytes } : {}),
        ...(s.records !== undefined ? { records: s.records } : {}),
      }
    : {
        // Validators belong to the URL they came from: a failure at a new URL drops the old ones.
        etag: sql<string | null>`case when feeds.url = ${s.url} then feeds.etag end`,
        last_modified: sql<string | null>`case when feeds.url = ${s.url} then feeds.last_modified end`,
      };
  await db
    .insertInto('feeds')
    .values({ name: s.name, ...base, ...(ok ? success : {}) })
    .onConflict((oc) => oc.column('name').doUpdateSet({ ...base, ...success }))
    .execute();
}

/** The distinct package ecosystems of the current scans' SBOMs (`Debian:12`, `npm`, …). */
export async function listEcosystemsInUse({ db }: Pick<Store, 'db'>): Promise<string[]> {
  const rows = await db
    .selectFrom('packages as p')
    .innerJoin('current_scans as c', 'c.scan_id', 'p.scan_id')
    .select('p.ecosystem')
    .distinct()
    .orderBy('p.ecosystem')
    .execute();
  return rows.map((r) => r.ecosystem);
}

/** Sets the location `db status` shows for advisory sources (a feed's URL). */
export async function setAdvisorySourceLocation(
  { db }: Pick<Store, 'db'>,
  names: string[],
  location: string,
): Promise<void> {
  if (!names.length) return;
  await db
    .updateTable('advisory_sources')
    .set({ location })
    .where('name', '=', sql<string>`any(${names}::text[])`)
    .execute();
}

/** The newest `modified` among a source's advisories (null when it holds none). */
export async function getAdvisorySourceLastModified(
  { db }: Pick<Store, 'db'>,
  name: string,
): Promise<Date | null> {
  const row = await db
    .selectFrom('advisories')
    .select((eb) => eb.fn.max('modified').as('m'))
    .where('source', '=', name)
    .executeTakeFirst();
  return (row?.m as Date | null | undefined) ?? null;
}
