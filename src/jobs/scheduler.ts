// Cadences → jobs. At each look the scheduler reads when each kind last started and succeeded
// (store job_runs) and queues the kinds whose cadence has elapsed since then; then it sleeps until
// the next cadence is due (nextLookDelay: at least 1 s, at most 15 s, so a `5s` cadence runs every
// ~5 s and a changed config or a job finished elsewhere is seen within 15 s). Several schedulers
// (several `serve` processes over one PostgreSQL) take turns (an advisory lock): a look skips a
// cadence kind with a job still queued, active or retrying, then reads the runs, so a job another
// scheduler queued is either pending or has moved its kind's next due time — a cadence is never run
// twice within its interval (the queue's per-kind policy alone allows one queued beside one active). `cadence.imports` lists the watched directory
// (one imports.directory job per ready file) and queues each trivy-operator cluster. The clock
// and the sleep are injected.
import { durationToMs } from '../core/duration.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { dueScheduledReports, type ScheduledReportConfig } from '../reports/index.js';
import {
  type JobRunRow,
  listJobRuns,
  pendingCadenceJobs,
  type Store,
  withSchedulerLock,
} from '../store/index.js';
import { directoryImportJobs } from './handlers/imports-directory.js';
import { trivyOperatorImportJobs } from './handlers/imports-trivy-operator.js';
import { notificationsEvaluateDue } from './handlers/notifications-evaluate.js';
import type { ImportsConfig } from './handlers/stage-deps.js';
import {
  CADENCE_KINDS,
  type CadenceName,
  type Cadences,
  DEFAULT_IMPORTS_CADENCE,
  IMPORT_KINDS,
  type JobKind,
} from './kinds.js';
import type { JobQueue } from './queue.js';

/** Each configured cadence: its kind, interval and when it is next due (null: now, never ran). */
export interface CadenceState {
  cadence: CadenceName;
  kind: JobKind;
  intervalMs: number;
  lastSuccessAt: Date | null;
  dueAt: Date | null;
}

/**
 * The cadences and when each is next due: `interval` after the later of its last start and last
 * success (a run in progress, or one that failed and is being retried by the queue, is not
 * started again). Never run: due now.
 */
export function cadenceStates(cadences: Cadences, runs: readonly JobRunRow[]): CadenceState[] {
  const out: CadenceState[] = [];
  for (const cadence of Object.keys(CADENCE_KINDS) as CadenceName[]) {
    const intervalMs = durationToMs(cadences[cadence]);
    if (!intervalMs) continue;
    out.push({ cadence, ...kindState(CADENCE_KINDS[cadence], intervalMs, runs) });
  }
  return out;
}

function kindState(kind: JobKind, intervalMs: number, runs: readonly JobRunRow[]) {
  const run = runs.find((r) => r.kind === kind);
  const last = Math.max(run?.lastStartedAt?.getTime() ?? 0, run?.lastSuccessAt?.getTime() ?? 0);
  return {
    kind,
    intervalMs,
    lastSuccessAt: run?.lastSuccessAt ?? null,
    dueAt: last ? new Date(last + intervalMs) : null,
  };
}

/** `cadence.imports` in ms: as configured, else DEFAULT_IMPORTS_CADENCE when imports are configured. */
export function importsIntervalMs(
  cadences: Cadences,
  imports: ImportsConfig | undefined,
): number | undefined {
  const configured = !!imports?.directory || (imports?.trivyOperator?.length ?? 0) > 0;
  return configured ? durationToMs(cadences.imports ?? DEFAULT_IMPORTS_CADENCE) : undefined;
}

/** The soonest and latest the scheduler looks again (ms). */
export const MIN_LOOK_MS = 1_000;
export const MAX_LOOK_MS = 15_000;

/**
 * How long to sleep before the next look at `now`: until the soonest `dueAt` still ahead. A due
 * one (null or past: its job is queued or running, here or in another process) is looked at again
 * after a fifth of its interval, so the end of its run is noticed without polling hard. Never less
 * than `minMs`, never more than `maxMs`.
 */
export function nextLookDelay(
  due: readonly { dueAt: Date | null; intervalMs: number }[],
  now: Date,
  bounds: { minMs?: number | undefined; maxMs?: number | undefined } = {},
): number {
  const minMs = bounds.minMs ?? MIN_LOOK_MS;
  const maxMs = bounds.maxMs ?? MAX_LOOK_MS;
  let delay = maxMs;
  for (const d of due) {
    const ahead = d.dueAt ? d.dueAt.getTime() - now.getTime() : 0;
    delay = Math.min(delay, ahead > 0 ? ahead : d.intervalMs / 5);
  }
  return Math.min(maxMs, Math.max(minMs, Math.ceil(delay)));
}

/** The kinds due at `now`. */
export function dueKinds(cadences: Cadences, runs: readonly JobRunRow[], now: Date): JobKind[] {
  return cadenceStates(cadences, runs)
    .filter((c) => c.dueAt === null || c.dueAt.getTime() <= now.getTime())
    .map((c) => c.kind);
}

/** retention.run is due once a day: a day after the later of its last start and last success. */
export const RETENTION_INTERVAL_MS = 86_400_000;

export function retentionDue(runs: readonly JobRunRow[], now: Date): boolean {
  const run = runs.find((r) => r.kind === 'retention.run');
  const last = Math.max(run?.lastStartedAt?.getTime() ?? 0, run?.lastSuccessAt?.getTime() ?? 0);
  return last + RETENTION_INTERVAL_MS <= now.getTime();
}

