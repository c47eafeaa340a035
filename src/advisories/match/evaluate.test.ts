import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AffectedRange } from '../../core/advisory.js';
import { SCHEMES } from '../../versioning/index.js';
import { FILES } from '../../versioning/vectors/files.js';
import { readVectors } from '../../versioning/vectors/vector-file.js';
import { compileAffected, compileGroup, evaluateAffected, LINEAR_SCHEMES, type Verdict } from './evaluate.js';

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

/** Each scheme with the vector pairs of each file it applies to whose versions it accepts (semver beside npm). */
function* schemesOverVectors() {
  for (const [file, ids] of Object.entries(FILES)) {
    const vectors = readVectors(join(import.meta.dirname, '../../../testdata/versions', file));
    for (const id of [...ids, ...(ids.includes('npm') ? ['semver'] : [])]) {
      const scheme = SCHEMES[id]!;
      yield { file, id, scheme, valid: vectors.filter((v) => scheme.isValid(v.a) && scheme.isValid(v.b)) };
    }
  }
}

describe('compiled affected entries over the version vectors', () => {
  // A compiled entry is asked about many versions (its events prepared once): each version must get
  // what the scheme's own comparison says, with the fix of its interval.
  it('give every version the verdict its comparisons with the interval bounds give', () => {
    let checked = 0;
    const wrong: string[] = [];
    for (const { file, id, scheme, valid } of schemesOverVectors()) {
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
          if (JSON.stringify(got) !== JSON.stringify(want)) wrong.push(`${file} ${id}: ${v} in [${a}, ${b})`);
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

describe('a group of advisory rows as positions on one version line', () => {
  // A re-match evaluates a group's rows once per position (compileGroup) and gives every version at
  // that position the same verdicts: versions at one position must get the same verdicts from every
  // row, the positions must follow the scheme's order, and a version equal to an event version sits
  // on that event's own (odd) position.
  it('puts versions with the same verdicts from every row at one position, in the order of the scheme', () => {
    let checked = 0;
    const wrong: string[] = [];
    for (const { file, id, scheme, valid } of schemesOverVectors()) {
      const versions = [...new Set(valid.flatMap((v) => [v.a, v.b]))].slice(0, 150);
      if (versions.length < 8) continue;
      const sorted = [...versions].sort((x, y) => scheme.compare(x, y));
      const at = (q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;
      const type = id === 'semver' ? 'SEMVER' : 'ECOSYSTEM';
      const ecosystem = ECOSYSTEM_OF[id === 'semver' ? 'npm' : id]!;
      // Rows of every event kind, overlapping, with an event version shared by two rows.
      const rows = [
        {
          events: [{ introduced: at(0.1) }, { fixed: at(0.4) }, { introduced: at(0.6) }, { fixed: at(0.7) }],
        },
        { events: [{ introduced: '0' }, { last_affected: at(0.4) }] },
        { events: [{ introduced: at(0.3) }, { limit: at(0.8) }] },
        { events: [{ introduced: at(0.9) }] },
      ].map((r) => ({ ecosystem, ranges: [{ type, events: r.events }] as AffectedRange[], versions: [] }));
      const position = compileGroup(rows)?.position;
      if (!LINEAR_SCHEMES.has(id)) {
        if (position) wrong.push(`${file} ${id}: a version line for a scheme that is not a total order`);
        continue;
      }
      if (!position) {
        wrong.push(`${file} ${id}: no version line`);
        continue;
      }
      const evals = rows.map((r) => compileAffected(r.ecosystem, r.ranges, r.versions));
      const verdictsAt = new Map<number, string>();
      for (const v of versions) {
        const p = position(v);
        const verdicts = JSON.stringify(evals.map((e) => e(v)));
        const seen = verdictsAt.get(p);
        if (seen === undefined) verdictsAt.set(p, verdicts);
        else if (seen !== verdicts) wrong.push(`${file} ${id}: ${v} at ${p}`);
        for (const w of versions.slice(0, 40)) {
          const c = scheme.compare(v, w);
          const q = position(w);
          if ((c < 0 && p > q) || (c > 0 && p < q) || (c === 0 && p !== q))
            wrong.push(`${file} ${id}: ${v} vs ${w} at ${p} and ${q}`);
        }
        checked++;
      }
      for (const q of [0.1, 0.3, 0.4, 0.9])
        if (position(at(q)) % 2 !== 1) wrong.push(`${file} ${id}: event ${at(q)} between events`);
      // Several distinct positions: the line is not one interval.
      if (verdictsAt.size < 4) wrong.push(`${file} ${id}: only ${verdictsAt.size} positions`);
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(1000);
  });

  it('only for schemes whose comparison is transitive over their vectors', () => {
    const cycles: string[] = [];
    const nonLinear = new Set<string>();
    for (const { file, id, scheme: s, valid } of schemesOverVectors()) {
      const vs = [...new Set(valid.flatMap((v) => [v.a, v.b]))].slice(0, 100);
      for (const a of vs)
        for (const b of vs) {
          const ab = s.compare(a, b);
          if (ab > 0) continue;
          for (const c of vs) {
            const bc = s.compare(b, c);
            if (bc > 0) continue;
            const ac = s.compare(a, c);
            if (ab < 0 || bc < 0 ? ac >= 0 : ac !== 0) {
              if (LINEAR_SCHEMES.has(id)) cycles.push(`${file} ${id}: ${a} ≤ ${b} ≤ ${c} but ${ac}`);
              nonLinear.add(id);
            }
          }
        }
    }
    expect(cycles).toEqual([]);
    // The two left out are left out for a reason their vectors show.
    expect([...nonLinear].sort()).toEqual(['maven', 'packagist']);
    expect(
      Object.keys(SCHEMES)
        .filter((id) => !LINEAR_SCHEMES.has(id))
        .sort(),
    ).toEqual(['maven', 'packagist']);
  });

  it('has no version line where a verdict is not a matter of comparisons, and -1 for an invalid version', () => {
    const semverRow = (events: Record<string, string>[]) => ({
      ecosystem: 'npm',
      ranges: [{ type: 'SEMVER' as const, events }],
      versions: [] as string[],
    });
    const fine = semverRow([{ introduced: '1.0.0' }, { fixed: '1.2.0' }]);
    expect(compileGroup([fine])?.position).toBeTypeOf('function');
    // A listed version is a string match: 1.5.0 listed, 1.5.0+b equal by comparison but not listed.
    expect(compileGroup([fine, { ...semverRow([]), versions: ['1.5.0'] }])).toBeUndefined();
    // Two schemes on one line: Debian's ECOSYSTEM range beside a SEMVER one.
    expect(
      compileGroup([fine, { ecosystem: 'Debian', ranges: range({ introduced: '1.0-1' }), versions: [] }]),
    ).toBeUndefined();
    // An ecosystem without a comparator, an event version the scheme refuses.
    expect(
      compileGroup([{ ecosystem: 'Nope', ranges: range({ introduced: '1' }), versions: [] }]),
    ).toBeUndefined();
    expect(compileGroup([semverRow([{ introduced: 'x.y' }])])).toBeUndefined();
    const line = compileGroup([fine])!;
    const position = line.position;
    expect(line.bounds).toEqual(['1.0.0', '1.2.0']);
    expect(position('not-a-version')).toBe(-1);
    expect([
      position('0.9.0'),
      position('1.0.0'),
      position('1.1.0'),
      position('1.2.0'),
      position('2.0.0'),
    ]).toEqual([0, 1, 2, 3, 4]);
    // No comparable range (GIT only): one position for every version.
    const git = compileGroup([
      { ecosystem: 'npm', ranges: [{ type: 'GIT', events: [{ introduced: 'abc' }] }], versions: [] },
    ])!;
    expect(git.bounds).toBeUndefined();
    expect([git.position('1.0.0'), git.position('whatever')]).toEqual([0, 0]);
  });
});
