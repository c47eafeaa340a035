// scan.in-use: the images that run and are unscanned, stale or newly seen (the list `scan --in-use`
// works through, views' listInUseScanTargets) each become one scan.image job keyed by its digest;
// the queue refuses a second queued job for a digest, so a repeat of this job adds nothing twice.
import { listInUseScanTargets } from '../../views/index.js';
import type { Job } from '../kinds.js';
import type { StageDeps } from './stage-deps.js';

export async function scanInUseJob(deps: StageDeps, _job: Job, signal: AbortSignal) {
  const targets = await listInUseScanTargets(deps.store, deps.posture);
  let queued = 0;
  for (const t of targets) {
    signal.throwIfAborted();
    const id = await deps.queue.send(
      'scan.image',
      { reference: t.reference },
      { key: t.digest ?? t.reference },
    );
    if (id) queued++;
  }
  return { targets: targets.length, queued };
}
