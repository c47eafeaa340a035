// How `runsight jobs` and `jobs run` print jobs. The JSON fields are a contract: id, kind, key,
// state (queued|active|completed|failed|retry), attempts, createdAt, startedAt, finishedAt, error.
import type { JobRow, NotificationLogRow } from '../../../store/index.js';
import type { Printable } from '../../output.js';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** What a notifications.deliver job carries (its notification_log row): never the URL or secret. */
function notificationJson(n: NotificationLogRow | undefined) {
  return n
    ? {
        id: n.id,
        rule: n.rule,
        event: n.event,
        key: n.key,
        destination: n.destination,
        host: n.host,
        status: n.status,
        lastError: n.lastError,
      }
    : undefined;
}

/** One line for the table: `rule event key → destination host`. */
function notificationText(n: NotificationLogRow | undefined): string {
  return n ? `${n.rule} ${n.event} ${n.key} → ${n.destination} ${n.host}` : '';
}

/** The contract's shape of one job (plus `notification` for notifications.deliver jobs). */
export function jobJson(j: JobRow, n?: NotificationLogRow) {
  return {
    id: j.id,
    kind: j.kind,
    key: j.key,
    state: j.state,
    attempts: j.attempts,
    createdAt: iso(j.createdAt),
    startedAt: iso(j.startedAt),
    finishedAt: iso(j.finishedAt),
    error: j.error,
    ...(n ? { notification: notificationJson(n) } : {}),
  };
}

/** `notifications`: the log rows of notifications.deliver jobs, by job key (their id). */
export function jobsPrintable(
  jobs: JobRow[],
  notifications: ReadonlyMap<string, NotificationLogRow> = new Map(),
): Printable<JobRow> {
  const note = (j: JobRow) =>
    j.kind === 'notifications.deliver' && j.key ? notifications.get(j.key) : undefined;
  return {
    json: jobs.map((j) => jobJson(j, note(j))),
    rows: jobs,
    columns: [
      { header: 'id', value: (j) => j.id },
      { header: 'kind', value: (j) => j.kind },
      { header: 'key', value: (j) => j.key ?? '' },
      { header: 'about', value: (j) => notificationText(note(j)) },
      { header: 'state', value: (j) => j.state },
      { header: 'attempts', value: (j) => j.attempts },
      { header: 'created', value: (j) => iso(j.createdAt) ?? '' },
      { header: 'finished', value: (j) => iso(j.finishedAt) ?? '' },
      { header: 'error', value: (j) => j.error ?? '' },
    ],
  };
}
