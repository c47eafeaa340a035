// Propagation's configuration: the authoritative findings source and the freshness SLAs, from the
// config file (`posture.authoritativeSource`, `sla.*`) with the settings table as a fallback, and
// the one rule for which source's findings posture reads for a digest.
import type { SourceScan, Store } from '../store/index.js';
import { getSetting } from '../store/index.js';

export interface PostureConfig {
  authoritativeSource?: string | undefined;
  sla?:
    | { scanAge?: string | undefined; advisoryAge?: string | undefined; inventoryAge?: string | undefined }
    | undefined;
}

/** The config file's sections posture reads (structural: any face's parsed config fits). */
export interface PostureConfigSections {
  posture?: { authoritativeSource?: string | undefined } | undefined;
  sla?: PostureConfig['sla'];
  cadence?:
    | { scan?: string | undefined; advisories?: string | undefined; inventory?: string | undefined }
    | undefined;
  baseImages?: string[] | undefined;
}

/** The propagation settings from the config file — one mapping for the CLI, the server and the jobs. */
export function postureConfigOf(config: PostureConfigSections) {
  return {
    authoritativeSource: config.posture?.authoritativeSource,
    sla: config.sla,
    cadence: config.cadence,
    baseImages: config.baseImages,
  };
}

export async function authoritativeSource(store: Store, config: PostureConfig = {}): Promise<string> {
  return (
    config.authoritativeSource ??
    (await getSetting<string>(store, 'posture.authoritativeSource')) ??
    'runsight'
  );
}

export { durationToMs } from '../core/duration.js';

/**
 * Which source posture reads for a digest — the one rule, used by the image roll-ups
 * (image-posture.ts) and by `image show`: the configured source when it covers the digest, else
 * `runsight`, else the most recently landed scan, else by source name.
 */
export function chooseAuthoritativeSource(
  scans: Pick<SourceScan, 'source' | 'finishedAt'>[],
  configured?: string,
): string | null {
  if (!scans.length) return null;
  if (configured && scans.some((s) => s.source === configured)) return configured;
  if (scans.some((s) => s.source === 'runsight')) return 'runsight';
  const t = (s: Pick<SourceScan, 'finishedAt'>) => s.finishedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  return [...scans].sort(
    (a, b) => t(b) - t(a) || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0),
  )[0]!.source;
}
