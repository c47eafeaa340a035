// What one collection, import or watch batch did for one source — the row the CLI prints and
// propagation reads — and the options every collection takes.

import type { Logger } from '../core/logger.js';
import type { ProgressSink } from '../core/progress.js';
import { describeTextChange, type TextChange } from '../core/untrusted-text.js';
import {
  type AppliedMutation,
  type InventoryRunError,
  type InventorySourceSpec,
  recordFailedInventoryRun,
  type Store,
} from '../store/index.js';
import type { MetadataKeys } from './metadata-keys.js';

export interface SourceResult {
  source: string;
  kind: InventorySourceSpec['kind'];
  status: 'ok' | 'partial' | 'failed';
  runId?: number | undefined;
  seen: number;
  added: string[];
  changed: string[];
  removed: string[];
  errors: InventoryRunError[];
  /** Values kept with their text cleaned (control characters, invalid Unicode, length). */
  warnings?: InventoryRunError[] | undefined;
  /** The counts, when the id lists may be shorter than them (see `idsOmitted`). */
  counts?: { added: number; changed: number; removed: number } | undefined;
  /**
   * Too many ids to return (a large CMDB import): `added`, `changed` and `removed` are empty and
   * `counts` tells; bring posture up to date with the watermark pass (maintainPosture without ids).
   */
  idsOmitted?: boolean | undefined;
}

export interface CommonOptions {
  keys: MetadataKeys;
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
  /** How far long work got (rows written); the face shows it. */
  progress?: ProgressSink | undefined;
}

/** The result of an applied mutation: `partial` when the collection noted errors. */
export function resultOf(
  source: InventorySourceSpec,
  seen: number,
  applied: AppliedMutation & { cleaned?: TextChange[] | undefined },
  errors: InventoryRunError[],
): SourceResult {
  return {
    source: source.name,
    kind: source.kind,
    status: errors.length ? 'partial' : 'ok',
    runId: applied.runId,
    seen,
    added: applied.added,
    changed: applied.changed,
    removed: applied.removed,
    errors,
    warnings: (applied.cleaned ?? []).map((c) => ({ message: describeTextChange(c) })),
  };
}

/** Records a collection that failed as a failed run of its source, and says so. */
export async function failedResult(
  store: Store,
  source: InventorySourceSpec,
  mode: 'full' | 'delta',
  err: unknown,
  startedAt: Date,
): Promise<SourceResult> {
  const errors = [{ message: err instanceof Error ? err.message : String(err) }];
  const runId = await recordFailedInventoryRun(store, source, mode, errors, startedAt);
  return {
    source: source.name,
    kind: source.kind,
    status: 'failed',
    runId,
    seen: 0,
    added: [],
    changed: [],
    removed: [],
    errors,
  };
}
