// advisories.update: with advisory sources given (`--advisory-source`), imports them as `db update
// --source` does; otherwise updates the configured feeds as `db update` does (default OSV for the
// ecosystems in use, KEV, EPSS, CVE List — docs/advisories.md#default-feeds). Either re-matches what
// changed; then posture is brought up to date. A feed that failed fails the job (its previous data
// stays in force) so it is retried with its error kept.
import { updateAdvisories, updateFeeds } from '../../advisories/index.js';
import { maintainPosture } from '../../propagation/index.js';
import type { Job } from '../kinds.js';
import type { StageDeps } from './stage-deps.js';

export async function updateAdvisoriesJob(deps: StageDeps, _job: Job, signal: AbortSignal) {
  if (deps.advisorySources.length) {
    const result = await updateAdvisories(deps.store, {
      sources: deps.advisorySources,
      rematch: true,
      signal,
      logger: deps.logger,
    });
    await maintainPosture(deps.store, {}, { ...deps.posture, signal });
    return { sources: result.sources.length, rematch: result.rematch ?? null };
  }
  const result = await updateFeeds(deps.store, deps.feeds ?? {}, {
    rematch: true,
    signal,
    logger: deps.logger,
  });
  await maintainPosture(deps.store, {}, { ...deps.posture, signal });
  const failed = result.feeds.filter((f) => f.outcome === 'failed');
  if (failed.length)
    throw new Error(
      `${failed.length} of ${result.feeds.length} feeds failed (previous data kept): ${failed.map((f) => `${f.name}: ${f.error}`).join('; ')}`,
    );
  return {
    feeds: result.feeds.map((f) => ({ name: f.name, outcome: f.outcome })),
    rematch: result.rematch ?? null,
  };
}
