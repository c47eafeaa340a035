// retention.run: deletes the history older than the config's `retention:` limits (jobs/retention.ts).
// Queued by the scheduler once a day when a limit is set; `jobs run retention.run` runs it now.
import type { Job } from '../kinds.js';
import { runRetention } from '../retention.js';
import type { StageDeps } from './stage-deps.js';

export async function retentionRunJob(deps: StageDeps, _job: Job, signal: AbortSignal) {
  const deleted = await runRetention(deps.store, deps.retention, new Date(), { signal });
  deps.logger.info('retention pass done', { deleted });
  return { deleted };
}
