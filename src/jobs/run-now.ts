// `jobs run NAME`: queues one job of a kind now and runs it in this process (or, when one is already
// queued, runs that one), then returns it as `runsight jobs` lists it. On PostgreSQL another worker
// may take it first: then this waits for it to finish there.
import { type JobRow, listJobs, type Store } from '../store/index.js';
import type { JobKind } from './kinds.js';
import type { JobQueue } from './queue.js';
import { type JobHandlers, runJob } from './worker.js';

export interface RunNowDeps {
  store: Store;
  queue: JobQueue;
  handlers: JobHandlers;
  signal: AbortSignal;
  /** How often to look while another process runs it (default 1 s). */
  pollMs?: number | undefined;
}

const DONE = new Set(['completed', 'failed', 'cancelled', 'retry']);

export async function runJobNow(
  deps: RunNowDeps,
  kind: JobKind,
  data: Record<string, unknown> = {},
  key?: string,
): Promise<JobRow> {
  let id = await deps.queue.send(kind, data, { key });
  if (!id) {
    const queued = (await listJobs(deps.store, { kinds: [kind], limit: 1000 })).find(
      (j) => j.state === 'queued' && (key === undefined || j.key === key),
    );
    if (!queued) throw new Error(`a ${kind} job${key ? ` for ${key}` : ''} could not be queued`);
    id = queued.id;
  }
  for (;;) {
    deps.signal.throwIfAborted();
    const state = await deps.queue.stateOf(kind, id);
    if (state === null || DONE.has(state)) break;
    const job = state === 'created' ? await deps.queue.fetch(kind) : null;
    if (job) {
      try {
        const out = await runJob(deps, job, deps.signal);
        await deps.queue.complete(kind, job.id, out);
      } catch (err) {
        await deps.queue.fail(kind, job.id, err as Error);
      }
    } else await new Promise((r) => setTimeout(r, deps.pollMs ?? 1_000));
  }
  const row = (await listJobs(deps.store, { kinds: [kind], limit: 1000 })).find((j) => j.id === id);
  if (!row) throw new Error(`job ${id} finished but is no longer listed`);
  return row;
}
