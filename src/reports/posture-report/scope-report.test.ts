// Scope reports over the server test fleet (src/server/test-support/fleet.ts), through the CLI:
//   c1/ns-a vm-1 vulnerable · c1/ns-b vm-2 patched · c2/ns-a vm-3 vulnerable · c2/ns-b vm-4 vulnerable
//   · c2/ns-b vm-5 patched — the vulnerable image carries 1 vulnerability (CVE-2025-26519, HIGH,
//   fixable) in 2 findings (musl and musl-utils). Expected figures are counted by hand from that table.
// Plus one container with hostile names (formula prefixes, quotes, commas) to check CSV output.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../core/access.js';
import { silentLogger } from '../../core/logger.js';
import { createApp } from '../../server/app.js';
import { createClient } from '../../server/client.js';
import { buildFleet, CVE, type Fleet } from '../../server/test-support/fleet.js';
import { openStore } from '../../store/index.js';
import { csvCell, csvRecord, UTF8_BOM } from '../csv.js';
import type { ScopeReport } from './document.js';
import { narrowScope } from './scope.js';

let fleet: Fleet;

beforeAll(async () => {
  fleet = await buildFleet();
  // A sixth container, in its own source, whose names a spreadsheet would run as formulas.
  const csv = join(fleet.dir, 'hostile.csv');
  writeFileSync(
    csv,
    [
      'source_id,cluster,namespace,workload,container,image,digest,started_at,labels,owner,environment,platform',
      `x-1,c3,=HYPERLINK("http://evil"),"Deployment/a,""b""",@cmd,registry.demo.local/library/alpine:3.18,${fleet.vulnerable},2026-11-22T02:00:00Z,,+owner,-env,linux/amd64`,
      '',
    ].join('\n'),
  );
  const r = await fleet.cli('inventory', 'import', csv, '--source-name', 'hostile');
  if (r.code !== 0) throw new Error(r.stderr);
}, 180_000);

afterAll(() => {
  if (fleet) rmSync(fleet.dir, { recursive: true, force: true });
});

describe('report --format json: totals over the scope alone', () => {
  it('namespace=ns-b: 3 containers (vm-2, vm-4, vm-5), 1 vulnerability, 2 findings, 1 instance', async () => {
    const r = await fleet.cli('--format', 'json', 'report', '--scope', 'namespace=ns-b');
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json<ScopeReport>();
    expect(doc.kind).toBe('runsight.scope-report');
    expect(doc.scope).toEqual(['namespace=ns-b']);
    expect(doc.totals.containers).toBe(3);
    expect(doc.totals.distinctVulnerabilities).toMatchObject({ total: 1, high: 1, critical: 0, fixable: 1 });
    expect(doc.totals.summary.findings.total).toBe(2);
    expect(doc.totals.instances.total).toBe(1);
    expect(doc.groups.map((g) => [g.key, g.containers, g.instances.total])).toEqual([
      ['c2/ns-b', 2, 1],
      ['c1/ns-b', 1, 0],
    ]);
    expect(doc.priorities.map((p) => [p.vulnerabilityId, p.containers])).toEqual([[CVE, 1]]);
    // Ad-hoc: no scheduled run of this scope yet, so no "since the previous report".
    expect(doc.changes).toBeNull();
  });

  it('kinds AND, values OR: cluster=c2 and namespace=ns-a|ns-b → vm-3, vm-4, vm-5 (2 instances)', async () => {
    const r = await fleet.cli(
      '--format',
      'json',
      'report',
      '--scope',
      'cluster=c2',
      '--scope',
      'namespace=ns-a',
      '--scope',
      'namespace=ns-b',
      '--by',
      'workload',
    );
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json<ScopeReport>();
    expect(doc.totals.containers).toBe(3);
    expect(doc.totals.instances.total).toBe(2);
    expect(doc.by).toBe('workload');
  });

  it('refuses a bad scope, a format without meaning here and csv options on json (exit 2)', async () => {
    expect((await fleet.cli('--format', 'json', 'report', '--scope', 'planet=earth')).code).toBe(2);
    const table = await fleet.cli('report');
    expect(table.code).toBe(2);
    expect(table.stderr).toMatch(/--format html\|csv\|json/);
    expect((await fleet.cli('--format', 'json', 'report', '--csv-rows', 'finding')).code).toBe(2);
    expect((await fleet.cli('--format', 'html', 'posture')).code).toBe(2);
  });
});

