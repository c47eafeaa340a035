// Scheduled reports over the server test fleet (src/server/test-support/fleet.ts):
//   c1/ns-a vm-1 vulnerable · c2/ns-a vm-3 vulnerable (the rest in ns-b) — the vulnerable image
//   carries CVE-2025-26519 (HIGH, fixable). The first run writes a file and has nothing to compare
//   with; then vm-1 and vm-3 are redeployed on the patched image, and the second run says
//   CVE-2025-26519 is resolved and instances went 2 → 0. Ad-hoc reports read the runs, never write.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { startScheduler } from '../../jobs/scheduler.js';
import { buildFleet, CVE, type Fleet } from '../../server/test-support/fleet.js';
import { openStore, type Store } from '../../store/index.js';
import type { ScheduledReportConfig } from '../config.js';
import type { OutboundRequest } from '../outbound.js';
import { buildScopeReport } from './build.js';
import type { ScopeReport } from './document.js';
import { dueReports, runDueReports } from './scheduled.js';

let fleet: Fleet;
let out: string;
const REPORTS: ScheduledReportConfig[] = [
  { name: 'ns-a-weekly', scope: { namespace: 'ns-a' }, by: 'workload', format: 'json', cadence: '7d' },
  { name: 'ns-a-html', scope: { namespace: 'ns-a' }, format: 'html', cadence: '1d' },
];

beforeAll(async () => {
  fleet = await buildFleet();
  out = join(fleet.dir, 'reports');
  REPORTS[0]!.directory = out;
  REPORTS[1]!.directory = out;
  REPORTS[1]!.webhook = { url: 'https://hooks.example/runsight', secret: 's3cret' };
}, 180_000);

afterAll(() => {
  if (fleet) rmSync(fleet.dir, { recursive: true, force: true });
});

async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ dataDir: fleet.dataDir });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

describe('dueReports', () => {
  it('never run: due; cadence elapsed since the last run: due; else not', () => {
    const now = new Date('2026-12-01T12:00:00Z');
    const last = new Map([['ns-a-weekly', new Date('2026-11-28T12:00:00Z')]]);
    expect(dueReports(REPORTS, last, now).map((r) => r.name)).toEqual(['ns-a-html']);
    expect(dueReports(REPORTS, last, new Date('2026-12-05T12:00:00Z')).map((r) => r.name)).toEqual([
      'ns-a-weekly',
      'ns-a-html',
    ]);
  });
});

