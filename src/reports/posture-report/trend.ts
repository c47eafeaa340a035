// The trend of a scope report: daily points over the last N days from the posture snapshots
// (views/history.ts). A scope's snapshot is taken when its figures move, so each day carries every
// summed scope's latest snapshot at or before the day's end forward, then sums them.
import type { PostureHistory } from '../../views/index.js';
import type { TrendPoint } from './document.js';

const DAY_MS = 86_400_000;

function add(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + Number(v);
}

/** Daily points ending at `now`'s day, `days` of them at most (days before any snapshot are left out). */
export function dailyTrend(history: PostureHistory, now: Date, days: number): TrendPoint[] {
  const byKey = new Map<string, PostureHistory['snapshots']>();
  for (const s of history.snapshots) {
    const list = byKey.get(s.scopeKey) ?? [];
    list.push(s);
    byKey.set(s.scopeKey, list);
  }
  for (const list of byKey.values()) list.sort((a, b) => Date.parse(a.takenAt) - Date.parse(b.takenAt));
  const lastDay = Math.floor(now.getTime() / DAY_MS);
  const points: TrendPoint[] = [];
  for (let day = lastDay - days + 1; day <= lastDay; day++) {
    const end = day === lastDay ? now.getTime() : (day + 1) * DAY_MS - 1;
    const point: TrendPoint = { at: new Date(end).toISOString(), containers: 0, distinct: {}, instances: {} };
    let any = false;
    for (const list of byKey.values()) {
      let latest: (typeof list)[number] | undefined;
      for (const s of list) {
        if (Date.parse(s.takenAt) <= end) latest = s;
        else break;
      }
      if (!latest) continue;
      any = true;
      point.containers += latest.containers;
      add(point.distinct, latest.distinct);
      add(point.instances, latest.instances);
    }
    if (any) points.push(point);
  }
  return points;
}