export interface SchedulerDeps {
  store: Store;
  queue: Pick<JobQueue, 'send'>;
  cadence: Cadences;
  logger?: Logger | undefined;
  /** The clock (tests inject one). */
  now?: (() => Date) | undefined;
  /** Sleeps `ms` or until `signal` aborts (tests inject a fake clock's; default setTimeout). */
  sleep?: ((ms: number, signal: AbortSignal) => Promise<void>) | undefined;
  /** The longest sleep between looks (default 15 s; MAX_LOOK_MS). */
  tickMs?: number | undefined;
  /** The shortest sleep between looks (default 1 s; MIN_LOOK_MS). */
  minTickMs?: number | undefined;
  /** Notification rules exist: queue notifications.evaluate each minute and after posture moved. */
  notifications?: boolean | undefined;
  /** Scheduled reports (config `reports:`): reports.run is queued when any is due (report_runs). */
  reports?: readonly ScheduledReportConfig[] | undefined;
  /** Retention limits are set (config `retention:`): retention.run is queued once a day (job_runs). */
  retention?: boolean | undefined;
  /** The watched directory and trivy-operator clusters (config `imports:`), on `cadence.imports`. */
  imports?: ImportsConfig | undefined;
  /** Look once at start (default true). */
  immediate?: boolean | undefined;
}

export interface Scheduler {
  /** One look now: queues what is due; the kinds queued (a kind already queued is not counted). */
  tick(): Promise<JobKind[]>;
  stop(): Promise<void>;
}

function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', done);
      resolve();
    }, ms);
    timer.unref?.();
    signal.addEventListener('abort', done, { once: true });
  });
}

export function startScheduler(deps: SchedulerDeps): Scheduler {
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? sleepFor;
  const bounds = { minMs: deps.minTickMs ?? MIN_LOOK_MS, maxMs: deps.tickMs ?? MAX_LOOK_MS };
  const importsMs = importsIntervalMs(deps.cadence, deps.imports);
  const trivyOperator = trivyOperatorImportJobs(deps.imports?.trivyOperator);
  /** When this scheduler lists the watched directory next (each process lists it on its own). */
  let nextListingAt = 0;
  const stopping = new AbortController();

  /** One look: what it queued, and how long to sleep before the next. */
  async function look(): Promise<{ queued: JobKind[]; delayMs: number }> {
    // One scheduler at a time, and the queue read before the runs: a job another scheduler queued
    // is pending here, or has started (and moved its kind's next due time) by the time runs are read.
    const { queued, states } = await withSchedulerLock(deps.store, lookLocked);
    if (queued.length) logger.info('cadence jobs queued', { kinds: queued });
    return { queued, delayMs: nextLookDelay(states, now(), bounds) };
  }
  async function lookLocked() {
    const queued: JobKind[] = [];
    const pending = await pendingCadenceJobs(deps.store, [
      ...Object.values(CADENCE_KINDS),
      ...IMPORT_KINDS,
      'retention.run',
    ]);
    const runs = await listJobRuns(deps.store);
    const at = now();
    const states: { dueAt: Date | null; intervalMs: number }[] = cadenceStates(deps.cadence, runs);
    for (const kind of dueKinds(deps.cadence, runs, at)) {
      if (!pending.has(kind) && (await deps.queue.send(kind, {}))) queued.push(kind);
    }
    if (importsMs && trivyOperator.length) {
      const state = kindState('imports.trivy-operator', importsMs, runs);
      states.push(state);
      if (!state.dueAt || state.dueAt.getTime() <= at.getTime())
        for (const j of trivyOperator)
          if (
            !pending.has(`imports.trivy-operator ${j.key}`) &&
            (await deps.queue.send('imports.trivy-operator', j.data, { key: j.key }))
          )
            queued.push('imports.trivy-operator');
    }
    if (importsMs && deps.imports?.directory) {
      if (nextListingAt <= at.getTime()) {
        nextListingAt = at.getTime() + importsMs;
        try {
          for (const j of await directoryImportJobs(deps.imports.directory, at))
            if (await deps.queue.send('imports.directory', j.data, { key: j.key }))
              queued.push('imports.directory');
        } catch (err) {
          logger.warn('watched directory not listed', { error: (err as Error).message });
        }
      }
      states.push({ dueAt: new Date(nextListingAt), intervalMs: importsMs });
    }
    if (deps.retention && !pending.has('retention.run') && retentionDue(runs, at))
      if (await deps.queue.send('retention.run', {})) queued.push('retention.run');
    if (deps.notifications && (await notificationsEvaluateDue(deps.store, at)))
      if (await deps.queue.send('notifications.evaluate', {})) queued.push('notifications.evaluate');
    if (deps.reports?.length && (await dueScheduledReports(deps.store, deps.reports, at)).length)
      if (await deps.queue.send('reports.run', {})) queued.push('reports.run');
    return { queued, states };
  }

  async function loop(): Promise<void> {
    let delayMs = bounds.maxMs;
    if (deps.immediate ?? true) delayMs = await lookOrWarn();
    while (!stopping.signal.aborted) {
      await sleep(delayMs, stopping.signal);
      if (stopping.signal.aborted) break;
      delayMs = await lookOrWarn();
    }
  }
  async function lookOrWarn(): Promise<number> {
    try {
      return (await look()).delayMs;
    } catch (err) {
      logger.warn('scheduler tick failed', { error: (err as Error).message });
      return bounds.maxMs;
    }
  }
  const running = loop();
  return {
    tick: async () => (await look()).queued,
    async stop() {
      stopping.abort();
      await running;
    },
  };
}
