// Retention on a real store, PGlite and PostgreSQL: rows older than each limit go, newer ones stay,
// the rows other parts read as "the last one" stay, and the views still answer. Rows are written
// through the stages' own writers at the real time; the pass runs with a clock 40 days ahead, so
// a 30-day limit cuts 10 days ahead of now — rows written "now" are expired, rows dated 20 days
// ahead are not.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maintainPosture } from '../propagation/index.js';
import { addContainers, addScan, addSource, digestOf } from '../propagation/test-support/fleet.js';
import {
  appendAudit,
  insertNotificationLog,
  insertSnapshots,
  lastReportRunOfScope,
  lastReportRunTimes,
  recordJobStarted,
  recordNotificationAttempt,
  recordReportRun,
  type Store,
  snapshotHistory,
} from '../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { getFreshness, getPosture, postureHistory } from '../views/index.js';
import { jobHistoryDays, type RetentionConfig, retentionConfigured, runRetention } from './retention.js';
import { retentionDue, startScheduler } from './scheduler.js';

const DAY = 86_400_000;
const kinds = await storeKindsToTest();

const ALL_30D: RetentionConfig = {
  inventoryRuns: '30d',
  removedContainers: '30d',
  exposures: '30d',
  postureSnapshots: '30d',
  postureSnapshotsDaily: '30d',
  auditLog: '30d',
  notificationLog: '30d',
  reportRuns: '30d',
  findingChanges: '30d',
};

async function count(store: Store, table: string, where = 'true'): Promise<number> {
  const r = await sql<{
    n: number;
  }>`select count(*)::int as n from ${sql.table(table)} where ${sql.raw(where)}`.execute(store.db);
  return Number(r.rows[0]!.n);
}

describe('retention settings', () => {
  it('is off unless a store limit is set; job history rounds up to whole days', () => {
    expect(retentionConfigured(undefined)).toBe(false);
    expect(retentionConfigured({ jobHistory: '3d' })).toBe(false);
    expect(retentionConfigured({ auditLog: '90d' })).toBe(true);
    expect(jobHistoryDays(undefined)).toBeUndefined();
    expect(jobHistoryDays({ jobHistory: '36h' })).toBe(2);
    expect(jobHistoryDays({ jobHistory: '1h' })).toBe(1);
  });
  it('is due once a day after its last run', () => {
    const now = new Date('2026-12-01T12:00:00Z');
    expect(retentionDue([], now)).toBe(true);
    const run = (h: number) => ({
      kind: 'retention.run',
      lastStartedAt: new Date(now.getTime() - h * 3600e3),
      lastSuccessAt: null,
      lastFailureAt: null,
      lastError: null,
    });
    expect(retentionDue([run(23)], now)).toBe(false);
    expect(retentionDue([run(24)], now)).toBe(true);
  });
});

