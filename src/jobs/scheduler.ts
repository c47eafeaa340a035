// Cadences → jobs. Every tick the scheduler reads when each kind last started and succeeded
// (store job_runs) and queues the kinds whose cadence has elapsed since then. Several schedulers
// (several `serve` processes over one PostgreSQL) may tick at once: the queue's per-kind policy
// keeps at most one job of a cadence kind queued, so they cannot pile up. The clock is injected.
import { durationToMs } from '../core/duration.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { dueScheduledReports, type ScheduledReportConfig } from '../reports/index.js';
import { type JobRunRow, listJobRuns, type Store } from '../store/index.js';
import { notificationsEvaluateDue } from './handlers/notifications-evaluate.js';
import { CADENCE_KINDS, type CadenceName, type Cadences, type JobKind } from './kinds.js';
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
    const kind = CADENCE_KINDS[cadence];
    const run = runs.find((r) => r.kind === kind);
    const last = Math.max(run?.lastStartedAt?.getTime() ?? 0, run?.lastSuccessAt?.getTime() ?? 0);
    out.push({
      cadence,
      kind,
      intervalMs,
      lastSuccessAt: run?.lastSuccessAt ?? null,
      dueAt: last ? new Date(last + intervalMs) : null,
    });
  }
  return out;
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
  /** How often to look (default 15 s). */
  tickMs?: number | undefined;
  /** Notification rules exist: queue notifications.evaluate each minute and after posture moved. */
  notifications?: boolean | undefined;
  /** Scheduled reports (config `reports:`): reports.run is queued when any is due (report_runs). */
  reports?: readonly ScheduledReportConfig[] | undefined;
  /** Retention limits are set (config `retention:`): retention.run is queued once a day (job_runs). */
  retention?: boolean | undefined;
  /** Look once at start (default true). */
  immediate?: boolean | undefined;
}

export interface Scheduler {
  /** One look now: queues what is due; the kinds queued (a kind already queued is not counted). */
  tick(): Promise<JobKind[]>;
  stop(): Promise<void>;
}

export function startScheduler(deps: SchedulerDeps): Scheduler {
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? (() => new Date());
  const tickMs = deps.tickMs ?? 15_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();

  async function tick(): Promise<JobKind[]> {
    const queued: JobKind[] = [];
    const runs = await listJobRuns(deps.store);
    for (const kind of dueKinds(deps.cadence, runs, now())) {
      if (await deps.queue.send(kind, {})) queued.push(kind);
    }
    if (deps.retention && retentionDue(runs, now()))
      if (await deps.queue.send('retention.run', {})) queued.push('retention.run');
    if (deps.notifications && (await notificationsEvaluateDue(deps.store, now())))
      if (await deps.queue.send('notifications.evaluate', {})) queued.push('notifications.evaluate');
    if (deps.reports?.length && (await dueScheduledReports(deps.store, deps.reports, now())).length)
      if (await deps.queue.send('reports.run', {})) queued.push('reports.run');
    if (queued.length) logger.info('cadence jobs queued', { kinds: queued });
    return queued;
  }
  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick()
        .catch((err) => logger.warn('scheduler tick failed', { error: (err as Error).message }))
        .finally(schedule);
    }, tickMs);
    timer.unref?.();
  }
  if (deps.immediate ?? true)
    running = tick()
      .catch((err) => logger.warn('scheduler tick failed', { error: (err as Error).message }))
      .finally(schedule);
  else schedule();
  return {
    tick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      clearTimeout(timer);
    },
  };
}
