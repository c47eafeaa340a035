// A CSV row of clean cells is read without the schema (plainCsvRow, issue 15): it must give exactly
// what the schema gives — the same observations, bad rows with the same messages, the same
// warnings — on rows generated from cells that are valid, blank, padded, malformed or dirty.
import { describe, expect, it } from 'vitest';
import { metadataKeys } from '../../metadata-keys.js';
import { CmdbParser } from './parse-cmdb.js';

const keys = metadataKeys();

function parse(text: string, schemaOnly: boolean) {
  const parser = new CmdbParser({ sourceName: 'src', keys, schemaOnly });
  parser.push(text);
  parser.end();
  return {
    observations: parser.take(),
    errors: parser.errors,
    warnings: parser.warnings,
    rows: parser.rows,
    observed: parser.observed,
  };
}

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const CELLS: Record<string, string[]> = {
  source_id: ['vm-1', 'vm-2', ' vm-3 ', '', '  ', 'vm-1', 'x\u0001y', 'vm-4', 'vm-5', 'vm-6'],
  cluster: ['dc-1', '', ' dc-2 ', 'a\u0000b'],
  namespace: ['team-1', '', '  '],
  workload: ['Deployment/web', 'web', '', 'a/b/c', '/x'],
  workload_kind: ['', 'StatefulSet', ' Job '],
  pod: ['', 'web-1'],
  container: ['app', '', ' side ', 'é\u009fx'],
  container_kind: ['', 'init', 'sidecar', 'regular', 'ephemeral', ' init', 'other'],
  node: ['', 'n1'],
  platform: ['', 'linux/amd64', 'linux/arm64/v8', ' linux/amd64 ', 'Linux/AMD64', 'linux'],
  image: ['nginx:1.25', `registry.example.com/app@${DIGEST}`, '', ' busybox ', 'UPPER:1', 'a b', 'nginx::1'],
  digest: ['', DIGEST, `docker://${DIGEST}`, `repo@${DIGEST}`, 'sha256:xyz', ' '],
  digest_kind: ['', 'repo', 'config', 'Repo'],
  state: ['', 'running', ' exited '],
  started_at: ['', '2026-01-10T08:00:00Z', 'yesterday', ' 2026-01-10 '],
  labels: [
    '',
    'app=web;tier=back',
    'team=a; env="prod"',
    '{"team":"b","n":1}',
    '{"x":"\\u0000"}',
    '{bad',
    'novalue',
    ';;',
    '[1]',
  ],
  owner: ['', 'alice'],
  environment: ['', 'prod'],
};

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

function generate(seed: number, columns: string[], rows: number): string {
  const next = random(seed);
  const pick = (a: string[]) => a[Math.floor(next() * a.length)]!;
  let text = `${columns.join(',')}\n`;
  for (let i = 0; i < rows; i++) {
    // Mostly valid rows (the first value of each column, a fresh id), some cells varied.
    const cells = columns.map((c) => (next() < 0.3 ? pick(CELLS[c]!) : CELLS[c]![0]!));
    if (next() < 0.8) cells[columns.indexOf('source_id')] = `row-${i}`;
    text += `${cells.map(csvCell).join(',')}\n`;
  }
  return text;
}

describe('CSV rows read without the schema', () => {
  const all = Object.keys(CELLS);
  const layouts = [
    all,
    ['source_id', 'container', 'image'],
    ['image', 'labels', 'container', 'source_id', 'digest', 'platform', 'started_at'],
    ['Source ID', 'containerName', 'imageRef', 'team', 'env'],
  ];

  it.each(layouts.map((l, i) => [i, l] as const))(
    'layout %i: the same result as through the schema',
    (i, columns) => {
      const alias: Record<string, string> = {
        'Source ID': 'source_id',
        containerName: 'container',
        imageRef: 'image',
        team: 'owner',
        env: 'environment',
      };
      const cols = columns.map((c) => alias[c] ?? c);
      for (let seed = 1; seed <= 20; seed++) {
        const text = generate(seed * 31 + i, cols, 200).replace(/^[^\n]*/, columns.join(','));
        const fast = parse(text, false);
        const slow = parse(text, true);
        expect(fast).toEqual(slow);
        // The generator makes both good and bad rows.
        expect(slow.observed).toBeGreaterThan(0);
        expect(slow.errors.length).toBeGreaterThan(0);
      }
    },
  );

  it('a header with an unknown or repeated column reads every row through the schema', () => {
    const unknown = parse('source_id,container,image,colour\nvm-1,app,nginx:1.25,red\n', false);
    expect(unknown.errors).toEqual([{ line: 2, reason: 'unknown column(s): colour' }]);
    const twice = parse('source_id,container,image,image\nvm-1,app,,nginx:1.25\n', false);
    expect(twice).toEqual(parse('source_id,container,image,image\nvm-1,app,,nginx:1.25\n', true));
    expect(twice.observations.map((o) => o.image)).toEqual(['nginx:1.25']);
  });
});
