// Notification delivery through the real queue and worker on PostgreSQL: a posture.maintain job
// queues notifications.evaluate, which logs one notification and queues its notifications.deliver
// job; the receiver (loopback, allowed through outbound.allowHosts) answers 503, so the queue
// retries with back-off and, after the last attempt, the job stays failed — the dead letter —
// and `runsight jobs --failed` lists it with the rule, event, destination host and last error,
// never the secret or the URL's path.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/test-support/run-cli.js';
import { maintainPosture } from '../../propagation/index.js';
import {
  addContainers,
  addManifest,
  addScan,
  addSource,
  digestOf,
} from '../../propagation/test-support/fleet.js';
import type { NotificationRuleConfig } from '../../reports/config.js';
import { evaluateNotifications } from '../../reports/notifications/index.js';
import { type Receiver, startReceiver } from '../../reports/notifications/test-support/receiver.js';
import { listJobs, listNotificationLog } from '../../store/index.js';
import { createTestStore, postgresAvailable, type TestStore } from '../../store/test-support/stores.js';
import { type JobQueue, openJobQueue } from '../queue.js';
import { startWorker, type Worker } from '../worker.js';
import { stageHandlers } from './stage-handlers.js';

const pg = await postgresAvailable();
const SECRET = 'whsec_dead_letter_secret';
const CVE = 'CVE-2024-0001';

describe.skipIf(!pg)('notification delivery through the queue (PostgreSQL)', () => {
  let store: TestStore;
  let url: string;
  let queue: JobQueue;
  let worker: Worker | undefined;
  let receiver: Receiver;

  beforeEach(async () => {
    store = await createTestStore('postgres');
    const db = (await sql<{ d: string }>`select current_database() as d`.execute(store.db)).rows[0]!.d;
    const u = new URL(process.env.RUNSIGHT_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    u.pathname = `/${db}`;
    url = u.toString();
    receiver = await startReceiver(SECRET);
    queue = await openJobQueue(store, {
      retryLimit: 2,
      retryDelaySeconds: 1,
      maintenanceIntervalSeconds: 1,
      pollingIntervalSeconds: 0.5,
    });
  }, 120_000);

  afterEach(async () => {
    await worker?.stop();
    await queue.stop({ timeoutMs: 1_000 });
    await receiver.close();
    await store.dispose();
  }, 120_000);

  it('retries a failing receiver, then keeps the failed job listed by `jobs --failed`', async () => {
    const rules: NotificationRuleConfig[] = [
      {
        name: 'shop-critical',
        on: ['new-critical'],
        scope: { namespace: 'shop' },
        webhook: { url: `${receiver.url}/hooks/secret-path?token=abc`, secret: SECRET },
      },
    ];
    const src = await addSource(store);
    const OLD = digestOf('dead-letter-old');
    await addManifest(store, OLD);
    await addScan(store, OLD, [{ id: CVE, severity: 'CRITICAL', pkg: 'openssl' }]);
    await maintainPosture(store);
    expect((await evaluateNotifications(store, rules)).logIds).toEqual([]); // the baseline
    await addContainers(store, src, [{ id: 'web-1', image: 'shop/web:1', digest: OLD, namespace: 'shop' }]);

    receiver.status = 503;
    worker = await startWorker({
      store,
      queue,
      handlers: stageHandlers({
        store,
        queue,
        logger: { debug() {}, info() {}, warn() {}, error() {} },
        env: {},
        posture: {},
        inventory: { kubernetes: [], docker: [] },
        advisorySources: [],
        scan: {},
        notifications: rules,
        outbound: { allowHosts: [receiver.hostPort] },
      }),
    });
    // posture.maintain → notifications.evaluate → notifications.deliver (×3 attempts).
    await queue.send('posture.maintain', {});
    const deadline = Date.now() + 90_000;
    let failed: Awaited<ReturnType<typeof listJobs>> = [];
    while (Date.now() < deadline) {
      failed = (await listJobs(store, { failed: true })).filter(
        (j) => j.kind === 'notifications.deliver' && j.state === 'failed',
      );
      if (failed.length) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(failed).toHaveLength(1);
    expect(receiver.refused).toBe(3);
    expect(receiver.deliveries).toEqual([]);
    const [row] = await listNotificationLog(store);
    expect(row).toMatchObject({
      rule: 'shop-critical',
      event: 'new-critical',
      key: CVE,
      status: 'failed',
      attempts: 3,
    });
    expect(failed[0]!.key).toBe(String(row!.id));

    const json = await runCli(['--format', 'json', 'jobs', '--failed'], { DATABASE_URL: url });
    expect(json.code).toBe(0);
    const listed = json.json<Record<string, unknown>[]>().filter((j) => j.kind === 'notifications.deliver');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      state: 'failed',
      attempts: 3,
      notification: {
        rule: 'shop-critical',
        event: 'new-critical',
        key: CVE,
        destination: 'webhook',
        host: receiver.hostPort,
        status: 'failed',
        lastError: `${receiver.hostPort} answered HTTP 503`,
      },
    });
    expect(String(listed[0]!.error)).toContain(`shop-critical new-critical → webhook ${receiver.hostPort}`);
    const table = await runCli(['jobs', '--failed'], { DATABASE_URL: url });
    expect(table.stdout).toContain(`shop-critical new-critical ${CVE} → webhook ${receiver.hostPort}`);
    for (const out of [json.stdout, table.stdout]) {
      expect(out).not.toContain(SECRET);
      expect(out).not.toContain('secret-path');
      expect(out).not.toContain('token=abc');
    }
  }, 180_000);
});
