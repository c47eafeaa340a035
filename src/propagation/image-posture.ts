// Per-image roll-ups: for each digest, the findings of the one scan posture reads — chosen here by
// the authoritative-source rule (settings.ts: the configured source when it covers the
// digest, else `runsight`, else the latest) — after VEX, as cells and a vulnerability list. The
// store computes and writes them from the chosen scans.
import type { RefreshResult, Store } from '../store/index.js';
import { type ChosenScan, listScanCandidates, refreshImagePosture } from '../store/index.js';
import { chooseAuthoritativeSource } from './settings.js';

/** Recomputes the roll-ups of these digests (undefined: every digest, from scratch). */
export async function refreshImages(
  store: Store,
  digests: string[] | undefined,
  authoritative: string,
  now: Date,
): Promise<RefreshResult> {
  if (digests && !digests.length) return { images: 0, vulnerabilities: 0 };
  const chosen = chooseScans(await listScanCandidates(store, digests), authoritative);
  return refreshImagePosture(store, { digests, chosen, now });
}

/** One scan per digest, by the authoritative-source rule. */
export function chooseScans(candidates: ChosenScan[], authoritative: string): ChosenScan[] {
  const byDigest = new Map<string, ChosenScan[]>();
  for (const c of candidates) {
    const list = byDigest.get(c.digest);
    if (list) list.push(c);
    else byDigest.set(c.digest, [c]);
  }
  const out: ChosenScan[] = [];
  for (const scans of byDigest.values()) {
    const source = chooseAuthoritativeSource(scans, authoritative);
    out.push(scans.find((s) => s.source === source)!);
  }
  return out;
}