describe('report --format csv, re-read by csv-parse', () => {
  it('scope rows: one per group, figures as numbers, formula cells neutralised', async () => {
    const out = join(fleet.dir, 'groups.csv');
    const r = await fleet.cli('--format', 'csv', 'report', '--by', 'namespace', '--output', out);
    expect(r.code, r.stderr).toBe(0);
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
    const byKey = Object.fromEntries(rows.map((x) => [x.namespace, x]));
    // `c3/=…` does not start a formula: kept as is (the parser gives back the very text).
    expect(Object.keys(byKey).sort()).toEqual([
      'c1/ns-a',
      'c1/ns-b',
      'c2/ns-a',
      'c2/ns-b',
      'c3/=HYPERLINK("http://evil")',
    ]);
    expect(byKey['c2/ns-b']).toMatchObject({
      containers: '2',
      vulnerabilities_high: '1',
      instances_total: '1',
    });
    const env = await fleet.cli('--format', 'csv', 'report', '--by', 'environment');
    const envRows = parse(env.stdout, { columns: true }) as Record<string, string>[];
    expect(envRows.map((x) => [x.environment, x.containers]).sort()).toEqual([
      ["'-env", '1'],
      ['prod', '5'],
    ]);
  });

  it('finding rows: one per container × vulnerability, hostile cells neutralised, with a BOM', async () => {
    const out = join(fleet.dir, 'findings.csv');
    const r = await fleet.cli('--format', 'csv', 'report', '--csv-rows', 'finding', '--bom', '--output', out);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith(UTF8_BOM)).toBe(true);
    const rows = parse(text, { columns: true, bom: true }) as Record<string, string>[];
    // vm-1, vm-3, vm-4 and x-1 run the vulnerable image (1 vulnerability each); the patched ones none.
    expect(rows.map((x) => x.container_id).sort()).toEqual([
      'cmdb/vm-1',
      'cmdb/vm-3',
      'cmdb/vm-4',
      'hostile/x-1',
    ]);
    for (const x of rows) {
      expect(x.vulnerability).toBe(CVE);
      expect(x.severity).toBe('high');
      expect(x.image_digest).toBe(fleet.vulnerable);
      expect(
        x
          .packages!.split(' ')
          .map((p) => p.split('@')[0])
          .sort(),
      ).toEqual(['musl', 'musl-utils']);
      expect(x.fixed_versions).not.toBe('');
    }
    const hostile = rows.find((x) => x.container_id === 'hostile/x-1')!;
    expect(hostile.namespace).toBe('\'=HYPERLINK("http://evil")');
    expect([hostile.workload_kind, hostile.workload]).toEqual(['Deployment', 'a,"b"']);
    expect(hostile.container).toBe("'@cmd");
    expect(hostile.owner).toBe("'+owner");
    expect(hostile.environment).toBe("'-env");
  });

  it('finding rows of a scope: namespace=ns-b has only vm-4', async () => {
    const r = await fleet.cli(
      '--format',
      'csv',
      'report',
      '--csv-rows',
      'finding',
      '--scope',
      'namespace=ns-b',
    );
    expect(r.code, r.stderr).toBe(0);
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.map((x) => x.container_id)).toEqual(['cmdb/vm-4']);
  });
});

