// Posture history: the snapshots of one or more scopes over a time range, newest first — what a
// trend chart or a "did the redeploy improve posture" answer reads. Under an access scope only the
// snapshots of scopes wholly inside it are visible (a fleet snapshot covers the whole fleet, so a
// scoped caller reads the history of its clusters or namespaces instead).
import { InputError } from '../core/errors.js';
import { SCOPE_KINDS, type ScopeKind } from '../core/types.js';
import { type Store, snapshotHistory } from '../store/index.js';
import type { ScopedRead } from './scoped-read.js';

export interface HistoryQuery extends ScopedRead {
  kind: ScopeKind;
  /** Scope keys as posture prints them (`prod/shop` for a namespace); `fleet` needs none. */
  keys?: string[] | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  /** At most this many snapshots (default 500, at most 5000). */
  limit?: number | undefined;
}

export interface PostureHistory {
  kind: ScopeKind;
  keys: string[];
  since: string | null;
  until: string | null;
  snapshots: {
    scopeKey: string;
    takenAt: string;
    containers: number;
    distinct: Record<string, number>;
    instances: Record<string, number>;
    digests: string[];
  }[];
}

export async function postureHistory(store: Store, q: HistoryQuery): Promise<PostureHistory> {
  if (!SCOPE_KINDS.includes(q.kind))
    throw new InputError(`history kind "${q.kind}" is not one of ${SCOPE_KINDS.join(', ')}`);
  const keys = q.kind === 'fleet' ? ['fleet'] : [...new Set(q.keys ?? [])];
  if (!keys.length)
    throw new InputError(`history of ${q.kind} needs at least one key (e.g. key=prod/shop for a namespace)`);
  if (keys.length > 100) throw new InputError(`at most 100 keys per history request, got ${keys.length}`);
  const limit = Math.min(Math.max(q.limit ?? 500, 1), 5000);
  const rows = await snapshotHistory(store, q.kind, keys, limit, q.scope, { since: q.since, until: q.until });
  return {
    kind: q.kind,
    keys,
    since: q.since?.toISOString() ?? null,
    until: q.until?.toISOString() ?? null,
    snapshots: rows.map((h) => ({
      scopeKey: h.scopeKey,
      takenAt: h.takenAt.toISOString(),
      containers: h.containers,
      distinct: h.distinctCounts,
      instances: h.instanceCounts,
      digests: h.digests,
    })),
  };
}
