// Whether the advisory database can match anything: a scan against an empty one finds nothing and
// must say so (stderr warning, table footer, `advisoriesLoaded` in JSON) and how to load it.
import { getAdvisoryStatus, type Store } from '../store/index.js';
import type { CliContext } from './context.js';

export const NO_ADVISORIES =
  'no advisories are loaded, so no vulnerability can be matched; load them with "runsight db update --source PATH|URL" (e.g. an OSV zip such as https://osv-vulnerabilities.storage.googleapis.com/Alpine/all.zip; see docs/advisories.md)';

/**
 * True when the store holds advisories; warns on stderr when it does not. Findings prove it does,
 * so the store is asked only when the scan found none.
 */
export async function advisoriesAreLoaded(ctx: CliContext, store: Store, findings: number): Promise<boolean> {
  if (findings > 0) return true;
  // KEV, EPSS and VEX sources enrich advisories but match nothing: count advisory ecosystems.
  const { ecosystems } = await getAdvisoryStatus(store);
  const loaded = ecosystems.some((e) => e.advisories > 0);
  if (!loaded) ctx.logger.warn(NO_ADVISORIES);
  return loaded;
}
