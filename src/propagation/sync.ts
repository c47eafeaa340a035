// Keeps derived posture current, touching only what changed (docs/adr/0006-propagation.md):
//   1. containers whose identity fields changed are re-resolved (all non-exact ones too when the
//      identity graph grew);
//   2. images whose current scan changed, or that a re-match touched, get their roll-ups
//      recomputed (all of them when KEV, EPSS or VEX changed);
//   3. scopes touched by 1 or 2 get their roll-up (scope_posture) recomputed, and a posture
//      snapshot if their figures moved.
// `recomputePosture` does the same from scratch and must give the same answer.
import type { Kysely } from 'kysely';
import type { Database } from '../store/index.js';
import {
  enrichmentWatermark,
  getSetting,
  listStaleImagePosture,
  putSetting,
  refreshImagePosture,
} from '../store/index.js';
import { type ResolutionChange, resolveContainers } from './resolve.js';
import { authoritativeSource, type PostureConfig } from './settings.js';
import { updateScopePosture } from './snapshots.js';

export interface SyncResult {
  containersResolved: number;
  resolutionChanges: ResolutionChange[];
  imagesRefreshed: number;
  /** Scope roll-ups recomputed. */
  scopes: number;
  snapshots: number;
  full: boolean;
}

interface SyncState {
  identity: string;
  enrichment: string;
  authoritative: string;
  at: string;
}

// Versioned with the derived tables: a store migrated to scope_posture (migration 7) starts with a
// full pass.
const STATE_KEY = 'propagation.state.7';

export interface SyncOptions extends PostureConfig {
  now?: Date | undefined;
  signal?: AbortSignal | undefined;
  /** Skip scope roll-ups and snapshots (benchmarks measure them separately). */
  scopes?: boolean | undefined;
}

export async function syncPosture(db: Kysely<Database>, opts: SyncOptions = {}): Promise<SyncResult> {
  const now = opts.now ?? new Date();
  const state = await getSetting<SyncState>(db, STATE_KEY);
  const auth = await authoritativeSource(db, opts);
  const enrichment = await enrichmentWatermark(db);

  const resolved = await resolveContainers(db, {}, { now, signal: opts.signal });
  let changes = resolved.changed;
  let examined = resolved.examined;
  if (state && state.identity !== resolved.watermark) {
    const again = await resolveContainers(db, { includeNonExact: true }, { now, signal: opts.signal });
    changes = [...changes, ...again.changed];
    examined += again.examined;
  }
  const full = !state || state.enrichment !== enrichment || state.authoritative !== auth;
  const stale = full ? undefined : await listStaleImagePosture(db);
  const refreshed = await refreshImagePosture(db, { digests: stale, authoritativeSource: auth, now });
  const scoped =
    opts.scopes === false
      ? NO_SCOPES
      : await updateScopePosture(db, {
          all: full,
          since: state ? new Date(state.at) : undefined,
          digests: touchedDigests(stale, changes),
          now,
        });
  await putSetting(db, STATE_KEY, {
    identity: resolved.watermark,
    enrichment,
    authoritative: auth,
    at: now.toISOString(),
  });
  return {
    containersResolved: examined,
    resolutionChanges: changes,
    imagesRefreshed: refreshed.images,
    scopes: scoped.scopes,
    snapshots: scoped.snapshots,
    full,
  };
}

/** Everything derived, from scratch: every container resolved, every image roll-up recomputed. */
export async function recomputePosture(db: Kysely<Database>, opts: SyncOptions = {}): Promise<SyncResult> {
  const now = opts.now ?? new Date();
  const auth = await authoritativeSource(db, opts);
  const resolved = await resolveContainers(db, { all: true }, { now, signal: opts.signal });
  const refreshed = await refreshImagePosture(db, { authoritativeSource: auth, now });
  const scoped = opts.scopes === false ? NO_SCOPES : await updateScopePosture(db, { all: true, now });
  await putSetting(db, STATE_KEY, {
    identity: resolved.watermark,
    enrichment: await enrichmentWatermark(db),
    authoritative: auth,
    at: now.toISOString(),
  });
  return {
    containersResolved: resolved.examined,
    resolutionChanges: resolved.changed,
    imagesRefreshed: refreshed.images,
    scopes: scoped.scopes,
    snapshots: scoped.snapshots,
    full: true,
  };
}

const NO_SCOPES = { scopes: 0, snapshots: 0 } as const;

/** Digests whose scopes moved: refreshed roll-ups, and both sides of every re-resolution. */
function touchedDigests(refreshed: string[] | undefined, changes: ResolutionChange[]): string[] {
  const out = new Set(refreshed ?? []);
  for (const c of changes) {
    if (c.before) out.add(c.before);
    if (c.after) out.add(c.after);
  }
  return [...out];
}

/**
 * The incremental entry points for other stages: after an inventory delta (container ids) or an
 * advisory re-match / new scan (digests), update exactly those rows and snapshot what moved.
 */
export async function applyPostureDelta(
  db: Kysely<Database>,
  delta: { containerIds?: string[] | undefined; digests?: string[] | undefined },
  opts: SyncOptions = {},
): Promise<SyncResult> {
  const now = opts.now ?? new Date();
  const state = await getSetting<SyncState>(db, STATE_KEY);
  const auth = await authoritativeSource(db, opts);
  const resolved = delta.containerIds?.length
    ? await resolveContainers(db, { ids: delta.containerIds }, { now, signal: opts.signal })
    : { examined: 0, changed: [], watermark: '' };
  const refreshed = delta.digests?.length
    ? await refreshImagePosture(db, { digests: delta.digests, authoritativeSource: auth, now })
    : { images: 0, vulnerabilities: 0 };
  const scoped =
    opts.scopes === false
      ? NO_SCOPES
      : await updateScopePosture(db, {
          since: state ? new Date(state.at) : new Date(0),
          digests: touchedDigests(delta.digests, resolved.changed),
          now,
        });
  return {
    containersResolved: resolved.examined,
    resolutionChanges: resolved.changed,
    imagesRefreshed: refreshed.images,
    scopes: scoped.scopes,
    snapshots: scoped.snapshots,
    full: false,
  };
}

/** After the inventory stage applied a mutation: resolve exactly the new and re-identified containers. */
export async function afterInventoryMutation(
  db: Kysely<Database>,
  applied: { added: string[]; identityChanged: string[] },
  opts: SyncOptions = {},
): Promise<SyncResult> {
  return applyPostureDelta(db, { containerIds: [...applied.added, ...applied.identityChanged] }, opts);
}
