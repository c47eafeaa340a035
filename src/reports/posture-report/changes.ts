// "Since the previous report": what a scheduled run records about itself (totals and the
// vulnerability ids in scope) and the differences between that record and the report of now.
import { type Figures, zeroFigures } from '../../propagation/index.js';
import type { PostureReport } from '../../views/index.js';
import { CHANGE_ID_LIMIT, type FigureDelta, type ScopeReportChanges } from './document.js';

/** What a run stores as its summary (report_runs.summary). */
export interface RunSummary {
  generatedAt: string;
  totals: PostureReport['totals'];
}

function delta(before: number, after: number): FigureDelta {
  return { before, after, delta: after - before };
}

function figureDeltas(
  before: Partial<Figures> | undefined,
  after: Figures,
): Record<keyof Figures, FigureDelta> {
  const out = {} as Record<keyof Figures, FigureDelta>;
  for (const k of Object.keys(zeroFigures()) as (keyof Figures)[]) out[k] = delta(before?.[k] ?? 0, after[k]);
  return out;
}

/** The changes from a previous run (its name, summary and ids) to the current totals and ids (both sorted or not). */
export function changesSince(
  previous: { name: string; summary: RunSummary; vulnerabilityIds: readonly string[] },
  totals: PostureReport['totals'],
  ids: readonly string[],
): ScopeReportChanges {
  const before = new Set(previous.vulnerabilityIds);
  const now = new Set(ids);
  const added = [...now].filter((id) => !before.has(id)).sort();
  const resolved = [...before].filter((id) => !now.has(id)).sort();
  const prev = previous.summary.totals;
  return {
    previous: { name: previous.name, generatedAt: previous.summary.generatedAt },
    containers: delta(prev?.containers ?? 0, totals.containers),
    distinctVulnerabilities: figureDeltas(prev?.distinctVulnerabilities, totals.distinctVulnerabilities),
    instances: figureDeltas(prev?.instances, totals.instances),
    newVulnerabilities: { count: added.length, ids: added.slice(0, CHANGE_ID_LIMIT) },
    resolvedVulnerabilities: { count: resolved.length, ids: resolved.slice(0, CHANGE_ID_LIMIT) },
  };
}
