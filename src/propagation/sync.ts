// Keeps derived posture current, touching only what changed (docs/adr/0006-propagation.md):
//   1. containers whose identity fields changed are re-resolved (all non-exact ones too when the
//      identity graph grew);
//   2. images whose current scan changed, or that a re-match touched, get their roll-ups
//      recomputed (all of them when KEV, EPSS or VEX changed);
//   3. scopes touched by 1 or 2 get their roll-up (scope_posture) recomputed, and a posture
//      snapshot if their figures moved.
// `recomputePosture` does the same from scratch and must give the same answer.
//
// Posture is maintained by writes, never by reads: every write of its inputs (inventory mutation,
// scan or import saved, advisories or VEX updated, identity recorded, settings changed) ends with
// `maintainPosture`, and views only read what it stored (and say when, through `postureState`).
import type { ProgressSink } from '../core/progress.js';
import type { Store } from '../store/index.js';
import {
  enrichmentWatermark,
  getSetting,
  listStaleImagePosture,
  postureWriteStamp,
  putSetting,
} from '../store/index.js';
import { refreshImages } from './image-posture.js';
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
  /** postureWriteStamp when the pass started (absent in states written before it). */
  stamp?: string | undefined;
}

// Versioned with the derived tables: a store migrated to scope_posture (migration 7), to finding
// counts (migration 10) or to posture_groups (migration 12) starts with a full pass.
const STATE_KEY = 'propagation.state.12';

export interface SyncOptions extends PostureConfig {
  now?: Date | undefined;
  signal?: AbortSignal | undefined;
  /** Skip scope roll-ups and snapshots (benchmarks measure them separately). */
  scopes?: boolean | undefined;
  /** How far container resolution got (the long part at fleet size); the face shows it. */
  progress?: ProgressSink | undefined;
}

export async function syncPosture(store: Store, opts: SyncOptions = {}): Promise<SyncResult> {
  const now = opts.now ?? new Date();
  const state = await getSetting<SyncState>(store, STATE_KEY);
  const auth = await authoritativeSource(store, opts);
  const stamp = await postureWriteStamp(store);
  const enrichment = await enrichmentWatermark(store);

  const resolved = await resolveContainers(store, {}, { now, signal: opts.signal, progress: opts.progress });
  let changes = resolved.changed;
  let examined = resolved.examined;
  if (state && state.identity !== resolved.watermark) {
    const again = await resolveContainers(
      store,
      { includeNonExact: true },
      { now, signal: opts.signal, progress: opts.progress },
    );
    changes = [...changes, ...again.changed];
    examined += again.examined;
  }
  const full = !state || state.enrichment !== enrichment || state.authoritative !== auth;
  const stale = full ? undefined : await listStaleImagePosture(store);
  const refreshed = await refreshImages(store, stale, auth, now);
  const scoped =
    opts.scopes === false
      ? NO_SCOPES
      : await updateScopePosture(store, {
          all: full,
          since: state ? new Date(state.at) : undefined,
          digests: touchedDigests(stale, changes),
          refreshed: full ? undefined : stale,
          ids: changes.map((c) => c.id),
          now,
        });
  await putSetting(store, STATE_KEY, {
    identity: resolved.watermark,
    enrichment,
    authoritative: auth,
    at: now.toISOString(),
    stamp,
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
export async function recomputePosture(store: Store, opts: SyncOptions = {}): Promise<SyncResult> {
  const now = opts.now ?? new Date();
  const auth = await authoritativeSource(store, opts);
  const stamp = await postureWriteStamp(store);
  const resolved = await resolveContainers(
    store,
    { all: true },
    { now, signal: opts.signal, progress: opts.progress },
  );
  const refreshed = await refreshImages(store, undefined, auth, now);
  const scoped = opts.scopes === false ? NO_SCOPES : await updateScopePosture(store, { all: true, now });
  await putSetting(store, STATE_KEY, {
    identity: resolved.watermark,
    enrichment: await enrichmentWatermark(store),
    authoritative: auth,
    at: now.toISOString(),
    stamp,
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

/** What a write changed, as the write returned it. */
export interface WrittenInputs {
  /** Containers an inventory mutation added or re-identified (removals are found by time). */
  containerIds?: string[] | undefined;
}

/**
 * Brings posture up to date after a write. An inventory mutation is applied through the ids it
 * returned (no scan of the containers table) when the authoritative source and the write stamp
 * (postureWriteStamp: the newest tag, scan, VEX statement and advisory update) are as the last
 * sync left them; anything else — a scan or import saved, advisories, KEV, EPSS or VEX updated,
 * tags recorded, a settings change, or a store that was never synced — runs the watermark-driven
 * sync, which finds what moved by itself. The inventory path reads no table whole: the exact
 * identity and enrichment watermarks (counts over images, scans, KEV, EPSS, VEX) are the sync's,
 * which every writer of those inputs runs (docs/adr/0022).
 */
export async function maintainPosture(
  store: Store,
  written: WrittenInputs = {},
  opts: SyncOptions = {},
): Promise<SyncResult> {
  const state = await getSetting<SyncState>(store, STATE_KEY);
  if (state && written.containerIds) {
    const now = opts.now ?? new Date();
    const [stamp, auth] = await Promise.all([postureWriteStamp(store), authoritativeSource(store, opts)]);
    if (state.stamp !== undefined && state.stamp === stamp && state.authoritative === auth) {
      const result = await applyDelta(
        store,
        { containerIds: written.containerIds },
        { ...opts, now },
        { state, auth },
      );
      if (opts.scopes !== false) await putSetting(store, STATE_KEY, { ...state, at: now.toISOString() });
      return result;
    }
  }
  return syncPosture(store, opts);
}

/** When posture was last brought up to date, and with which authoritative findings source. */
export interface PostureState {
  computedAt: string | null;
  authoritativeSource: string | null;
}

/** The maintained posture's own freshness: a read, for every view. */
export async function postureState(store: Store): Promise<PostureState> {
  const state = await getSetting<SyncState>(store, STATE_KEY);
  return { computedAt: state?.at ?? null, authoritativeSource: state?.authoritative ?? null };
}

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
  store: Store,
  delta: PostureDelta,
  opts: SyncOptions = {},
): Promise<SyncResult> {
  const [state, auth] = await Promise.all([
    getSetting<SyncState>(store, STATE_KEY),
    authoritativeSource(store, opts),
  ]);
  return applyDelta(store, delta, opts, { state, auth });
}

type PostureDelta = { containerIds?: string[] | undefined; digests?: string[] | undefined };

/** applyPostureDelta with what the caller already read (the last pass's state, the source). */
async function applyDelta(
  store: Store,
  delta: PostureDelta,
  opts: SyncOptions,
  known: { state: SyncState | undefined; auth: string },
): Promise<SyncResult> {
  const now = opts.now ?? new Date();
  const { state, auth } = known;
  const resolved = delta.containerIds?.length
    ? await resolveContainers(
        store,
        { ids: delta.containerIds },
        // The identity watermark is the sync's: not read here.
        { now, signal: opts.signal, progress: opts.progress, watermark: '' },
      )
    : { examined: 0, changed: [], watermark: '' };
  const refreshed = delta.digests?.length
    ? await refreshImages(store, delta.digests, auth, now)
    : { images: 0, vulnerabilities: 0 };
  const scoped =
    opts.scopes === false
      ? NO_SCOPES
      : await updateScopePosture(store, {
          since: state ? new Date(state.at) : new Date(0),
          digests: touchedDigests(delta.digests, resolved.changed),
          refreshed: delta.digests,
          ids: resolved.changed.map((c) => c.id),
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