describe('csvCell', () => {
  it('round-trips quotes, commas, CR/LF through a real parser; formulas get an apostrophe; numbers stay numbers', () => {
    const cells = [
      'a,"b"',
      'line\r\nbreak',
      '=1+1',
      '+1',
      '-x',
      '@SUM(A1)',
      '\tx',
      '\rx',
      'plain',
      -3,
      0.25,
      null,
      true,
    ];
    const parsed = parse(csvRecord(cells) + csvRecord(['end']), { relax_column_count: true }) as string[][];
    expect(parsed[0]).toEqual([
      'a,"b"',
      'line\r\nbreak',
      "'=1+1",
      "'+1",
      "'-x",
      "'@SUM(A1)",
      "'\tx",
      "'\rx",
      'plain',
      '-3',
      '0.25',
      '',
      'true',
    ]);
    expect(csvCell('-3')).toBe("'-3");
  });
});

describe('narrowScope', () => {
  it('a request only narrows: inside values kept, the caller scope filled in, outside refused', () => {
    expect(narrowScope({ namespaces: ['shop'] }, {})).toEqual({ namespaces: ['shop'] });
    expect(
      narrowScope({ namespaces: ['shop', 'cart'] }, { namespaces: ['cart'], clusters: ['prod'] }),
    ).toEqual({
      clusters: ['prod'],
      namespaces: ['cart'],
    });
    expect(() => narrowScope({ namespaces: ['shop'] }, { namespaces: ['admin'] })).toThrow(
      /namespace=admin is outside/,
    );
    expect(narrowScope({}, { owners: ['x'] })).toEqual({ owners: ['x'] });
  });
});

describe('through the API: the client (remote mode) and the dashboard download', () => {
  // After the CLI tests (PGlite: one process at a time). A token scoped to c2 sees vm-3, vm-4, vm-5
  // (and not the hostile container in c3): 3 containers, 2 instances.
  const c2: Principal = { subject: 'token:c2', role: 'viewer', scope: { clusters: ['c2'] }, via: 'token' };
  it('GET /api/v1/reports via createClient().report, and /reports/download with the same scope', async () => {
    const store = await openStore({ dataDir: fleet.dataDir });
    try {
      const app = createApp({
        store,
        config: {},
        authenticate: async (h) =>
          h === 'Bearer c2' ? c2 : { status: 401, message: 'an API token is required' },
        logger: silentLogger,
      });
      const client = createClient({
        url: 'http://runsight.test',
        token: 'c2',
        fetch: ((url: URL, init?: RequestInit) => app.request(String(url), init)) as typeof fetch,
      });
      const json = await client.report({ scope: [], format: 'json' });
      expect(json.contentType).toMatch(/^application\/json/);
      expect(json.filename).toMatch(/^runsight-cluster-c2-\d{8}T\d{6}Z\.json$/);
      const doc = JSON.parse(json.body) as ScopeReport;
      expect([doc.scope, doc.totals.containers, doc.totals.instances.total]).toEqual([['cluster=c2'], 3, 2]);
      await expect(client.report({ scope: ['cluster=c1'], format: 'json' })).rejects.toThrow(
        /HTTP 403.*cluster=c1 is outside/,
      );
      const rows = await client.report({ scope: ['namespace=ns-b'], format: 'csv', rows: 'finding' });
      expect(
        (parse(rows.body, { columns: true }) as Record<string, string>[]).map((x) => x.container_id),
      ).toEqual(['cmdb/vm-4']);
      const dl = await app.request('/reports/download?format=csv&by=workload&namespace=ns-a', {
        headers: { authorization: 'Bearer c2' },
      });
      expect(dl.status).toBe(200);
      expect(dl.headers.get('content-disposition')).toMatch(
        /^attachment; filename="runsight-cluster-c2_namespace-ns-a-/,
      );
      const dlRows = parse(await dl.text(), { columns: true }) as Record<string, string>[];
      expect(dlRows.map((x) => [x.workload, x.instances_total])).toEqual([['c2/ns-a/Deployment/api', '1']]);
      const page = await app.request('/posture?namespace=ns-a', { headers: { authorization: 'Bearer c2' } });
      expect(await page.text()).toContain(
        'href="/reports/download?format=csv&amp;by=namespace&amp;namespace=ns-a"',
      );
    } finally {
      await store.close();
    }
  });
});
