// One runner over every vector file: the copied osv-scalibr files, the vectors generated with the
// real tools (scripts/gen-vectors/), and the facts stated by apk-tools' and rpm's own test data.
// A line whose versions the scheme accepts must compare exactly as stated (100% agreement); a line
// naming a version the scheme rejects must throw, and that version must be listed in
// testdata/versions/invalid.tsv — so the set of rejected inputs is reviewed, never silent.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMES } from '../ecosystems.js';
import { InvalidVersionError } from '../scheme.js';
import { FILES } from './files.js';
import { readVectors } from './vector-file.js';

const ROOT = join(import.meta.dirname, '../../../testdata/versions');

function invalidList(): Set<string> {
  const text = readFileSync(join(ROOT, 'invalid.tsv'), 'utf8');
  return new Set(
    text
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.replace(/\t#.*$/, '')),
  );
}

const sym = { [-1]: '<', 0: '=', 1: '>' } as const;

/** Copied vectors the real tool contradicts: file → "A OP B" lines, each backed by a generated vector. */
function knownDifferences(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const l of readFileSync(join(ROOT, 'known-differences.tsv'), 'utf8').split('\n')) {
    if (!l.trim() || l.startsWith('#')) continue;
    const [file = '', line = ''] = l.split('\t');
    out.set(file, (out.get(file) ?? new Set()).add(line));
  }
  return out;
}

describe('version vectors', () => {
  const invalid = invalidList();
  const differences = knownDifferences();
  const rejected = new Set<string>();
  for (const [file, schemes] of Object.entries(FILES)) {
    for (const id of schemes) {
      it(`${id} agrees with ${file}`, () => {
        const scheme = SCHEMES[id]!;
        const vectors = readVectors(join(ROOT, file));
        expect(vectors.length).toBeGreaterThan(0);
        const wrong: string[] = [];
        let checked = 0;
        for (const v of vectors) {
          if (differences.get(file)?.has(`${v.a} ${sym[v.expected]} ${v.b}`)) continue;
          const bad = [v.a, v.b].filter((x) => !scheme.isValid(x));
          if (bad.length) {
            for (const x of bad) {
              rejected.add(`${id}\t${x}`);
              if (!invalid.has(`${id}\t${x}`))
                wrong.push(`${file}:${v.line}: ${id} rejects "${x}" (not in invalid.tsv)`);
            }
            expect(() => scheme.compare(v.a, v.b)).toThrow(InvalidVersionError);
            for (const x of bad)
              if (scheme.parse && scheme.parse(x) !== undefined)
                wrong.push(`${file}:${v.line}: parse accepts "${x}"`);
            continue;
          }
          checked++;
          const got = scheme.compare(v.a, v.b);
          if (got !== v.expected)
            wrong.push(`${file}:${v.line}: ${v.a} ${sym[v.expected]} ${v.b}, got ${sym[got]}`);
          // The parsed forms (what a version line's binary search compares) order them the same.
          if (scheme.parse && scheme.compareParsed) {
            const parsed = scheme.compareParsed(scheme.parse(v.a), scheme.parse(v.b));
            if (parsed !== v.expected)
              wrong.push(`${file}:${v.line}: parsed ${v.a} ${sym[v.expected]} ${v.b}, got ${sym[parsed]}`);
          }
          // Antisymmetry: the reverse comparison must be the opposite.
          const back = scheme.compare(v.b, v.a);
          if (back !== -v.expected)
            wrong.push(`${file}:${v.line}: reversed ${v.b} vs ${v.a} gave ${sym[back]}`);
        }
        expect(wrong).toEqual([]);
        expect(checked).toBeGreaterThan(0);
      });
    }
  }
  it('every known difference is contradicted by a vector generated with the real tool', () => {
    for (const [file, lines] of differences) {
      const id = FILES[file]![0]!;
      const generated = readVectors(join(ROOT, `generated/${id}.txt`));
      for (const line of lines) {
        const [a, op, b] = line.split(' ') as [string, string, string];
        const real = generated.find((g) => (g.a === a && g.b === b) || (g.a === b && g.b === a));
        expect(real, line).toBeDefined();
        const realOp = real!.a === a ? real!.expected : -real!.expected;
        expect(sym[realOp as -1 | 0 | 1]).not.toBe(op);
        expect(SCHEMES[id]!.compare(a, b)).toBe(realOp);
      }
    }
  });

  it('every version listed as invalid is rejected by its scheme', () => {
    for (const entry of invalid) {
      const [id, version] = entry.split('\t') as [string, string];
      expect(SCHEMES[id]?.isValid(version), entry).toBe(false);
    }
  });
});
