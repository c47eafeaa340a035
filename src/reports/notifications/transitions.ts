// Evaluation as a set difference (docs/notifications.md "Events"): a rule's open facts from the last
// evaluation against what holds now. Pure: no store, no clock.
//  - vulnerabilities: the set is every vulnerability reaching a running container in the rule's
//    scope that is KEV-listed or at least the rule's severity. Entering it is new-kev (KEV) or
//    new-critical; leaving it because no running container in scope carries it any more is
//    resolved; staying while the severity crossed the threshold (either way) or KEV was added is
//    rescored — and a re-rating below the threshold of a non-KEV vulnerability is a rescored that
//    closes it. A vulnerability newly KEV-listed that the rule already held (by severity) is
//    new-kev for a rule that sends new-kev, else rescored. More pods, fewer pods, a rescan: no event.
//  - stale sources and failing checks: opened (stale / validation-failed) and closed (recovered).
// One transition gives one event, whatever the number of containers.

import { severityOfRank } from '../../core/severity.js';
import type { NotificationFact, RuleSetRow } from '../../store/index.js';
import type { NotificationEvent } from '../config.js';
import type { Rule } from './rules.js';

export interface VulnDetail {
  rank: number;
  epss: number | null;
  containers: number;
  workloadCount: number;
  workloads: RuleSetRow['workloads'];
  fixedVersions: string[];
}

export interface Transition {
  event: NotificationEvent;
  kind: NotificationFact['kind'];
  key: string;
  /** stale / validation-failed: the fact opened or closed (recovered). */
  status?: 'open' | 'recovered' | undefined;
  /** The current facts (resolved / recovered: the last ones known). */
  fact: NotificationFact;
  previous?: NotificationFact | undefined;
}

export interface Diff {
  transitions: Transition[];
  open: NotificationFact[];
  close: { kind: NotificationFact['kind']; key: string }[];
}

function vulnFact(v: RuleSetRow, openedAt: Date): NotificationFact {
  const detail: VulnDetail = {
    rank: v.rank,
    epss: v.epss,
    containers: v.containers,
    workloadCount: v.workloadCount,
    workloads: v.workloads,
    fixedVersions: v.fixedVersions,
  };
  return {
    kind: 'vulnerability',
    key: v.vulnerabilityId,
    severity: severityOfRank(v.rank),
    kev: v.kev,
    detail: detail as unknown as Record<string, unknown>,
    openedAt,
  };
}

const rankOf = (f: NotificationFact) => Number((f.detail as Partial<VulnDetail> | null)?.rank ?? 0);

function changed(a: NotificationFact, b: NotificationFact): boolean {
  return (
    a.severity !== b.severity || a.kev !== b.kev || JSON.stringify(a.detail) !== JSON.stringify(b.detail)
  );
}

/** The vulnerability transitions of one rule. `current` may hold ids the rule keeps open that no longer qualify. */
export function diffVulnerabilities(
  rule: Rule,
  previous: readonly NotificationFact[],
  current: readonly RuleSetRow[],
  now: Date,
): Diff {
  const out: Diff = { transitions: [], open: [], close: [] };
  const prev = new Map(previous.filter((f) => f.kind === 'vulnerability').map((f) => [f.key, f]));
  const seen = new Set<string>();
  for (const v of current) {
    seen.add(v.vulnerabilityId);
    const qualifies = v.kev || v.rank >= rule.minRank;
    const p = prev.get(v.vulnerabilityId);
    if (!p) {
      if (!qualifies) continue;
      const fact = vulnFact(v, now);
      out.open.push(fact);
      const event: NotificationEvent | undefined =
        v.kev && rule.on.has('new-kev')
          ? 'new-kev'
          : v.rank >= rule.minRank && rule.on.has('new-critical')
            ? 'new-critical'
            : undefined;
      if (event) out.transitions.push({ event, kind: 'vulnerability', key: fact.key, fact });
      continue;
    }
    const fact = vulnFact(v, p.openedAt);
    if (!qualifies) {
      out.close.push({ kind: 'vulnerability', key: p.key });
      if (rule.on.has('rescored'))
        out.transitions.push({ event: 'rescored', kind: 'vulnerability', key: p.key, fact, previous: p });
      continue;
    }
    const crossed = rankOf(p) >= rule.minRank !== v.rank >= rule.minRank;
    const kevAdded = v.kev && !p.kev;
    if (changed(p, fact)) out.open.push(fact);
    const event: NotificationEvent | undefined =
      kevAdded && rule.on.has('new-kev')
        ? 'new-kev'
        : (crossed || kevAdded) && rule.on.has('rescored')
          ? 'rescored'
          : undefined;
    if (event) out.transitions.push({ event, kind: 'vulnerability', key: p.key, fact, previous: p });
  }
  for (const p of prev.values()) {
    if (seen.has(p.key)) continue;
    out.close.push({ kind: 'vulnerability', key: p.key });
    if (rule.on.has('resolved'))
      out.transitions.push({ event: 'resolved', kind: 'vulnerability', key: p.key, fact: p, previous: p });
  }
  return out;
}

/**
 * Open/close facts of one kind (stale sources, failing checks): `current` holds what is open now
 * (key → detail). Opening sends `event` with status open, closing sends it with status recovered.
 */
export function diffFacts(
  kind: 'stale' | 'check',
  event: 'stale' | 'validation-failed',
  rule: Rule,
  previous: readonly NotificationFact[],
  current: ReadonlyMap<string, Record<string, unknown>>,
  now: Date,
): Diff {
  const out: Diff = { transitions: [], open: [], close: [] };
  const prev = new Map(previous.filter((f) => f.kind === kind).map((f) => [f.key, f]));
  const send = rule.on.has(event);
  for (const [key, detail] of current) {
    const p = prev.get(key);
    const fact: NotificationFact = {
      kind,
      key,
      severity: null,
      kev: false,
      detail,
      openedAt: p?.openedAt ?? now,
    };
    if (!p || changed(p, fact)) out.open.push(fact);
    if (!p && send) out.transitions.push({ event, kind, key, status: 'open', fact });
  }
  for (const p of prev.values()) {
    if (current.has(p.key)) continue;
    out.close.push({ kind, key: p.key });
    if (send) out.transitions.push({ event, kind, key: p.key, status: 'recovered', fact: p, previous: p });
  }
  return out;
}
