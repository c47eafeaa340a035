// What a notification says (docs/notifications.md "Bodies"). The generic webhook gets JSON —
// `{event, rule, scope, vulnerability, containers, workloads, workloadsTotal, at, …}` — and Slack
// gets `{text, blocks}` with the same facts. Names from inventory and advisories are untrusted:
// in Slack mrkdwn `&`, `<` and `>` are escaped (so no name can become a link, a mention or a
// channel ping) and the text objects are `verbatim` (Slack does not auto-link them either).
import { severityOfRank } from '../../core/severity.js';
import type { NotificationEvent } from '../config.js';
import { type Rule, scopeBody } from './rules.js';
import type { Transition, VulnDetail } from './transitions.js';

export interface NotificationBody {
  event: NotificationEvent;
  rule: string;
  /** stale / validation-failed: the fact opened (`open`) or cleared (`recovered`). */
  status: 'open' | 'recovered' | null;
  scope: Record<string, string[]>;
  vulnerability: {
    id: string;
    severity: string;
    kev: boolean;
    epss: number | null;
    fixedVersions: string[];
    previous: { severity: string; kev: boolean } | null;
  } | null;
  /** Running containers in scope carrying it now (0 once resolved). */
  containers: number | null;
  /** The first 20 workloads (cluster, namespace, kind, name, containers), and how many in all. */
  workloads: VulnDetail['workloads'];
  workloadsTotal: number;
  /** stale: the source past its SLA. */
  source: Record<string, unknown> | null;
  /** validation-failed: the check and its evidence. */
  check: Record<string, unknown> | null;
  at: string;
}

export function notificationBody(rule: Rule, t: Transition, at: Date): NotificationBody {
  const base = {
    event: t.event,
    rule: rule.name,
    status: t.status ?? null,
    scope: scopeBody(rule),
    at: at.toISOString(),
  };
  if (t.kind === 'vulnerability') {
    const d = t.fact.detail as unknown as VulnDetail;
    const resolved = t.event === 'resolved';
    return {
      ...base,
      vulnerability: {
        id: t.key,
        severity: t.fact.severity ?? severityOfRank(d.rank),
        kev: t.fact.kev,
        epss: d.epss ?? null,
        fixedVersions: d.fixedVersions ?? [],
        previous:
          t.previous && !resolved
            ? { severity: t.previous.severity ?? 'UNKNOWN', kev: t.previous.kev }
            : null,
      },
      containers: resolved ? 0 : d.containers,
      workloads: resolved ? [] : d.workloads,
      workloadsTotal: resolved ? 0 : d.workloadCount,
      source: null,
      check: null,
    };
  }
  return {
    ...base,
    vulnerability: null,
    containers: null,
    workloads: [],
    workloadsTotal: 0,
    source: t.kind === 'stale' ? { key: t.key, ...t.fact.detail } : null,
    check: t.kind === 'check' ? { name: t.key, ...t.fact.detail } : null,
  };
}

/** Slack mrkdwn escaping (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** One line saying what happened, plain text (escaped by the caller for mrkdwn). */
export function summaryLine(b: NotificationBody): string {
  const where = Object.entries(b.scope)
    .map(([k, v]) => `${k}=${v.join(',')}`)
    .join(' ');
  const inScope = where ? ` in ${where}` : '';
  if (b.vulnerability) {
    const v = b.vulnerability;
    const kev = v.kev ? ', KEV' : '';
    switch (b.event) {
      case 'resolved':
        return `Resolved: ${v.id} no longer runs${inScope} (rule ${b.rule})`;
      case 'rescored':
        return `Rescored: ${v.id} ${v.previous?.severity ?? '?'}${v.previous?.kev ? ' KEV' : ''} → ${v.severity}${v.kev ? ' KEV' : ''}${inScope} (rule ${b.rule})`;
      default:
        return `${b.event === 'new-kev' ? 'New KEV' : `New ${v.severity.toLowerCase()}`}: ${v.id} (${v.severity}${kev}) in ${b.containers} running container(s), ${b.workloadsTotal} workload(s)${inScope} (rule ${b.rule})`;
    }
  }
  if (b.source) {
    const name = `${String(b.source.kind ?? '')} ${String(b.source.name ?? b.source.key)}`.trim();
    return b.status === 'recovered'
      ? `Fresh again: ${name} is back within its SLA (rule ${b.rule})`
      : `Stale: ${name} is past its SLA ${String(b.source.sla ?? '')} (rule ${b.rule})`;
  }
  const check = String(b.check?.name ?? '?');
  return b.status === 'recovered'
    ? `Validation passes again: ${check}${inScope} (rule ${b.rule})`
    : `Validation failed: ${check}${inScope} (rule ${b.rule})`;
}

export function slackBody(b: NotificationBody): { text: string; blocks: unknown[] } {
  const text = slackEscape(summaryLine(b));
  const lines: string[] = [];
  if (b.vulnerability) {
    const v = b.vulnerability;
    lines.push(
      `*Severity:* ${slackEscape(v.severity)}${v.kev ? ' · *KEV*' : ''}${v.epss !== null ? ` · EPSS ${v.epss}` : ''}`,
    );
    if (v.fixedVersions.length) lines.push(`*Fixed in:* ${slackEscape(v.fixedVersions.join(', '))}`);
    for (const w of b.workloads.slice(0, 10))
      lines.push(
        `• ${slackEscape([w.cluster ?? '-', w.namespace ?? '-', w.kind ?? '-', w.name ?? '-'].join('/'))} (${w.containers})`,
      );
    if (b.workloadsTotal > 10) lines.push(`… and ${b.workloadsTotal - 10} more workload(s)`);
  } else if (b.check?.evidence) lines.push(slackEscape(String(b.check.evidence)).slice(0, 2900));
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text, verbatim: true } }];
  if (lines.length)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 2900), verbatim: true },
    });
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `runsight · ${b.at}`, verbatim: true }],
  });
  return { text, blocks };
}
