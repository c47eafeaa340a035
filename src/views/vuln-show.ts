// `vuln show ID`: the advisories behind a vulnerability (by id, alias or upstream CVE), KEV/EPSS,
// the CVE record's scores, and the images whose current findings carry it — under an access scope
// only the images a container inside it runs or ran. An id nothing names (in the caller's view) is
// not found, so a typo is not an empty answer.
import type { Store, VulnerabilityDetail } from '../store/index.js';
import { getVulnerability } from '../store/index.js';
import { NotFoundError, type ScopedRead } from './scoped-read.js';

export type VulnerabilityShow = { id: string } & VulnerabilityDetail;

export async function showVulnerability(
  store: Store,
  id: string,
  opts: ScopedRead = {},
): Promise<VulnerabilityShow> {
  const detail = await getVulnerability(store, id, opts.scope);
  if (!detail.advisories.length && !detail.images.length && !detail.cveScores.length) {
    throw new NotFoundError(
      `no advisory or finding names "${id}"; run "runsight db update --source …" first or check the id (CVE-…, GHSA-…, DSA-…)`,
    );
  }
  return { id, ...detail };
}
