// Retention: how long each kind of history is kept (config `retention:`, docs/operations.md
// "Retention"), and one pass that deletes what is older — the retention.run job, queued by the
// scheduler once a day when any limit is set. Nothing is deleted for a key left unset, except the
// job queue's own history (pg-boss archive: 7 days unless `retention.jobHistory` says otherwise).
// Every delete runs in bounded batches (src/store/queries/retention/).
import { durationToMs } from '../core/duration.js';
import {
  deleteAuditLogBefore,
  deleteExposuresBefore,
  deleteFindingChangesBefore,
  deleteInventoryRunsBefore,
  deleteNotificationLogBefore,
  deletePostureSnapshotsBefore,
  deleteRemovedContainersBefore,
  deleteReportRunsBefore,
  type RetentionBatchOptions,
  type Store,
  thinPostureSnapshotsBefore,
} from '../store/index.js';

/** The config's `retention:` section: durations like `30d`, `12h`. Unset: kept for ever. */
export interface RetentionConfig {
  /** Finished jobs in the queue's archive (whole days, at least 1; default 7d). */
  jobHistory?: string | undefined;
  /** Inventory runs (each source's newest run and newest ok run always stay). */
  inventoryRuns?: string | undefined;
  /** Containers removed this long ago (running containers never go). */
  removedContainers?: string | undefined;
  /** Closed intervals of the exposure ledger. */
  exposures?: string | undefined;
  /** Posture snapshots at full grain (hourly and on change); older ones are thinned to one per scope and day. */
  postureSnapshots?: string | undefined;
  /** Posture snapshots at all (each scope's newest always stays). */
  postureSnapshotsDaily?: string | undefined;
  /** The API audit log. */
  auditLog?: string | undefined;
  /** Delivered and failed notifications (pending ones never go). */
  notificationLog?: string | undefined;
  /** Scheduled report runs (each report's newest and each scope's newest ok run always stay). */
  reportRuns?: string | undefined;
  /** Finding changes (those newer than their image's roll-up always stay). */
  findingChanges?: string | undefined;
}

/** The store's retention limits (all but jobHistory, which pg-boss enforces itself). */
const STORE_LIMITS = [
  'inventoryRuns',
  'removedContainers',
  'exposures',
  'postureSnapshots',
  'postureSnapshotsDaily',
  'auditLog',
  'notificationLog',
  'reportRuns',
  'findingChanges',
] as const;

type StoreLimit = (typeof STORE_LIMITS)[number];

const DELETE: Record<StoreLimit, (s: Store, cutoff: Date, o: RetentionBatchOptions) => Promise<number>> = {
  inventoryRuns: deleteInventoryRunsBefore,
  removedContainers: deleteRemovedContainersBefore,
  exposures: deleteExposuresBefore,
  postureSnapshots: thinPostureSnapshotsBefore,
  postureSnapshotsDaily: deletePostureSnapshotsBefore,
  auditLog: deleteAuditLogBefore,
  notificationLog: deleteNotificationLogBefore,
  reportRuns: deleteReportRunsBefore,
  findingChanges: deleteFindingChangesBefore,
};

/** True when any store limit is set: the scheduler then queues retention.run daily. */
export function retentionConfigured(config: RetentionConfig | undefined): boolean {
  return STORE_LIMITS.some((k) => durationToMs(config?.[k]) !== undefined);
}

/** pg-boss's deleteAfterDays from `retention.jobHistory`: whole days, rounded up, at least 1. */
export function jobHistoryDays(config: RetentionConfig | undefined): number | undefined {
  const ms = durationToMs(config?.jobHistory);
  return ms === undefined ? undefined : Math.max(1, Math.ceil(ms / 86_400_000));
}

/** Rows deleted per limit, for the limits that are set. */
export type RetentionResult = Partial<Record<StoreLimit, number>>;

/** One pass: for each limit set, deletes the rows older than `now - limit`. */
export async function runRetention(
  store: Store,
  config: RetentionConfig | undefined,
  now: Date,
  opts: RetentionBatchOptions = {},
): Promise<RetentionResult> {
  const out: RetentionResult = {};
  for (const key of STORE_LIMITS) {
    const ms = durationToMs(config?.[key]);
    if (ms === undefined) continue;
    out[key] = await DELETE[key](store, new Date(now.getTime() - ms), opts);
  }
  return out;
}
