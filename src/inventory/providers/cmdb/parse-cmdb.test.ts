import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { metadataKeys } from '../../metadata-keys.js';
import { parseCsv } from './csv.js';
import { parseCmdb } from './parse-cmdb.js';

const file = (name: string) =>
  readFileSync(new URL(`../../../../testdata/inventory/cmdb/${name}`, import.meta.url), 'utf8');
const keys = metadataKeys();

describe('parseCmdb', () => {
  it('reads the documented CSV schema', () => {
    const r = parseCmdb(file('good.csv'), { sourceName: 'cmdb', keys });
    expect(r.errors).toEqual([]);
    expect(r.format).toBe('csv');
    const [web, exporter, busy] = r.observations;
    expect(web).toMatchObject({
      id: 'cmdb/vm-17/web',
      cluster: 'edge-east',
      namespace: 'shop',
      workloadKind: 'Deployment',
      workloadName: 'web',
      container: 'nginx',
      containerKind: 'regular',
      image: 'nginx:alpine',
      digest: 'sha256:482ead44b2203fa32b3390abdaf97cbdc8ad15c07fb03a3e68d7c35a19ad7595',
      digestKind: 'repo',
      owner: 'team-shop',
      environment: 'prod',
      platform: { os: 'linux', architecture: 'amd64' },
      labels: { app: 'web', tier: 'front' },
      state: 'running',
    });
    expect(web!.startedAt?.toISOString()).toBe('2026-01-10T08:00:00.000Z');
    // JSON labels in a quoted CSV field; environment falls back to the labels.
    expect(exporter).toMatchObject({
      labels: { app: 'web', env: 'prod' },
      environment: 'prod',
      digest: undefined,
    });
    // A digest pinned in the image reference; owner from the `team` label; a variant in the platform.
    expect(busy).toMatchObject({
      digest: 'sha256:6915be4043561d64e0ab0f8f098dc2ac48e077fe23f488ac24b665166898115a',
      owner: 'ops',
      labels: { team: 'ops', note: 'quoted, with comma' },
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    });
  });

  it('reads JSON with camelCase or snake_case keys and image-id digest forms', () => {
    const r = parseCmdb(file('good.json'), { sourceName: 'assets', keys });
    expect(r.errors).toEqual([]);
    expect(r.observations.map((o) => [o.id, o.workloadKind, o.workloadName, o.digestKind, o.owner])).toEqual([
      ['assets/asset-1001', 'StatefulSet', 'invoice', 'repo', 'billing'],
      ['assets/asset-1002', undefined, undefined, 'config', undefined],
    ]);
  });

  it('reports every bad CSV row with its line number and reason', () => {
    const r = parseCmdb(file('bad.csv'), { sourceName: 'cmdb', keys });
    expect(r.observations.map((o) => o.id)).toEqual(['cmdb/ok-1']);
    expect(r.errors).toEqual([
      { line: 3, reason: 'source_id is required' },
      { line: 4, reason: 'digest: expected sha256:<64 hex digits> (or repo@sha256:…)' },
      { line: 5, reason: 'started_at: expected an ISO 8601 time such as 2026-01-31T12:00:00Z' },
      { line: 6, reason: 'container is required' },
      { line: 8, reason: 'expected 8 fields as in the header, found 2' },
      { line: 9, reason: 'source_id "ok-1" already used on line 2' },
      { line: 10, reason: 'labels: "novalue" is not key=value' },
    ]);
  });

  it('reports bad JSON rows by the line they start on', () => {
    const r = parseCmdb(file('bad.json'), { sourceName: 'cmdb', keys });
    expect(r.observations.map((o) => o.id)).toEqual(['cmdb/fine']);
    expect(r.errors).toEqual([
      { line: 3, reason: 'image is required' },
      { line: 4, reason: 'expected an object with the documented keys' },
      { line: 5, reason: 'unknown column(s): colour' },
      {
        line: 11,
        reason: 'image: "Nginx:Latest" is not a valid image reference: the repository name must be lowercase',
      },
    ]);
    expect(parseCmdb('[\n{"sourceId": 1,\n', { sourceName: 'x', keys }).errors[0]!.reason).toMatch(
      /not valid JSON/,
    );
  });
});

describe('parseCsv', () => {
  it('keeps quoted commas, quotes and newlines, and the start line of each record', () => {
    expect(parseCsv('a,b\r\n"x, ""y""","1\n2"\n\nlast,\n')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, "y"', '1\n2'] },
      { line: 5, fields: ['last', ''] },
    ]);
  });
});
