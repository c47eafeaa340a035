// The set difference and the bodies, on hand-written facts: what each transition sends, what a
// rule without an event in `on` keeps quiet about, stale sources opening and recovering, and
// Slack text that no untrusted name can turn into a link or a mention.
import { describe, expect, it } from 'vitest';
import type { NotificationFact, RuleSetRow } from '../../store/index.js';
import { notificationBody, slackBody, slackEscape } from './bodies.js';
import { ruleOf } from './rules.js';
import { diffFacts, diffVulnerabilities } from './transitions.js';

const now = new Date('2026-01-02T03:04:05Z');
const row = (id: string, rank: number, kev = false, containers = 3): RuleSetRow => ({
  vulnerabilityId: id,
  rank,
  kev,
  epss: 0.5,
  containers,
  workloadCount: 1,
  workloads: [{ cluster: 'prod', namespace: 'shop', kind: 'Deployment', name: 'web', containers }],
  fixedVersions: [],
});
const held = (id: string, rank: number, kev = false, containers = 3): NotificationFact => ({
  kind: 'vulnerability',
  key: id,
  severity: ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'][rank]!,
  kev,
  detail: {
    rank,
    epss: 0.5,
    containers,
    workloadCount: 1,
    workloads: row(id, rank, kev, containers).workloads,
    fixedVersions: [],
  },
  openedAt: new Date('2026-01-01T00:00:00Z'),
});
const all = ruleOf({ name: 'r', on: ['new-kev', 'new-critical', 'resolved', 'rescored'], severity: 'high' });

describe('diffVulnerabilities', () => {
  it('sends new-kev before new-critical, and nothing for one below the threshold', () => {
    const d = diffVulnerabilities(all, [], [row('A', 4, true), row('B', 3), row('C', 2)], now);
    expect(d.transitions.map((t) => `${t.event} ${t.key}`)).toEqual(['new-kev A', 'new-critical B']);
    expect(d.open.map((f) => f.key)).toEqual(['A', 'B']);
  });

  it('says nothing when only the number of containers changed, but keeps the new count', () => {
    const d = diffVulnerabilities(all, [held('A', 4)], [row('A', 4, false, 40)], now);
    expect(d.transitions).toEqual([]);
    expect(d.open).toHaveLength(1);
    expect(d.open[0]!.openedAt).toEqual(new Date('2026-01-01T00:00:00Z'));
  });

  it('rescored when the severity crosses the threshold either way; resolved when no container carries it', () => {
    // Re-rated below high, not KEV: rescored, and no longer held.
    const down = diffVulnerabilities(all, [held('A', 4)], [row('A', 2)], now);
    expect(down.transitions.map((t) => t.event)).toEqual(['rescored']);
    expect(down.close).toEqual([{ kind: 'vulnerability', key: 'A' }]);
    // KEV-listed, re-rated below the threshold: still held (KEV), rescored.
    const kevDown = diffVulnerabilities(all, [held('A', 4, true)], [row('A', 2, true)], now);
    expect(kevDown.transitions.map((t) => t.event)).toEqual(['rescored']);
    expect(kevDown.close).toEqual([]);
    // Above the threshold both times (high → critical): no event.
    expect(diffVulnerabilities(all, [held('A', 3)], [row('A', 4)], now).transitions).toEqual([]);
    const gone = diffVulnerabilities(all, [held('A', 4)], [], now);
    expect(gone.transitions.map((t) => `${t.event} ${t.key}`)).toEqual(['resolved A']);
  });

  it('only sends the events in `on`', () => {
    const quiet = ruleOf({ name: 'q', on: ['resolved'] });
    const d = diffVulnerabilities(quiet, [], [row('A', 4, true)], now);
    expect(d.transitions).toEqual([]);
    expect(d.open).toHaveLength(1);
    expect(diffVulnerabilities(quiet, d.open, [], now).transitions.map((t) => t.event)).toEqual(['resolved']);
  });
});

describe('diffFacts (stale sources)', () => {
  const rule = ruleOf({ name: 's', on: ['stale'] });
  it('opens once, stays quiet while stale, recovers once', () => {
    const stale = new Map([['inventory:k8s', { kind: 'inventory', name: 'k8s', at: null, sla: '1h' }]]);
    const opened = diffFacts('stale', 'stale', rule, [], stale, now);
    expect(opened.transitions.map((t) => [t.event, t.key, t.status])).toEqual([
      ['stale', 'inventory:k8s', 'open'],
    ]);
    expect(diffFacts('stale', 'stale', rule, opened.open, stale, now).transitions).toEqual([]);
    const back = diffFacts('stale', 'stale', rule, opened.open, new Map(), now);
    expect(back.transitions.map((t) => [t.event, t.status])).toEqual([['stale', 'recovered']]);
    expect(back.close).toEqual([{ kind: 'stale', key: 'inventory:k8s' }]);
  });
});

describe('bodies', () => {
  it('escape &, < and > in Slack text so that names cannot become links or mentions', () => {
    expect(slackEscape('a & <@U123> <!channel> <https://evil|x>')).toBe(
      'a &amp; &lt;@U123&gt; &lt;!channel&gt; &lt;https://evil|x&gt;',
    );
    const rule = ruleOf({ name: 'r', on: ['new-critical'], scope: { namespace: 'shop' } });
    const fact = held('CVE-1', 4);
    (fact.detail as { workloads: { name: string }[] }).workloads[0]!.name =
      '<!here> <https://x.example|click>';
    const body = notificationBody(
      rule,
      { event: 'new-critical', kind: 'vulnerability', key: 'CVE-1', fact },
      now,
    );
    expect(body).toMatchObject({
      event: 'new-critical',
      rule: 'r',
      scope: { namespace: ['shop'] },
      vulnerability: { id: 'CVE-1', severity: 'CRITICAL', kev: false },
      containers: 3,
      at: '2026-01-02T03:04:05.000Z',
    });
    const slack = JSON.stringify(slackBody(body));
    expect(slack).not.toContain('<!here>');
    expect(slack).not.toContain('<https://');
    expect(slack).toContain('&lt;!here&gt;');
    expect(slackBody(body).text).toBe(
      'New critical: CVE-1 (CRITICAL) in 3 running container(s), 1 workload(s) in namespace=shop (rule r)',
    );
  });
});
