// A running job's lease (src/jobs/queue.ts, ADR 0018): the worker that holds a pg-boss job renews
// its `expire_in` while the handler runs, so pg-boss's maintenance expires (and retries) only the
// jobs of workers that stopped renewing — crashed or cut off — a lease after their last renewal.
// `started_on` (to the millisecond the client sees) names the attempt: a job expired and taken again has a new one, and the renewal of
// the old attempt finds nothing (the holder has lost it). Also: whether a digest has been scanned
// since a time, which a scan job checks before it pulls anything, and which keys a kind has pending.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';
import { pendingCadenceJobs } from './scheduler-guard.js';

/** Extends an active job's lease to `leaseSeconds` from now; false when this attempt no longer holds it. */
export async function renewJobLease(
  { db }: Pick<Store, 'db'>,
  kind: string,
  id: string,
  startedOn: Date,
  leaseSeconds: number,
): Promise<boolean> {
  const r = await sql`update pgboss.job
    set expire_in = (now() - started_on) + make_interval(secs => ${leaseSeconds}::int)
    where name = ${kind} and id = ${id}::uuid and state = 'active' and abs(extract(epoch from started_on - ${startedOn}::timestamptz)) < 0.002`.execute(
    db,
  );
  return Number(r.numAffectedRows ?? 0) > 0;
}

/** When the last Runsight scan (complete or partial) of `digest`, or of `reference` as asked, finished; or null. */
export async function lastScanFinishedAt(
  { db }: Pick<Store, 'db'>,
  digest: string | null,
  reference: string,
): Promise<Date | null> {
  const r = await sql<{ at: Date | null }>`select max(finished_at) as at from scans
    where (image_digest = ${digest} or reference = ${reference})
      and source = 'runsight' and status in ('complete', 'partial')`.execute(db);
  const at = r.rows[0]?.at;
  return at ? new Date(at) : null;
}

/**
 * The newest Runsight scan (complete or partial) per digest and per reference as asked, among the
 * given ones: one statement for a whole in-use list (arrays as parameters, never a growing text).
 */
export async function lastScansFinished(
  { db }: Pick<Store, 'db'>,
  digests: readonly string[],
  references: readonly string[],
): Promise<{ byDigest: Map<string, Date>; byReference: Map<string, Date> }> {
  const byDigest = new Map<string, Date>();
  const byReference = new Map<string, Date>();
  if (!digests.length && !references.length) return { byDigest, byReference };
  const r = await sql<{ kind: 'd' | 'r'; k: string; at: Date }>`
    select 'd' as kind, image_digest as k, max(finished_at) as at from scans
      where image_digest = any(${[...digests]}::text[]) and source = 'runsight' and status in ('complete', 'partial')
        and finished_at is not null
      group by image_digest
    union all
    select 'r', reference, max(finished_at) from scans
      where reference = any(${[...references]}::text[]) and source = 'runsight' and status in ('complete', 'partial')
        and finished_at is not null
      group by reference`.execute(db);
  for (const row of r.rows) (row.kind === 'd' ? byDigest : byReference).set(row.k, new Date(row.at));
  return { byDigest, byReference };
}

/** The keys of a kind's jobs that are queued, waiting out a retry or running. */
export async function pendingJobKeys(store: Pick<Store, 'db'>, kind: string): Promise<Set<string>> {
  const prefix = `${kind} `;
  const pending = await pendingCadenceJobs(store, [kind]);
  return new Set([...pending].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)));
}