describe.each(kinds)('retention on %s', (kind) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await createTestStore(kind);
  });
  afterEach(async () => {
    await store?.dispose();
  });

  it('deletes what is older than each limit, keeps newer rows and what views read as the last one', async () => {
    const t0 = new Date();
    const later = new Date(t0.getTime() + 20 * DAY);
    const now = new Date(t0.getTime() + 40 * DAY);

    // Inventory: one running container, one removed now (expired), one removed in 20 days (kept).
    const img = digestOf('app-1');
    await addScan(store, img, [{ id: 'CVE-2026-0001', severity: 'HIGH' }]);
    await addScan(store, img, [{ id: 'CVE-2026-0002', severity: 'CRITICAL' }]); // finding_changes rows
    const source = await addSource(store);
    await addContainers(store, source, [
      { id: 'web/1', image: 'registry.example/app:1', digest: img },
      { id: 'old/1', image: 'registry.example/app:1', digest: img, removedAt: t0 },
      { id: 'late/1', image: 'registry.example/app:1', digest: img, removedAt: later },
    ]);
    await maintainPosture(store, {}, {});
    const runsBefore = await count(store, 'inventory_runs');
    expect(runsBefore).toBeGreaterThanOrEqual(3);
    expect(await count(store, 'finding_changes')).toBe(2);
    const exposuresBefore = await count(store, 'exposures');
    const openExposures = await count(store, 'exposures', 'closed_at is null');

    // Snapshots: cluster `lab` every hour of one old day (thinned to its last), plus one 20 days ahead.
    const snap = (containers: number) => ({
      scopeKind: 'cluster',
      scopeKey: 'lab',
      containers,
      distinctCounts: { critical: 1 },
      instanceCounts: { critical: containers },
      digests: [],
    });
    const day0 = new Date(Date.UTC(t0.getUTCFullYear(), t0.getUTCMonth(), t0.getUTCDate()));
    for (let h = 0; h < 24; h++)
      await insertSnapshots(store, [snap(h)], new Date(day0.getTime() + h * 3600e3));
    await insertSnapshots(store, [snap(99)], later);
    const snapshotsBefore = await count(store, 'posture_snapshots');
    const otherSnapshots = snapshotsBefore - 25;

    // Audit log, notifications, report runs.
    const audit = (at: Date) =>
      appendAudit(store, {
        subject: 'tok',
        role: 'admin',
        action: 'token.create',
        target: null,
        outcome: 'ok',
        detail: null,
        at,
      });
    await audit(t0);
    await audit(later);
    const [delivered, pending] = await insertNotificationLog(store, [
      { rule: 'r', event: 'new-kev', key: 'k1', destination: 'webhook', host: 'h', payload: {} },
      { rule: 'r', event: 'new-kev', key: 'k2', destination: 'webhook', host: 'h', payload: {} },
    ]);
    await recordNotificationAttempt(store, delivered!, { delivered: true, at: t0 });
    const report = (name: string, ranAt: Date, outcome: 'ok' | 'failed' = 'ok') =>
      recordReportRun(store, {
        name,
        scopeKey: 'fleet',
        ranAt,
        format: 'json',
        outcome,
        error: null,
        summary: {},
        vulnerabilityIds: [],
      });
    await report('weekly', new Date(t0.getTime() - 14 * DAY));
    await report('weekly', new Date(t0.getTime() - 7 * DAY));
    await report('weekly', t0, 'failed');
    await report('monthly', new Date(t0.getTime() - 30 * DAY));

    const deleted = await runRetention(store, ALL_30D, now, { batch: 2 });

    // Containers: only the one removed before the cutoff is gone.
    expect(deleted.removedContainers).toBe(1);
    const ids = (await store.db.selectFrom('containers').select('id').execute()).map((r) => r.id).sort();
    expect(ids).toEqual(['late/1', 'web/1'].map((x) => expect.stringContaining(x)));
    // Exposures: the closed ones before the cutoff go, open ones stay.
    expect(await count(store, 'exposures', 'closed_at is null')).toBe(openExposures);
    expect(await count(store, 'exposures')).toBe(exposuresBefore - (deleted.exposures ?? 0));
    expect(deleted.exposures).toBeGreaterThanOrEqual(1);
    // Inventory runs: one per source stays (the newest, which is ok).
    expect(deleted.inventoryRuns).toBe(runsBefore - 1);
    expect(await count(store, 'inventory_runs')).toBe(1);
    // Snapshots: the old day thinned to one and then (older than the limit, not the newest) gone;
    // the newer one stays.
    expect(deleted.postureSnapshots).toBe(23);
    expect(deleted.postureSnapshotsDaily).toBe(1);
    expect(await count(store, 'posture_snapshots')).toBe(otherSnapshots + 1);
    const hist = await snapshotHistory(store, 'cluster', ['lab'], 100);
    expect(hist.map((s) => s.containers)).toEqual([99]);
    // Audit log: the old entry goes.
    expect(deleted.auditLog).toBe(1);
    expect(await count(store, 'audit_log')).toBe(1);
    // Notifications: the delivered one goes, the pending one stays however old.
    expect(deleted.notificationLog).toBe(1);
    expect(
      (await store.db.selectFrom('notification_log').select('id').execute()).map((r) => Number(r.id)),
    ).toEqual([pending]);
    // Report runs: weekly keeps its newest run (failed) and the scope's newest ok run; monthly its only run.
    expect(deleted.reportRuns).toBe(1);
    expect((await lastReportRunTimes(store, ['weekly', 'monthly'])).size).toBe(2);
    expect((await lastReportRunOfScope(store, 'fleet'))?.ranAt.getTime()).toBe(t0.getTime() - 7 * DAY);
    // Finding changes: absorbed by the roll-up computed after them, so they go.
    expect(deleted.findingChanges).toBe(2);

    // Views still answer over what is left.
    const posture = await getPosture(store, { by: 'cluster' });
    expect(JSON.stringify(posture)).toContain('prod');
    const fresh = await getFreshness(store, {}, now);
    expect(fresh.inventory).toHaveLength(1);
    expect(fresh.inventory[0]!.at).not.toBeNull();
    const h = await postureHistory(store, { kind: 'cluster', keys: ['lab'] });
    expect(h.snapshots.map((x) => x.containers)).toEqual([99]);

    // A second pass deletes nothing more.
    const again = await runRetention(store, ALL_30D, now);
    expect(Object.values(again).every((n) => n === 0)).toBe(true);
  });

  it('is queued by the scheduler once a day when a limit is set, never when none is', async () => {
    const sent: string[] = [];
    const queue = {
      async send(k: string) {
        sent.push(k);
        return `${sent.length}`;
      },
    };
    const at = new Date('2026-12-01T12:00:00Z');
    const tickAt = async (retention: boolean, now: Date) => {
      const s = startScheduler({
        store,
        queue,
        cadence: {},
        retention,
        immediate: false,
        tickMs: 3_600_000,
        now: () => now,
      });
      try {
        return await s.tick();
      } finally {
        await s.stop();
      }
    };
    expect(await tickAt(false, at)).toEqual([]);
    expect(await tickAt(true, at)).toEqual(['retention.run']);
    await recordJobStarted(store, 'retention.run', at);
    expect(await tickAt(true, new Date(at.getTime() + DAY - 1000))).toEqual([]);
    expect(await tickAt(true, new Date(at.getTime() + DAY))).toEqual(['retention.run']);
  });

  it('deletes nothing when no limit is set', async () => {
    const source = await addSource(store);
    await addContainers(store, source, [
      { id: 'gone/1', image: 'registry.example/app:1', removedAt: new Date() },
    ]);
    await appendAudit(store, {
      subject: 's',
      role: null,
      action: 'a',
      target: null,
      outcome: 'ok',
      detail: null,
      at: new Date(0),
    });
    expect(await runRetention(store, {}, new Date(Date.now() + 1000 * DAY))).toEqual({});
    expect(await count(store, 'containers')).toBe(1);
    expect(await count(store, 'audit_log')).toBe(1);
  });
});
