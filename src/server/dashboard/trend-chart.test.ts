// The trend chart's pure parts: the JSON data block cannot be broken out of (a name holding
// `</script>`, `<!--`, `&` or U+2028 stays data and parses back unchanged), the snapshots become
// chart series oldest first, and the history targets follow the caller's scope.
import { describe, expect, it } from 'vitest';
import type { PostureHistory } from '../../views/index.js';
import { jsonScript, overviewTargets, parseTrendRange, postureTarget, trendData } from './trend-chart.js';

const EVIL = '</script><script>alert(1)</script><!-- & \u2028 </SCRIPT >';

function blockText(html: string): string {
  const m = /^<script type="application\/json" class="trend-data" id="[^"]*">([\s\S]*)<\/script>$/.exec(html);
  if (!m) throw new Error(`not one script block: ${html}`);
  return m[1]!;
}

describe('jsonScript', () => {
  it('keeps </script>, <!--, & and U+2028 in a name as data', () => {
    const value = { label: EVIL, nested: [{ key: EVIL }] };
    const out = jsonScript('trend-0', value).text;
    // Exactly one closing tag (its own), no comment opener, no raw < > & inside.
    expect(out.match(/<\/script/gi)).toHaveLength(1);
    const inner = blockText(out);
    expect(inner).not.toMatch(/[<>&\u2028\u2029]/);
    expect(inner).toContain('\\u003c/script\\u003e');
    expect(JSON.parse(inner)).toEqual(value);
  });

  it('escapes the id as an attribute', () => {
    expect(jsonScript('a"b', 1).text).toContain('id="a&quot;b"');
  });
});

describe('trendData', () => {
  it('turns snapshots (newest first) into series, oldest first', () => {
    const f = (critical: number, high: number, kev: number) => ({
      critical,
      high,
      medium: 0,
      low: 1,
      unknown: 0,
      kev,
      fixable: 0,
      total: critical + high + 1,
    });
    const history: PostureHistory = {
      kind: 'cluster',
      keys: ['c1'],
      since: null,
      until: null,
      snapshots: [
        {
          scopeKey: 'c1',
          takenAt: '2026-11-02T00:00:00.000Z',
          containers: 3,
          distinct: f(1, 2, 1),
          instances: f(2, 4, 2),
          digests: [],
        },
        {
          scopeKey: 'c1',
          takenAt: '2026-11-01T00:00:00.000Z',
          containers: 2,
          distinct: f(0, 1, 0),
          instances: f(0, 2, 0),
          digests: [],
        },
      ],
    };
    const d = trendData({ kind: 'cluster', key: 'c1', label: 'cluster c1' }, history);
    expect([d.from, d.to]).toEqual([null, null]);
    expect(d.times).toEqual([Date.UTC(2026, 10, 1) / 1000, Date.UTC(2026, 10, 2) / 1000]);
    expect(d.containers).toEqual([2, 3]);
    expect(d.series).toEqual({ critical: [0, 1], high: [1, 2], medium: [0, 0], low: [1, 1], kev: [0, 1] });
  });
});

describe('targets', () => {
  it('the overview: fleet without a scope, else the keys of the one kind the scope names', async () => {
    const none = async () => [];
    expect(await overviewTargets({}, none)).toEqual([{ kind: 'fleet', key: 'fleet', label: 'the fleet' }]);
    expect((await overviewTargets({ clusters: ['c1', 'c2'] }, none)) as unknown[]).toHaveLength(2);
    expect(
      await overviewTargets({ clusters: ['c1'], namespaces: ['ns-a'] }, async () => ['c1/ns-a']),
    ).toEqual([{ kind: 'namespace', key: 'c1/ns-a', label: 'namespace c1/ns-a' }]);
    expect(await overviewTargets({ owners: ['team'] }, none)).toEqual([
      { kind: 'owner', key: 'team', label: 'owner team' },
    ]);
    expect(typeof (await overviewTargets({ clusters: ['c1'], owners: ['team'] }, none))).toBe('string');
  });

  it('a posture page: the workload, namespace or cluster it is narrowed to', () => {
    expect(
      postureTarget({ cluster: 'c1', namespace: 'ns-a', workload: 'c1/ns-a/Deployment/api' }, {})[0],
    ).toMatchObject({ kind: 'workload' });
    expect(postureTarget({ cluster: 'c1', namespace: 'ns-a' }, {})[0]).toMatchObject({
      kind: 'namespace',
      key: 'c1/ns-a',
    });
    expect(postureTarget({ cluster: 'c1' }, { clusters: ['c1'] })[0]).toMatchObject({
      kind: 'cluster',
      key: 'c1',
    });
    expect(postureTarget({}, {})[0]).toMatchObject({ kind: 'fleet' });
    expect(postureTarget({}, { clusters: ['c1'] })).toEqual([]);
  });

  it('the range: 7d, 30d (default) or 90d', () => {
    expect(parseTrendRange(new URLSearchParams(''))).toBe('30d');
    expect(parseTrendRange(new URLSearchParams('trend=7d'))).toBe('7d');
    expect(() => parseTrendRange(new URLSearchParams('trend=1y'))).toThrow(/trend must be one of/);
  });
});
