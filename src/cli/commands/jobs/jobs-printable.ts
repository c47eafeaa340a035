// How `runsight jobs` and `jobs run` print jobs. The JSON fields are a contract: id, kind, key,
// state (queued|active|completed|failed|retry), attempts, createdAt, startedAt, finishedAt, error.
import type { JobRow } from '../../../store/index.js';
import type { Printable } from '../../output.js';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** The contract's shape of one job. */
export function jobJson(j: JobRow) {
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
  };
}

export function jobsPrintable(jobs: JobRow[]): Printable<JobRow> {
  return {
    json: jobs.map(jobJson),
    rows: jobs,
    columns: [
      { header: 'id', value: (j) => j.id },
      { header: 'kind', value: (j) => j.kind },
      { header: 'key', value: (j) => j.key ?? '' },
      { header: 'state', value: (j) => j.state },
      { header: 'attempts', value: (j) => j.attempts },
      { header: 'created', value: (j) => iso(j.createdAt) ?? '' },
      { header: 'finished', value: (j) => iso(j.finishedAt) ?? '' },
      { header: 'error', value: (j) => j.error ?? '' },
    ],
  };
}
