// Retention (retention.run job, docs/operations.md "Retention"): deletes rows older than a cutoff,
// in batches of at most `batch` rows per statement, so neither a statement nor a transaction grows
// with the history. Each function keeps what the rest of Runsight reads as "the last one": the
// newest inventory run per source, the newest snapshot per scope, the newest report run per name
// and per scope, pending notifications, and finding changes a roll-up has not yet absorbed.
import { type RawBuilder, sql } from 'kysely';
import type { Store } from '../../open-store.js';

export const RETENTION_BATCH = 1000;

export interface RetentionBatchOptions {
  /** Rows per delete statement (default 1,000). */
  batch?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** Runs `del(limit)` (one bounded delete returning its row count) until a batch comes back short. */
async function inBatches(
  del: (limit: number) => RawBuilder<unknown>,
  { db }: Pick<Store, 'db'>,
  opts: RetentionBatchOptions,
): Promise<number> {
  const limit = Math.max(1, opts.batch ?? RETENTION_BATCH);
  let total = 0;
  for (;;) {
    opts.signal?.throwIfAborted();
    const r = await del(limit).execute(db);
    const n = Number(r.numAffectedRows ?? 0n);
    total += n;
    if (n < limit) return total;
  }
}

/** Finished inventory runs started before `cutoff`, except each source's newest run and newest ok run. */
export function deleteInventoryRunsBefore(
  store: Pick<Store, 'db'>,
  cutoff: Date,
  opts: RetentionBatchOptions = {},
) {
  return inBatches(
    (limit) => sql`delete from inventory_runs where id = any(array(
      select r.id from inventory_runs r
      where r.started_at < ${cutoff} and r.status <> 'running'
        and exists (select 1 from inventory_runs n where n.source_id = r.source_id and n.id > r.id)
        and exists (select 1 from inventory_runs n where n.source_id = r.source_id and n.id > r.id
                    and n.status = 'ok')
      limit ${limit}))`,
    store,
    opts,
  );
}

/** Containers removed before `cutoff` (running ones never go). */
export function deleteRemovedContainersBefore(
  store: Pick<Store, 'db'>,
  cutoff: Date,
  opts: RetentionBatchOptions = {},
) {
  return inBatches(
    (limit) => sql`delete from containers where id = any(array(
      select id from containers where removed_at is not null and removed_at < ${cutoff} limit ${limit}))`,
    store,
    opts,
  );
}

/** Exposure-ledger intervals closed before `cutoff` (open ones never go). */
export function deleteExposuresBefore(
  store: Pick<Store, 'db'>,
  cutoff: Date,
  opts: RetentionBatchOptions = {},
) {
  return inBatches(
    (limit) => sql`delete from exposures where id = any(array(
      select id from exposures where closed_at is not null and closed_at < ${cutoff} limit ${limit}))`,
    store,
    opts,
  );
}

/**
 * Posture snapshots taken before `cutoff` thinned to one per scope and UTC day (the day's last),
 * so trends keep their shape at a daily grain.
 */
export function thinPostureSnapshotsBefore(
  store: Pick<Store, 'db'>,
  cutoff: Date,
  opts: RetentionBatchOptions = {},
) {
  return inBatches(
    (limit) => sql`delete from posture_snapshots where id = any(array(
      select id from (
        select id, row_number() over (
          partition by scope_kind, scope_key, date_trunc('day', taken_at at time zone 'UTC')
          order by taken_at desc, id desc) as rn
        from posture_snapshots where taken_at < ${cutoff}) d
      where rn > 1 limit ${limit}))`,
    store,
    opts,
  );
}

/** Posture snapshots taken before `cutoff`, except each scope's newest. */
export function deletePostureSnapshotsBefore(
  store: Pick<Store, 'db'>,
  cutoff: Date,
  opts: RetentionBatchOptions = {},
) {
  return inBatches(
    (limit) => sql`delete from posture_snapshots where id = any(array(
      select s.id from posture_snapshots s
      where s.taken_at < ${cutoff}
        and exists (select 1 from posture_snapshots n where n.scope_kind = s.scope_kind
                    and n.scope_key = s.scope_key and n.taken_at > s.taken_at)
      limit ${limit}))`,
    store,
    opts,
  );
}

/** Audit-log entries before `cutoff`. */
export function deleteAuditLogBefore(
  store: Pick<Store, 'db'>,
  cutoff: Date,
  opts: RetentionBatchOptions = {},
) {
  return inBatches(
    (limit) => sql`delete from audit_log where id = any(array(
      select id from audit_log where at < ${cutoff} limit ${limit}))`,
    store,
    opts,
  );
}

/** Delivered or failed notifications created before `cutoff` (pending ones never go). */
export function deleteNotificationLogBefore(
  store: Pick<Store, 'db'>,
  cutoff: Date,
  opts: RetentionBatchOptions = {},
) {
  return inBatches(
    (limit) => sql`delete from notification_log where id = any(array(
      select id from notification_log where status <> 'pending' and created_at < ${cutoff} limit ${limit}))`,
    store,
    opts,
  );
}

/** Report runs before `cutoff`, except each report's newest run and each scope's newest ok run. */
export function deleteReportRunsBefore(
  store: Pick<Store, 'db'>,
  cutoff: Date,
  opts: RetentionBatchOptions = {},
) {
  return inBatches(
    (limit) => sql`delete from report_runs where id = any(array(
      select r.id from report_runs r
      where r.ran_at < ${cutoff}
        and exists (select 1 from report_runs n where n.name = r.name
                    and (n.ran_at, n.id) > (r.ran_at, r.id))
        and (r.outcome <> 'ok' or exists (select 1 from report_runs n where n.scope_key = r.scope_key
                    and n.outcome = 'ok' and (n.ran_at, n.id) > (r.ran_at, r.id)))
      limit ${limit}))`,
    store,
    opts,
  );
}

/** Finding changes before `cutoff` that their image's roll-up has already absorbed (or whose image has none). */
export function deleteFindingChangesBefore(
  store: Pick<Store, 'db'>,
  cutoff: Date,
  opts: RetentionBatchOptions = {},
) {
  return inBatches(
    (limit) => sql`delete from finding_changes where id = any(array(
      select c.id from finding_changes c
      where c.at < ${cutoff}
        and not exists (select 1 from image_posture p where p.image_digest = c.image_digest
                        and p.computed_at <= c.at)
      limit ${limit}))`,
    store,
    opts,
  );
}
