import { describe, expect, it } from 'vitest';
import { evaluateAffected } from './evaluate.js';

const range = (...events: Record<string, string>[]) => [{ type: 'ECOSYSTEM' as const, events }];

describe('OSV range evaluation', () => {
  it('introduced/fixed: affected inside, not at or after the fix, with the fix reported', () => {
    const r = range({ introduced: '0' }, { fixed: '1.1.0l-1~deb9u6' });
    expect(evaluateAffected('Debian:9', '1.1.0l-1~deb9u5', r, [])).toEqual({
      kind: 'affected',
      fixed: '1.1.0l-1~deb9u6',
    });
    expect(evaluateAffected('Debian:9', '1.1.0l-1~deb9u6', r, [])).toEqual({ kind: 'not_affected' });
    expect(evaluateAffected('Debian:9', '1.1.1', r, [])).toEqual({ kind: 'not_affected' });
  });

  it('several intervals in one range, unsorted events', () => {
    const r = range({ fixed: '2.2.5' }, { introduced: '2.3.0' }, { introduced: '0' }, { fixed: '2.3.2' });
    expect(evaluateAffected('PyPI', '2.0.0', r, [])).toEqual({ kind: 'affected', fixed: '2.2.5' });
    expect(evaluateAffected('PyPI', '2.2.5', r, [])).toEqual({ kind: 'not_affected' });
    expect(evaluateAffected('PyPI', '2.3.1', r, [])).toEqual({ kind: 'affected', fixed: '2.3.2' });
    expect(evaluateAffected('PyPI', '2.3.2', r, [])).toEqual({ kind: 'not_affected' });
  });

  it('last_affected includes the version itself; limit excludes it', () => {
    expect(
      evaluateAffected('npm', '1.2.0', range({ introduced: '1.0.0' }, { last_affected: '1.2.0' }), []),
    ).toEqual({
      kind: 'affected',
      fixed: undefined,
    });
    expect(
      evaluateAffected('npm', '1.2.1', range({ introduced: '1.0.0' }, { last_affected: '1.2.0' }), []),
    ).toEqual({
      kind: 'not_affected',
    });
    expect(evaluateAffected('Go', '1.5.0', range({ introduced: '0' }, { limit: '1.5.0' }), [])).toEqual({
      kind: 'not_affected',
    });
  });

  it('SEMVER ranges compare as SemVer whatever the ecosystem', () => {
    const r = [{ type: 'SEMVER' as const, events: [{ introduced: '0' }, { fixed: '1.10.0' }] }];
    expect(evaluateAffected('Go', '1.9.3', r, [])).toEqual({ kind: 'affected', fixed: '1.10.0' });
  });

  it('an exact hit in versions is affected even without ranges', () => {
    expect(evaluateAffected('Debian:9', '1.1.0f-3', [], ['1.1.0f-3'])).toEqual({ kind: 'affected' });
    expect(evaluateAffected('Debian:9', '1.1.0f-4', [], ['1.1.0f-3'])).toEqual({ kind: 'not_affected' });
  });

  it('an installed version that cannot be compared is unknown with the reason, never dropped', () => {
    const v = evaluateAffected(
      'Alpine:v3.18',
      '1.0bc',
      range({ introduced: '0' }, { fixed: '1.2.4-r3' }),
      [],
    );
    expect(v.kind).toBe('unknown');
    expect(v.kind === 'unknown' && v.reason).toMatch(/"1\.0bc" is not a valid apk version/);
  });

  it('an advisory version that cannot be compared is unknown too', () => {
    const v = evaluateAffected('npm', '1.0.0', range({ introduced: '0' }, { fixed: 'not-a-version' }), []);
    expect(v.kind === 'unknown' && v.reason).toMatch(/fixed version "not-a-version"/);
  });

  it('an ecosystem without a comparator is unknown unless versions lists the version', () => {
    expect(evaluateAffected('GIT', 'abc', range({ introduced: '0' }), []).kind).toBe('unknown');
    expect(evaluateAffected('SwiftURL', '1.0', [], ['1.0'])).toEqual({ kind: 'affected' });
  });
});
