// Freshness on every view: when advisories were updated, when each inventory source last reported,
// how old the image scans in use are — each compared with its SLA (`sla.*` in the config).
import type { RollupRow } from '../propagation/index.js';
import { durationToMs, type PostureConfig, postureState } from '../propagation/index.js';
import type { Store } from '../store/index.js';
import { queryFreshness } from '../store/index.js';
import type { ScopedRead } from './scoped-read.js';

export interface Age {
  at: string | null;
  ageSeconds: number | null;
  /** True when older than the SLA; false when within it or no SLA is set. */
  stale: boolean;
}

export interface Freshness {
  now: string;
  /**
   * When the roll-ups this view reads were computed (by the last write's posture maintenance), and
   * which findings source they used. `settingsPending` is true when the configured authoritative
   * source differs from it: the next write or `runsight store sync` applies it.
   */
  posture: {
    computedAt: string | null;
    ageSeconds: number | null;
    authoritativeSource: string | null;
    settingsPending: boolean;
  };
  sla: { scanAge: string | null; advisoryAge: string | null; inventoryAge: string | null };
  advisories: ({ name: string; kind: string } & Age)[];
  inventory: ({ id: number; name: string; kind: string } & Age)[];
  scans: { oldestInUse: Age; newestInUse: Age };
  stale: boolean;
}

/** `opts.cluster` / `opts.namespace`: the scans in use are those of the report's cluster and namespace. */
export async function getFreshness(
  store: Store,
  config: PostureConfig = {},
  now = new Date(),
  opts: ScopedRead & { cluster?: string | undefined; namespace?: string | undefined } = {},
): Promise<Freshness> {
  const [rows, state] = await Promise.all([
    queryFreshness(store, { scope: opts.scope, cluster: opts.cluster, namespace: opts.namespace }),
    postureState(store),
  ]);
  const sla = config.sla ?? {};
  const scanMs = durationToMs(sla.scanAge);
  const advMs = durationToMs(sla.advisoryAge);
  const invMs = durationToMs(sla.inventoryAge);
  const advisories = rows.advisories.map((a) => ({
    name: a.name,
    kind: a.kind,
    ...age(a.updatedAt, advMs, now),
  }));
  const inventory = rows.inventory.map((s) => ({
    id: s.id,
    name: s.name,
    kind: s.kind,
    ...age(s.lastRun ?? s.lastSeen, invMs, now),
  }));
  const scans = {
    oldestInUse: age(rows.oldestScanInUse, scanMs, now),
    newestInUse: age(rows.newestScanInUse, undefined, now),
  };
  const computed = age(state.computedAt ? new Date(state.computedAt) : null, undefined, now);
  return {
    now: now.toISOString(),
    posture: {
      computedAt: computed.at,
      ageSeconds: computed.ageSeconds,
      authoritativeSource: state.authoritativeSource,
      settingsPending: Boolean(
        config.authoritativeSource &&
          state.authoritativeSource &&
          config.authoritativeSource !== state.authoritativeSource,
      ),
    },
    sla: {
      scanAge: sla.scanAge ?? null,
      advisoryAge: sla.advisoryAge ?? null,
      inventoryAge: sla.inventoryAge ?? null,
    },
    advisories,
    inventory,
    scans,
    stale: scans.oldestInUse.stale || advisories.some((a) => a.stale) || inventory.some((i) => i.stale),
  };
}

export function age(at: Date | null | undefined, slaMs: number | undefined, now: Date): Age {
  if (!at) return { at: null, ageSeconds: null, stale: slaMs !== undefined };
  const ms = now.getTime() - at.getTime();
  return {
    at: at.toISOString(),
    ageSeconds: Math.max(0, Math.round(ms / 1000)),
    stale: slaMs !== undefined && ms > slaMs,
  };
}

/** Why a roll-up row is stale (empty when fresh): its oldest scan, or one of its inventory sources. */
export function rowStaleness(row: RollupRow, f: Freshness, config: PostureConfig = {}): string[] {
  const reasons: string[] = [];
  const scanMs = durationToMs(config.sla?.scanAge);
  if (scanMs !== undefined && row.oldestScan && Date.parse(f.now) - row.oldestScan.getTime() > scanMs) {
    reasons.push(`scan older than ${config.sla?.scanAge}`);
  }
  for (const s of f.inventory) {
    if (s.stale && row.sourceIds.includes(s.id))
      reasons.push(`inventory ${s.name} older than ${config.sla?.inventoryAge}`);
  }
  if (f.advisories.some((a) => a.stale)) reasons.push(`advisories older than ${config.sla?.advisoryAge}`);
  return reasons;
}

/** `3d4h`, `12m`, `40s` for tables. */
export function humanAge(seconds: number | null): string {
  if (seconds === null) return 'never';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400)
    return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60) || ''}${seconds % 3600 >= 60 ? 'm' : ''}`;
  return `${Math.floor(seconds / 86400)}d${Math.floor((seconds % 86400) / 3600) ? `${Math.floor((seconds % 86400) / 3600)}h` : ''}`;
}
