// The YAML unit reader (stream-yaml.ts) on text in memory: which units it hands on and what it
// returns as the rest of the document; a layout it does not split is handed back to be read whole
// (within the whole path's limit) or refused with the reason and the file's line (beyond it).
import { describe, expect, it } from 'vitest';
import { ReportFormatError } from './errors.js';
import { MAX_YAML_BYTES, parseReportText } from './read-report.js';
import type { JsonPathStep } from './stream-json.js';
import { streamYaml, YamlNotStreamable } from './stream-yaml.js';

/** Reads `text` as a file of `size` bytes (over the whole path's limit unless told), lines in
 * batches of three; returns the units by path and the rest. */
async function read(text: string, size = MAX_YAML_BYTES + 1) {
  const lines = text.split('\n');
  const units: { path: string; value: unknown }[] = [];
  let staged = 0;
  const rest = await streamYaml(
    {
      file: 'r.yaml',
      size,
      async *lines() {
        for (let i = 0; i < lines.length; i += 3) yield lines.slice(i, i + 3);
      },
    },
    (path: readonly JsonPathStep[]) => (value) => void units.push({ path: path.join('.'), value }),
    async () => void staged++,
  );
  expect(staged).toBe(units.length);
  return { units, rest };
}

const LIST = `apiVersion: v1
items:
- apiVersion: aquasecurity.github.io/v1alpha1
  kind: VulnerabilityReport
  metadata:
    name: a
  # a comment

  report:
    summary: |
      two lines
      of text
    vulnerabilities: []
- kind: VulnerabilityReport
  metadata: {name: b}
-
  kind: Other
kind: List
metadata:
  resourceVersion: ""
`;

describe('streamYaml', () => {
  it('a kubectl List: each item of `items`, the rest with `items: []`; as the whole document reads', async () => {
    const { units, rest } = await read(LIST);
    const whole = parseReportText(LIST, 'r.yaml') as { items: unknown[] };
    expect(units.map((u) => u.path)).toEqual(['items', 'items', 'items']);
    expect(units.map((u) => u.value)).toEqual(whole.items);
    expect((units[0]!.value as { report: { summary: string } }).report.summary).toBe('two lines\nof text\n');
    expect(rest).toEqual({ ...whole, items: [] });
  });

  it('the same with `items` indented (yq, this library) and a document marker', async () => {
    const indented = `---\n${LIST.replace(/\n(?=[- ])/g, '\n  ').replace('\n  kind: List', '\nkind: List')}`;
    const whole = parseReportText(indented, 'r.yaml') as { items: unknown[] };
    expect(whole.items).toHaveLength(3);
    const { units, rest } = await read(indented);
    expect(units.map((u) => u.value)).toEqual(whole.items);
    expect(rest).toEqual({ ...whole, items: [] });
  });

  it('several documents: each document (null ones dropped); a top-level sequence: each entry', async () => {
    const docs = '# head\n---\na: 1\n---\n# only a comment\n---\n~\n...\n--- {b: 2}\n';
    expect(await read(docs)).toEqual({
      units: [
        { path: '', value: { a: 1 } },
        { path: '', value: { b: 2 } },
      ],
      rest: [],
    });
    expect(parseReportText(docs, 'r.yaml')).toEqual([{ a: 1 }, { b: 2 }]);
    const seq = '- a: 1\n  b: [1, 2]\n- - nested\n# end\n';
    expect(await read(seq)).toEqual({
      units: [
        { path: '', value: { a: 1, b: [1, 2] } },
        { path: '', value: ['nested'] },
      ],
      rest: [],
    });
  });

  it('a YAML error in an item: the whole path’s message at the file’s line and column', async () => {
    const broken = LIST.replace('    name: a', '    name: a\n   bad: [');
    const whole = (() => {
      try {
        parseReportText(broken, 'r.yaml');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(whole).toBeInstanceOf(ReportFormatError);
    expect(whole?.message).toMatch(/^r\.yaml: neither JSON nor valid YAML: .* at line 7, column \d+:$/);
    const err = await read(broken).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReportFormatError);
    expect((err as Error).message).toBe(whole?.message);
  });

  it('what it does not split: read whole within the limit, refused with the reason beyond it', async () => {
    const cases: [string, RegExp][] = [
      ['%YAML 1.1\n---\nitems:\n- a\n', /directives/],
      ['items: [1, 2]\nkind: List\n', /no sequence/],
      ['items:\n  a: 1\n', /not a block sequence/],
      ['- a\nb: 1\n', /after the top-level sequence/],
      ['items:\n- &x {a: 1}\n- *x\n', /not valid YAML in the unit from line 3: .*alias/],
      ['a: 1\n---\n~\n', /fewer than two documents/],
      [
        `kind: List\ndescription: "${'x'.repeat(1024 * 1024)}"\nitems:\n- a\n`,
        /outside its items is too large/,
      ],
    ];
    for (const [text, reason] of cases) {
      await expect(read(text, 100), text.slice(0, 40)).rejects.toThrow(YamlNotStreamable);
      await expect(read(text), text.slice(0, 40)).rejects.toThrow(reason);
    }
  });
});

describe('parseReportText', () => {
  it('an alias without its anchor is the file’s error (exit 2), not an unexpected failure', () => {
    expect(() => parseReportText('a: *x\n', 'r.yaml')).toThrow(ReportFormatError);
    expect(() => parseReportText('a: *x\n', 'r.yaml')).toThrow(/not valid YAML: .*alias/i);
  });
});
