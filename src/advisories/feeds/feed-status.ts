// Each feed's freshness for `db status`: when it last succeeded and how long ago, how its last run
// ended (and why it failed), and when the next run is due — the last run plus `cadence.advisories`
// when one is configured (the scheduler runs feeds on that cadence), else null.
import { durationToMs } from '../../core/duration.js';
import type { FeedStateRow } from '../../store/index.js';

export interface FeedStatus {
  name: string;
  url: string;
  lastSuccessAt: string | null;
  ageSeconds: number | null;
  lastOutcome: 'updated' | 'unchanged' | 'failed' | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  nextRunAt: string | null;
  bytes: number | null;
  records: number | null;
}

export function feedStatus(
  rows: FeedStateRow[],
  cadence: string | undefined,
  now = new Date(),
): FeedStatus[] {
  const every = durationToMs(cadence);
  return rows.map((r) => ({
    name: r.name,
    url: r.url,
    lastSuccessAt: r.lastSuccessAt?.toISOString() ?? null,
    ageSeconds: r.lastSuccessAt
      ? Math.max(0, Math.round((now.getTime() - r.lastSuccessAt.getTime()) / 1000))
      : null,
    lastOutcome: r.lastOutcome,
    lastError: r.lastError,
    lastAttemptAt: r.lastAttemptAt?.toISOString() ?? null,
    nextRunAt:
      every !== undefined && r.lastAttemptAt
        ? new Date(r.lastAttemptAt.getTime() + every).toISOString()
        : null,
    bytes: r.bytes,
    records: r.records,
  }));
}