describe('scheduled runs', () => {
  const t1 = new Date('2026-12-01T10:00:00Z');
  const t2 = new Date('2026-12-08T10:00:00Z');
  const posted: OutboundRequest[] = [];
  const post = async (req: OutboundRequest) => {
    posted.push(req);
    return { status: 204 };
  };

  it('the scheduler queues reports.run while a report is due', async () => {
    await withStore(async (store) => {
      const sent: string[] = [];
      const s = startScheduler({
        store,
        queue: {
          send: async (kind: string) => {
            sent.push(kind);
            return 'id';
          },
        } as never,
        cadence: {},
        reports: REPORTS,
        immediate: false,
        tickMs: 3_600_000,
        now: () => t1,
      });
      expect(await s.tick()).toEqual(['reports.run']);
      await s.stop();
      expect(sent).toEqual(['reports.run']);
    });
  });

  it('first run: writes <name>-<UTC timestamp>.<ext> atomically and posts the webhook; no changes yet', async () => {
    const results = await withStore((store) =>
      runDueReports(REPORTS, { store, posture: {}, logger: silentLogger, now: t1, post }),
    );
    expect(results.map((r) => [r.name, r.outcome, r.delivered])).toEqual([
      ['ns-a-weekly', 'ok', false],
      ['ns-a-html', 'ok', true],
    ]);
    expect(readdirSync(out).sort()).toEqual([
      'ns-a-html-20261201T100000Z.html',
      'ns-a-weekly-20261201T100000Z.json',
    ]);
    const doc = JSON.parse(
      readFileSync(join(out, 'ns-a-weekly-20261201T100000Z.json'), 'utf8'),
    ) as ScopeReport;
    expect(doc.name).toBe('ns-a-weekly');
    expect([doc.totals.containers, doc.totals.instances.total]).toEqual([2, 2]); // vm-1, vm-3
    expect(doc.changes).toBeNull();
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ url: 'https://hooks.example/runsight', secret: 's3cret' });
    expect(posted[0]!.contentType).toMatch(/^text\/html/);
    expect(posted[0]!.body).toBe(readFileSync(join(out, 'ns-a-html-20261201T100000Z.html'), 'utf8'));
    // Nothing due right after.
    const again = await withStore((store) =>
      runDueReports(REPORTS, {
        store,
        posture: {},
        logger: silentLogger,
        now: new Date(t1.getTime() + 60_000),
        post,
      }),
    );
    expect(again).toEqual([]);
  });

  it('an ad-hoc report of the same scope compares with the last scheduled run and records nothing', async () => {
    const r = await fleet.cli('--format', 'json', 'report', '--scope', 'namespace=ns-a');
    expect(r.code, r.stderr).toBe(0);
    const doc = r.json<ScopeReport>();
    expect(doc.changes?.previous.name).toBe('ns-a-html');
    expect(doc.changes?.newVulnerabilities.count).toBe(0);
    expect(doc.changes?.resolvedVulnerabilities.count).toBe(0);
    const runs = await withStore(
      async (store) => (await store.db.selectFrom('report_runs').select('name').execute()).length,
    );
    expect(runs).toBe(2); // the two scheduled runs only
  });

  it('second run after vm-1 and vm-3 moved to the patched image: CVE resolved, instances 2 → 0', async () => {
    const csv = join(fleet.dir, 'cmdb.csv');
    writeFileSync(
      csv,
      readFileSync(csv, 'utf8')
        .replaceAll(`${fleet.vulnerable},`, `${fleet.patched},`)
        .replace(
          // vm-4 (ns-b) keeps the vulnerable image: only ns-a changes.
          /^(vm-4,.*?)sha256:[0-9a-f]{64}/m,
          `$1${fleet.vulnerable}`,
        ),
    );
    const imported = await fleet.cli('inventory', 'import', csv, '--source-name', 'cmdb');
    expect(imported.code, imported.stderr).toBe(0);
    const results = await withStore((store) =>
      runDueReports(REPORTS, { store, posture: {}, logger: silentLogger, now: t2, post }),
    );
    expect(results.map((r) => r.outcome)).toEqual(['ok', 'ok']);
    const doc = JSON.parse(
      readFileSync(join(out, 'ns-a-weekly-20261208T100000Z.json'), 'utf8'),
    ) as ScopeReport;
    expect(doc.totals.instances.total).toBe(0);
    expect(doc.changes).toMatchObject({
      containers: { before: 2, after: 2, delta: 0 },
      instances: { total: { before: 2, after: 0, delta: -2 }, high: { before: 2, after: 0, delta: -2 } },
      distinctVulnerabilities: { total: { before: 1, after: 0, delta: -1 } },
      newVulnerabilities: { count: 0, ids: [] },
      resolvedVulnerabilities: { count: 1, ids: [CVE] },
    });
    const html = readFileSync(join(out, 'ns-a-html-20261208T100000Z.html'), 'utf8');
    expect(html).toContain('Since the previous report');
    expect(html).toContain(`<code>${CVE}</code>`);
  });

  it('a webhook that fails is recorded as a failed run (with the reason), tried again at the next cadence', async () => {
    const failing = async () => {
      throw new Error('refused: 10.0.0.1 is a private address');
    };
    const t3 = new Date('2026-12-09T10:00:01Z');
    const results = await withStore((store) =>
      runDueReports([REPORTS[1]!], { store, posture: {}, logger: silentLogger, now: t3, post: failing }),
    );
    expect(results).toMatchObject([
      { name: 'ns-a-html', outcome: 'failed', error: expect.stringMatching(/private address/) },
    ]);
    const row = await withStore(
      async (store) =>
        await store.db
          .selectFrom('report_runs')
          .select(['outcome', 'error'])
          .where('ran_at', '=', t3)
          .executeTakeFirst(),
    );
    expect(row).toEqual({ outcome: 'failed', error: 'refused: 10.0.0.1 is a private address' });
    // The file was written before the webhook failed; an ad-hoc report still compares with the last good run.
    const { report } = await withStore((store) =>
      buildScopeReport(store, { scope: { namespaces: ['ns-a'] }, now: new Date(t3.getTime() + 1000) }),
    );
    expect(report.changes?.previous.generatedAt).toBe('2026-12-08T10:00:00.000Z');
  });
});
