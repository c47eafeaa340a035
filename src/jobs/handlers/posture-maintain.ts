// posture.maintain: brings posture up to date (roll-ups, snapshots) after scans. Queued by every
// scan.image; the queue keeps one queued and one active at most, so a burst of scans costs one or
// two passes, and two workers never run it at once.
import { maintainPosture } from '../../propagation/index.js';
import type { Job } from '../kinds.js';
import type { StageDeps } from './stage-deps.js';

export async function maintainPostureJob(deps: StageDeps, _job: Job, signal: AbortSignal) {
  const r = await maintainPosture(deps.store, {}, { ...deps.posture, signal });
  if (deps.notifications?.length) await deps.queue.send('notifications.evaluate', {});
  return { changed: (r as { changed?: number }).changed ?? null };
}
