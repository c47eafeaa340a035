import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AffectedRange } from '../../core/advisory.js';
import { SCHEMES } from '../../versioning/index.js';
import { FILES } from '../../versioning/vectors/files.js';
import { readVectors } from '../../versioning/vectors/vector-file.js';
import { compileAffected, evaluateAffected, type Verdict } from './evaluate.js';

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

// One ecosystem per scheme, to reach each scheme through compileAffected (SEMVER through a range type).
const ECOSYSTEM_OF: Record<string, string> = {
  dpkg: 'Debian:12',
  apk: 'Alpine:v3.18',
  rpm: 'Red Hat',
  npm: 'npm',
  pep440: 'PyPI',
  maven: 'Maven',
  go: 'Go',
  rubygems: 'RubyGems',
  nuget: 'NuGet',
  packagist: 'Packagist',
  cargo: 'crates.io',
  hex: 'Hex',
  pub: 'Pub',
  cran: 'CRAN',
  hackage: 'Hackage',
};

describe('compiled affected entries over the version vectors', () => {
  // A compiled entry is asked about many versions (its events prepared once): each version must get
  // what the scheme's own comparison says, with the fix of its interval.
  it('give every version the verdict its comparisons with the interval bounds give', () => {
    let checked = 0;
    const wrong: string[] = [];
    for (const [file, ids] of Object.entries(FILES)) {
      const vectors = readVectors(join(import.meta.dirname, '../../../testdata/versions', file));
      for (const id of [...ids, ...(ids.includes('npm') ? ['semver'] : [])]) {
        const scheme = SCHEMES[id]!;
        const valid = vectors.filter((v) => scheme.isValid(v.a) && scheme.isValid(v.b));
        const pairs = valid.filter((v) => v.expected === -1).slice(0, 60);
        const versions = [...new Set(valid.flatMap((v) => [v.a, v.b]))].slice(0, 120);
        const type = id === 'semver' ? 'SEMVER' : 'ECOSYSTEM';
        const ecosystem = ECOSYSTEM_OF[id === 'semver' ? 'npm' : id]!;
        const top = versions.reduce((x, y) => (scheme.compare(x, y) >= 0 ? x : y));
        for (const { a, b } of pairs) {
          // Two intervals: [a, b) with its fix, and [top, ∞) (top the greatest version listed) with none.
          const ranges: AffectedRange[] = [{ type, events: [{ introduced: a }, { fixed: b }] }];
          if (scheme.compare(top, b) > 0) ranges.push({ type, events: [{ introduced: top }] });
          const compiled = compileAffected(ecosystem, ranges, []);
          for (const v of versions) {
            const inFirst = scheme.compare(v, a) >= 0 && scheme.compare(v, b) < 0;
            const inSecond = ranges.length > 1 && scheme.compare(v, top) >= 0;
            const want: Verdict = inFirst
              ? { kind: 'affected', fixed: b }
              : inSecond
                ? { kind: 'affected', fixed: undefined }
                : { kind: 'not_affected' };
            const got = compiled(v);
            if (JSON.stringify(got) !== JSON.stringify(want))
              wrong.push(`${file} ${id}: ${v} in [${a}, ${b})`);
            checked++;
          }
        }
        // A fresh evaluation (nothing compiled or shared beforehand) agrees with the compiled one.
        const [{ a, b }] = pairs.length ? pairs : [{ a: '', b: '' }];
        if (!a) continue;
        const ranges: AffectedRange[] = [{ type, events: [{ introduced: a }, { fixed: b }] }];
        const compiled = compileAffected(ecosystem, ranges, []);
        for (const v of versions)
          expect(evaluateAffected(ecosystem, v, structuredClone(ranges), [])).toEqual(compiled(v));
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(50_000);
  });

  it('keeps the fix of each interval apart when one entry is asked about several versions', () => {
    const compiled = compileAffected(
      'npm',
      [
        {
          type: 'SEMVER',
          events: [{ introduced: '1.0.0' }, { fixed: '1.1.0' }, { introduced: '2.0.0' }, { fixed: '2.1.0' }],
        },
      ],
      [],
    );
    const first = compiled('1.0.5');
    expect(compiled('2.0.5')).toEqual({ kind: 'affected', fixed: '2.1.0' });
    expect(first).toEqual({ kind: 'affected', fixed: '1.1.0' });
    expect(compiled('1.0.7')).toEqual({ kind: 'affected', fixed: '1.1.0' });
    expect(compiled('1.1.0')).toEqual({ kind: 'not_affected' });
  });
});
